import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { startFirestoreEmulator } from '../scripts/lib/firestore-emulator';
import { freePort, type Service } from '../scripts/lib/processes';

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
  let service: Service | undefined;
  let host = process.env.FIRESTORE_EMULATOR_HOST;
  if (!host) {
    const port = await freePort();
    service = await startFirestoreEmulator({ port, timeoutMs: 90_000 });
    host = `127.0.0.1:${port}`;
  }
  project.provide('firestoreHost', host);
  return async () => {
    await service?.stop();
  };
}
