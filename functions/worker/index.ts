import { http } from '@google-cloud/functions-framework';
import { loadConfigOrExit } from '../../shared/config';
import { lazyFirestore } from '../../shared/firestore';
import { createHttpClient } from '../../shared/http';
import { createNotifiers } from '../../shared/notify';
import { createWorkerHandler } from './handler';

const config = loadConfigOrExit();

http(
  'worker',
  createWorkerHandler({
    config,
    db: lazyFirestore({ projectId: config.projectId, emulatorHost: config.firestore.emulatorHost }),
    notifiers: createNotifiers(config, createHttpClient()),
  }),
);
