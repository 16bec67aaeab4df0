import { z } from 'zod';
import { createJobRegistry, defineJob } from '../../src/jobs';

/**
 * A job type for the jobs machinery's tests (defer.test, deliver.test): it says back its text,
 * notifies on every channel, and its description is its status.
 */
export const echo = defineJob({
  type: 'echo',
  request: z.object({ text: z.string().min(1) }),
  result: z.object({ said: z.string() }),
  validate: () => undefined,
  explain: (r) => r.code,
  run: async ({ request }) => ({ result: { said: request.text } }),
  describe: (view) => view.status,
  notifies: 'all',
});

/** A registry of `echo` alone. */
export const echoJobs = createJobRegistry([echo]);
