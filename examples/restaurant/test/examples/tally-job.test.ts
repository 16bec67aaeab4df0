import { beforeEach, expect, it } from 'vitest';
import { createJobRegistry } from '@dialogflow-functions/core/jobs';
import { createLogger } from '@dialogflow-functions/core/logger';
import { resetTestFirestore, testFirestore } from '@dialogflow-functions/testing';
import { testConfig } from '../helpers/servers';
import { tally } from './tally-job';

beforeEach(() => resetTestFirestore());

it('counts once per job, however often the job runs', async () => {
  const run = (jobId: string) =>
    tally.run({
      jobId,
      request: { counter: 'visits' },
      attempt: 1,
      wakeups: 0,
      createdAt: new Date(),
      db: testFirestore(),
      config: testConfig(),
      log: createLogger({ sink: () => {} }),
      now: () => new Date(),
    });
  expect(await run('t-first')).toEqual({ result: { total: 1 } });
  expect(await run('t-first')).toEqual({ result: { total: 1 } }); // a duplicate delivery
  expect(await run('t-second')).toEqual({ result: { total: 2 } });
  expect((await testFirestore().doc('counters/visits').get()).get('total')).toBe(2);
});

it('registers beside the demo job types', () => {
  const registry = createJobRegistry([tally]);
  expect(registry.taskBody.safeParse({ v: 1, jobId: 't-abcdef', type: 'tally' }).success).toBe(
    true,
  );
});
