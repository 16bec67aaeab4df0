/**
 * The deployed entry (package.json `main`): registers the bot's functions, `webhook` and
 * `worker`. Cloud Functions names the one it serves; only that function's code is loaded.
 */
import '@dialogflow-functions/core/compile-cache'; // first: what loads after it uses Node's compile cache
import { serve } from '@dialogflow-functions/core';
import bot from './bot';

serve(bot);
