import { http } from '@google-cloud/functions-framework';
import { loadConfigOrExit } from '../../shared/config';
import { createDemoWorker } from '../../demo/worker';

// Cold start: the worker's configuration is parsed once; Google clients are created on first use.
http('worker', createDemoWorker(loadConfigOrExit('worker')));
