import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import type { FirestoreFactory } from '@dialogflow-functions/core/firestore';
import { resetFirestore } from './firestore-emulator';

export const TEST_PROJECT = 'demo-local';

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

/** Deletes every document (the emulator's DELETE endpoint). */
export function resetTestFirestore(): Promise<void> {
  return resetFirestore(firestoreHost(), TEST_PROJECT);
}
