import { http } from '../../shared/http/framework';
import { loadConfigOrExit } from '../../shared/config';
import { createDemoWebhook } from '../../demo/webhook';

// Cold start: the webhook's configuration is parsed once; Google clients are created on first use.
// Your bot: `createWebhook(config, { intents, fallback, jobs })` from ./app (see the README).
http('webhook', createDemoWebhook(loadConfigOrExit('webhook')));
