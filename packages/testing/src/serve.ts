import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, type HttpFunction } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';

/*
 * A function handler served on loopback exactly as functions-framework serves it (its own
 * server: body parsing, `rawBody`, error handling), on an ephemeral port: what tests and
 * `dff converse`'s local bot talk to over real HTTP.
 */

/** A server listening on 127.0.0.1; `close()` ends its open connections too. */
export interface ServedFunction {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port. */
export async function listenOnLoopback(server: Server): Promise<ServedFunction> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

let registered = 0;

/**
 * Registers `handler` with functions-framework (under a name of its own: several can be served
 * in one process) and serves it on loopback.
 */
export function serveFunction(handler: HttpFunction): Promise<ServedFunction> {
  const name = `dff-function-${process.pid}-${++registered}`;
  http(name, handler);
  return listenOnLoopback(getTestServer(name));
}
