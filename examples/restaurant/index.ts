/**
 * The deployed entry (package.json `main`): registers the bot's functions. Cloud Functions
 * names the one it serves (FUNCTION_TARGET); only that function's code is loaded.
 */
import '@dialogflow-functions/core/compile-cache'; // first: what loads after it uses Node's compile cache
import { serve } from '@dialogflow-functions/core';
import bot from './bot';

serve(bot);
