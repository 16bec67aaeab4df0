import { http } from '@google-cloud/functions-framework';
import { loadConfigOrExit } from '../../shared/config';
import { lazyFirestore } from '../../shared/firestore';
import { createHttpClient } from '../../shared/http';
import { createWeatherService } from './backends/weather';
import { createWebhookHandler } from './handler';
import { createDemoIntents, fallback } from './intents';

// Cold start: configuration is parsed once; Google clients are created on first use.
const config = loadConfigOrExit();

const intents = createDemoIntents({
  db: lazyFirestore({ projectId: config.projectId, emulatorHost: config.firestore.emulatorHost }),
  weather: createWeatherService({
    baseUrl: config.weather.baseUrl,
    apiKey: config.weather.apiKey,
    http: createHttpClient(),
  }),
});

http('webhook', createWebhookHandler({ config, intents, fallback }));
