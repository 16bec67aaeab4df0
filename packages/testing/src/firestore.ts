import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import type { FirestoreFactory } from '@dialogflow-functions/core/firestore';
import { resetFirestore } from './firestore-emulator';

/** Where the test setup (./setup) puts this worker's Firestore project id for its children. */
export const TEST_PROJECT_ENV = 'DFF_TEST_PROJECT';

/**
 * The Firestore project of this test worker. The emulator keeps each project apart, and its
 * reset deletes one project's documents, so test files that run at the same time on one
 * emulator cannot see or reset each other's data: under vitest every worker process has its
 * own (`demo-test-<pid>`, handed to the processes a test starts by ./setup through
 * DFF_TEST_PROJECT and GOOGLE_CLOUD_PROJECT); elsewhere the local stack's `demo-local`.
 */
export function testProjectId(env: NodeJS.ProcessEnv = process.env): string {
  const given = env[TEST_PROJECT_ENV];
  if (given) return given;
  return env.VITEST ? `demo-test-${process.pid}` : 'demo-local';
}

/** This worker's Firestore project (see testProjectId). */
export const TEST_PROJECT: string = testProjectId();

/** Where the global setup tells the test workers its emulator's host:port. */
export const TEST_FIRESTORE_HOST_ENV = 'DFF_TEST_FIRESTORE_HOST';

/** The emulator of this test run. */
export function firestoreHost(): string {
  // Set by the global setup (./global-setup) for the test workers. Not vitest's inject(): this
  // module is also loaded as CommonJS (a published install), where vitest cannot be required.
  const host = process.env[TEST_FIRESTORE_HOST_ENV];
  if (!host) {
    throw new Error(
      `no test Firestore: add '@dialogflow-functions/testing/global-setup' to vitest's globalSetup`,
    );
  }
  return host;
}

let client: Firestore | undefined;

/** A real client on the test emulator, shared by a test file. */
export function testFirestore(): Firestore {
  client ??= new Firestore({ projectId: TEST_PROJECT, ...emulatorSettings(firestoreHost()) });
  return client;
}

export const testFirestoreFactory: FirestoreFactory = async () => testFirestore();

/** Deletes every document of this worker's project (the emulator's DELETE endpoint). */
export function resetTestFirestore(): Promise<void> {
  return resetFirestore(firestoreHost(), TEST_PROJECT);
}

/**
 * This test worker's own settings for a process a test starts with an environment of its own
 * (not inheriting process.env): its Firestore project and, under the test setup, its data
 * folder. Spread them into that environment so the process works on this worker's data.
 */
export function testWorkerEnv(): Record<string, string> {
  const env: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: TEST_PROJECT,
    [TEST_PROJECT_ENV]: TEST_PROJECT,
  };
  if (process.env.DFF_DATA_DIR) env.DFF_DATA_DIR = process.env.DFF_DATA_DIR;
  return env;
}
