/**
 * The deployed entry (package.json `main`). Cloud Functions names the function it serves in
 * FUNCTION_TARGET (functions-framework: `--target`); only that function's code is loaded, so
 * the webhook never imports the worker (nor needs its settings) and the other way round.
 * Without a target both are registered.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loading only the target's modules */
import './shared/compile-cache'; // first: everything loaded after it uses Node's compile cache
import { functionTarget } from './shared/config';

const target = functionTarget();
if (target !== 'worker') require('./functions/webhook');
if (target !== 'webhook') require('./functions/worker');
