/*
 * Loaded with `node --require` into each function that `npm start` (and the tests) run with
 * functions-framework (scripts/lib/processes.ts spawnFunction). Plain CommonJS: it runs before
 * the framework, in the same plain-node process Cloud Functions would run.
 *
 * 1. 127.0.0.1 only. functions-framework 5 calls `server.listen(port, callback)` with no
 *    address, so it listens on every interface, and it has no option or variable for the
 *    address. A listen without an address gets 127.0.0.1 here.
 * 2. Exit with the parent. Started with an IPC channel (spawnService), the function stops when
 *    the channel closes: the process that started it is gone, even if it was killed with -9.
 */
'use strict';
const net = require('node:net');
const process = require('node:process');

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;
const isPort = (v) => typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v));

net.Server.prototype.listen = function (...args) {
  if (isPort(args[0]) && typeof args[1] !== 'string') {
    args.splice(1, 0, LOOPBACK);
  } else if (
    args[0] &&
    typeof args[0] === 'object' &&
    args[0].host === undefined &&
    args[0].path === undefined &&
    isPort(args[0].port ?? 0)
  ) {
    args[0] = { ...args[0], host: LOOPBACK };
  }
  return listen.apply(this, args);
};

// SIGTERM: what functions-framework answers by exiting (and what kills it before it listens).
if (process.channel) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
