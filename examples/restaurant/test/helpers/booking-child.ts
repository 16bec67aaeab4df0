import { Firestore } from '@google-cloud/firestore';
import { reservation } from '../../src/jobs/reservation';
import { restaurantEnv } from '../../src/env';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { parseConfig } from '@dialogflow-functions/core/config';
import { createLogger } from '@dialogflow-functions/core/logger';
import { TEST_PROJECT } from '@dialogflow-functions/testing/firestore';

/*
 * A booking process for the crash test (hot-slot.test.ts): books the reservation jobs
 * given as JSON in argv[2] all at once against FIRESTORE_EMULATOR_HOST, printing "started"
 * once they are under way. The test SIGKILLs it mid-rush.
 */
const jobs = JSON.parse(process.argv[2] ?? '[]') as {
  jobId: string;
  request: { date: string; time: string; partySize: number; name: string };
}[];
const config = parseConfig(
  {
    NODE_ENV: 'test',
    GOOGLE_CLOUD_PROJECT: TEST_PROJECT,
    RESERVATION_SLOT_CAPACITY: process.env.RESERVATION_SLOT_CAPACITY ?? '20',
  },
  'all',
  restaurantEnv,
);
const db = new Firestore({
  projectId: TEST_PROJECT, // the test worker's (DFF_TEST_PROJECT, inherited)
  ...emulatorSettings(process.env.FIRESTORE_EMULATOR_HOST ?? ''),
});
const log = createLogger({ sink: () => undefined });
console.log('started');
// Four at a time, as a worker instance takes several tasks at once.
let next = 0;
const lane = async (): Promise<void> => {
  for (let j = jobs[next++]; j; j = jobs[next++]) {
    await reservation.run({
      jobId: j.jobId,
      request: j.request,
      attempt: 1,
      wakeups: 0,
      createdAt: new Date(),
      db,
      config,
      log,
      now: () => new Date(),
    });
  }
};
void Promise.all([lane(), lane(), lane(), lane()]).then(() => console.log('done'));
