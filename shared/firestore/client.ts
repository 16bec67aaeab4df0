import type { Firestore, Settings } from '@google-cloud/firestore';
import { lazyAsync } from '../lazy';

/**
 * Client settings for an emulator: plain gRPC, and the universe domain stated so the auth
 * library never probes the GCE metadata server (which would send traffic off this machine).
 */
export function emulatorSettings(host: string): Settings {
  return { host, ssl: false, universeDomain: 'googleapis.com' } as Settings;
}

export type FirestoreFactory = () => Promise<Firestore>;

/**
 * One Firestore client per process, created on first use and kept for later invocations.
 * The import alone costs hundreds of milliseconds of cold start, so requests that never touch
 * Firestore (welcome, fallback) never pay it. With an emulator host the connection is plain
 * gRPC with the emulator's owner credentials.
 */
export function lazyFirestore(options: {
  projectId: string;
  emulatorHost: string | undefined;
}): FirestoreFactory {
  return lazyAsync(() =>
    import('@google-cloud/firestore').then(
      ({ Firestore }) =>
        new Firestore({
          projectId: options.projectId,
          ...(options.emulatorHost ? emulatorSettings(options.emulatorHost) : {}),
          ignoreUndefinedProperties: true,
        }),
    ),
  );
}
