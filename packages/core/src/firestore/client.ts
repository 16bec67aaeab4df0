import type { Firestore, Settings } from '@google-cloud/firestore';
import { lazyAsync } from '../lazy';
import { firestoreModule } from './load';

/**
 * Client settings for an emulator: plain gRPC, and the universe domain stated so the auth
 * library never probes the GCE metadata server (which would send traffic off this machine).
 */
export function emulatorSettings(host: string): Settings {
  return { host, ssl: false, universeDomain: 'googleapis.com' } as Settings;
}

export type FirestoreFactory = () => Promise<Firestore>;

/**
 * One Firestore client per process, created on first use and kept for later invocations. The
 * import alone costs hundreds of milliseconds of cold start, so requests that never touch
 * Firestore (welcome, fallback) never pay it.
 *
 * It talks gRPC. The client's `preferRest` option is documented as faster for a cold start;
 * measured here (`npm run bench`, Node 22) it was not faster cold (0.97× against 0.92× of the
 * bare one-read function) and far slower warm (0.57× against 0.97× the bare function's reads
 * per second). It also loses the gRPC error codes: a `create()` conflict and an aborted
 * transaction both come back as HTTP 409, so a deferral could not tell a retried turn from a
 * failure and contended transactions are not retried (firebase-admin-node#2587;
 * `test/firestore-client.test.ts` shows it). With an emulator host the client talks plain
 * gRPC to it.
 */
export function lazyFirestore(options: {
  projectId: string;
  emulatorHost: string | undefined;
}): FirestoreFactory {
  return lazyAsync(async () => {
    const { Firestore } = firestoreModule();
    return new Firestore({
      projectId: options.projectId,
      ...(options.emulatorHost ? emulatorSettings(options.emulatorHost) : {}),
      ignoreUndefinedProperties: true,
    });
  });
}
