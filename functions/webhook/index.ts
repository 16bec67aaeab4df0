import { http } from '@google-cloud/functions-framework';
import { loadConfigOrExit } from '../../shared/config';
import { createWebhookHandler } from './handler';
import { createDemoIntents, fallback } from './intents';

// Cold start: configuration is parsed once; Google clients are created on first use.
const config = loadConfigOrExit();

http('webhook', createWebhookHandler({ config, intents: createDemoIntents(), fallback }));
