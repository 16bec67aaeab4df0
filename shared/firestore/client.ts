import type { Firestore, Settings } from '@google-cloud/firestore';
import { lazyAsync } from '../lazy';

/**
 * Client settings for an emulator: plain gRPC, and the universe domain stated so the auth
 * library never probes the GCE metadata server (which would send traffic off this machine).
 */
export function emulatorSettings(host: string): Settings {
  return { host, ssl: false, universeDomain: 'googleapis.com' } as Settings;
}

/**
 * {@link emulatorSettings} for the REST transport (`preferRest`). The REST client asks
 * google-auth-library for credentials even for an emulator and fails without any
 * (googleapis/nodejs-firestore#1811), so it is given the emulator's own: the `owner` token the
 * gRPC transport sends as a header. The token never expires, so nothing is ever refreshed.
 */
export async function emulatorRestSettings(host: string): Promise<Settings> {
  const { OAuth2Client } = await import('google-auth-library');
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'owner' });
  return { ...emulatorSettings(host), authClient } as Settings;
}

export type FirestoreFactory = () => Promise<Firestore>;

/** How a client talks to Firestore: see {@link lazyFirestore}. */
export type FirestoreTransport = 'rest' | 'grpc';

/**
 * One Firestore client per process and transport, created on first use and kept for later
 * invocations. The import alone costs hundreds of milliseconds of cold start, so requests that
 * never touch Firestore (welcome, fallback) never pay it.
 *
 * The functions use `grpc` (the default). `rest` is the client's `preferRest` option, documented
 * as faster for a cold start; measured here (`npm run bench`, Node 22) it was not faster cold
 * (0.97× against 0.92× of the bare one-read function) and far slower warm (0.57× against 0.97×
 * the bare function's reads per second). It also loses the gRPC error codes: a `create()`
 * conflict and an aborted transaction both come back as HTTP 409, so a deferral could not tell
 * a retried turn from a failure and contended transactions are not retried
 * (firebase-admin-node#2587; `test/firestore-client.test.ts` shows it). With an emulator host
 * the client talks plain gRPC (or HTTP) with the emulator's credentials.
 */
export function lazyFirestore(options: {
  projectId: string;
  emulatorHost: string | undefined;
  transport?: FirestoreTransport;
}): FirestoreFactory {
  const rest = options.transport === 'rest';
  return lazyAsync(async () => {
    const [{ Firestore }, emulator] = await Promise.all([
      import('@google-cloud/firestore'),
      options.emulatorHost
        ? rest
          ? emulatorRestSettings(options.emulatorHost)
          : emulatorSettings(options.emulatorHost)
        : undefined,
    ]);
    return new Firestore({
      projectId: options.projectId,
      ...(rest ? { preferRest: true } : {}),
      ...emulator,
      ignoreUndefinedProperties: true,
    });
  });
}
