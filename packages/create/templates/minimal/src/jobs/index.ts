import { createJobRegistry } from '@dialogflow-functions/core/jobs';
import { brew } from './brew';

/** The bot's job types: what `ctx.defer()` accepts and the worker runs. Add yours here. */
export const jobs = createJobRegistry([brew]);

declare module '@dialogflow-functions/core' {
  interface Register {
    jobs: typeof jobs;
  }
}
