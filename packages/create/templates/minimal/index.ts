/**
 * The entry: registers the bot's functions, `webhook` and `worker`. Cloud Functions names the
 * one it serves; only that function's code is loaded. `dff build` bundles it once per function,
 * and package.json `main` (dist/main.js, written by the build) loads that function's bundle.
 */
import '@dialogflow-functions/core/compile-cache'; // first: what loads after it uses Node's compile cache
import { serve } from '@dialogflow-functions/core';
import bot from './bot';

serve(bot);
