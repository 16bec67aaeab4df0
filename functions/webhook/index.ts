import { http } from '@google-cloud/functions-framework';
import { loadConfigOrExit } from '../../shared/config';
import { lazyFirestore } from '../../shared/firestore';
import { createDeferrer } from '../../shared/jobs';
import { lazyTasksClient } from '../../shared/tasks';
import { createHttpClient } from '../../shared/http';
import { createWeatherService } from './backends/weather';
import { createWebhookHandler } from './handler';
import { createDemoIntents, fallback } from './intents';

// Cold start: configuration is parsed once; Google clients are created on first use.
const config = loadConfigOrExit();

const db = lazyFirestore({
  projectId: config.projectId,
  emulatorHost: config.firestore.emulatorHost,
});
const tasks = lazyTasksClient({ emulatorHost: config.tasks.emulatorHost });

const intents = createDemoIntents({
  db,
  weather: createWeatherService({
    baseUrl: config.weather.baseUrl,
    apiKey: config.weather.apiKey,
    http: createHttpClient(),
  }),
});

http(
  'webhook',
  createWebhookHandler({ config, intents, fallback, defer: createDeferrer({ db, tasks, config }) }),
);
