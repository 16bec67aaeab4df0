import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  // Several projects of one run may list this setup: the first starts the emulator (and makes
  // the run's folder), the others use them.
  const shared = process.env.DFF_TEST_FIRESTORE_HOST;
  const { host, service } = await ensureFirestoreEmulator({
    host: process.env.FIRESTORE_EMULATOR_HOST ?? shared,
    timeoutMs: 90_000,
  });
  project.provide('firestoreHost', host);
  // What firestoreHost() reads in the test workers (started after this, with this environment).
  process.env.DFF_TEST_FIRESTORE_HOST = host;
  // A scratch folder for the whole run, which test files running at the same time can share
  // (e.g. packages built once for all of them), removed at the end.
  const runDir = process.env.DFF_TEST_RUN_DIR ?? mkdtempSync(join(tmpdir(), 'dff-test-run-'));
  const madeHere = !process.env.DFF_TEST_RUN_DIR;
  process.env.DFF_TEST_RUN_DIR = runDir;
  return async () => {
    await service?.stop();
    if (madeHere) rmSync(runDir, { recursive: true, force: true });
  };
}
