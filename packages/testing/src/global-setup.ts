import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { ensureFirestoreEmulator } from './firestore-emulator';
import type {} from 'vitest'; // types only (erased): the module the augmentation below extends

declare module 'vitest' {
  export interface ProvidedContext {
    firestoreHost: string;
  }
}

/**
 * One Firestore emulator per test run (Google's jar, started with java and stopped by PID),
 * unless FIRESTORE_EMULATOR_HOST names one already running. Tests reset it between cases.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { host, service } = await ensureFirestoreEmulator({
    host: process.env.FIRESTORE_EMULATOR_HOST,
    timeoutMs: 90_000,
  });
  project.provide('firestoreHost', host);
  // What firestoreHost() reads in the test workers (started after this, with this environment).
  process.env.DFF_TEST_FIRESTORE_HOST = host;
  return async () => {
    await service?.stop();
  };
}
