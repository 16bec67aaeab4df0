/**
 * The project's entry: registers the bot's functions. Cloud Functions names the one it serves
 * (FUNCTION_TARGET); only that function's code is loaded. `dff build` bundles it once per
 * function, and package.json `main` (dist/main.js, written by the build) loads that function's
 * bundle, or this file as tsc built it.
 */
import '@dialogflow-functions/core/compile-cache'; // first: what loads after it uses Node's compile cache
import { serve } from '@dialogflow-functions/core';
import bot from './bot';

serve(bot);
