/**
 * The deployed entry (package.json `main`). Cloud Functions names the function it serves in
 * FUNCTION_TARGET (functions-framework: `--target`); only that function's code is loaded, so
 * the webhook never imports the worker (nor needs its settings) and the other way round.
 * Without a target both are registered.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loading only the target's modules */
import './shared/compile-cache'; // first: everything loaded after it uses Node's compile cache
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { functionTarget } from './shared/target';

/**
 * A function's code: its bundle (dist/bundle/NAME.js, one file: what `npm run build` makes and
 * a cold start loads fastest), else its modules as tsc built them.
 */
const load = (name: 'webhook' | 'worker') => {
  const bundle = join(__dirname, 'bundle', `${name}.js`);
  require(existsSync(bundle) ? bundle : `./functions/${name}`);
};

const target = functionTarget();
if (target !== 'worker') load('webhook');
if (target !== 'webhook') load('worker');
