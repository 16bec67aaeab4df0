import { createJobRegistry } from '@dialogflow-functions/core/jobs';
import { reservation } from './reservation';
import { watchOrder } from './watch-order';
import type { RestaurantEnv } from '../env';

/**
 * The demo's job types: the single list the task body, `ctx.defer()`'s request type and the
 * worker's dispatch derive from. A new job type is one module and one entry here.
 */
export const demoJobs = createJobRegistry([reservation, watchOrder]);

declare module '@dialogflow-functions/core' {
  interface Register {
    jobs: typeof demoJobs;
    env: RestaurantEnv;
  }
}
