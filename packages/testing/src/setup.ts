import { join, resolve } from 'node:path';
import { TEST_PROJECT, TEST_PROJECT_ENV } from './firestore';

/*
 * vitest `setupFiles` entry (`@dialogflow-functions/testing/setup`): makes a test file safe to
 * run beside others on the run's one Firestore emulator. It runs in each test worker before
 * the file and gives the worker's own resources to the file and to every process it starts
 * (they inherit the environment):
 * - GOOGLE_CLOUD_PROJECT and DFF_TEST_PROJECT: this worker's Firestore project (TEST_PROJECT),
 *   which testFirestore() and resetTestFirestore() use;
 * - DFF_DATA_DIR: the project's local data (.data/) of this worker, so two local stacks
 *   started at once do not share a database's files.
 */
process.env[TEST_PROJECT_ENV] = TEST_PROJECT;
process.env.GOOGLE_CLOUD_PROJECT = TEST_PROJECT;
const worker = process.env.VITEST_POOL_ID ?? String(process.pid);
process.env.DFF_DATA_DIR ??= join(
  resolve(process.env.DFF_PROJECT_DIR || process.cwd()),
  '.data',
  `test-worker-${worker}`,
);
