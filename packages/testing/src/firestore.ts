import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { inject } from 'vitest';
import type { FirestoreFactory } from '@dialogflow-functions/core/firestore';
import { resetFirestore } from './firestore-emulator';

export const TEST_PROJECT = 'demo-local';

/** The emulator of this test run. */
export function firestoreHost(): string {
  return inject('firestoreHost');
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
