import { http } from '../../shared/http/framework';
import { loadConfigOrExit } from '../../shared/config';
import { demoJobs } from '../../demo/jobs';
import { createWorker } from './app';

// Cold start: the worker's configuration is parsed once; Google clients are created on first use.
// Your bot: pass your own job registry (see the README, "Add a job type").
http('worker', createWorker(loadConfigOrExit('worker'), { jobs: demoJobs }));
