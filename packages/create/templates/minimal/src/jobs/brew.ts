import * as z from 'zod';
import { defineJob } from '@dialogflow-functions/core/jobs';
import { en } from '../messages';

/** The most cups one order may brew. */
export const MAX_CUPS = 10;

export const BrewRequest = z.strictObject({ cups: z.number().int().min(1).max(MAX_CUPS) });
export const BrewResult = z.strictObject({ cups: z.number().int() });

/**
 * The brew job: runs in the worker, after the webhook has answered. It records the order in
 * Firestore under the job's id, so a task Cloud Tasks delivers twice brews once.
 */
export const brew = defineJob({
  type: 'brew',
  request: BrewRequest,
  result: BrewResult,
  validate: (request) => (request.cups <= MAX_CUPS ? undefined : { code: 'too-many' }),
  explain: () => en.tooMany(MAX_CUPS),
  async run({ db, jobId, request, now }) {
    await db.collection('coffee-orders').doc(jobId).set({ cups: request.cups, brewedAt: now() });
    return { result: { cups: request.cups } };
  },
  describe(view) {
    switch (view.status) {
      case 'queued':
      case 'running':
        return en.brewing(view.request.cups, view.jobId);
      case 'succeeded':
        return en.ready(view.result.cups);
      case 'failed':
        return en.failed(view.jobId);
    }
  },
  notifies: 'all',
});
