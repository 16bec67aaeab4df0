import * as z from 'zod';
import { defineJob } from '@dialogflow-functions/core/jobs';

/**
 * A job type: counts one visit on a named counter, exactly once however often Cloud Tasks
 * delivers the job (the job's own marker document is the idempotency key).
 */
export const tally = defineJob({
  type: 'tally',
  request: z.strictObject({ counter: z.string().regex(/^[a-z-]{1,40}$/) }),
  result: z.strictObject({ total: z.number().int() }),
  // Rules checked by the webhook before deferring and again by the worker: none here.
  validate: () => undefined,
  explain: (_refusal, t) => t.apology,
  async run({ db, jobId, request }) {
    const counter = db.collection('counters').doc(request.counter);
    const marker = db.collection('tally-jobs').doc(jobId);
    const total = await db.runTransaction(async (tx) => {
      const [current, done] = await tx.getAll(counter, marker);
      if (done?.exists) return Number(done.get('total'));
      const next = Number(current?.get('total') ?? 0) + 1;
      tx.set(counter, { total: next });
      tx.set(marker, { total: next });
      return next;
    });
    return { result: { total } }; // the worker records it and marks the job succeeded
  },
  describe: (view, t) =>
    view.status === 'succeeded'
      ? t.jobStatusDone({ jobId: view.jobId, result: String(view.result.total) })
      : view.status === 'failed'
        ? t.jobFailed({ jobId: view.jobId })
        : t.jobStatusQueued({ jobId: view.jobId }),
  notifies: ['slack', 'webhook'],
});
