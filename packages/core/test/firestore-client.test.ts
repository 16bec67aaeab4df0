import { Firestore, type Settings } from '@google-cloud/firestore';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, describe, expect, it } from 'vitest';
import { emulatorSettings, lazyFirestore } from '../src/firestore';
import {
  firestoreHost,
  testFirestore,
  TEST_PROJECT,
} from '@dialogflow-functions/testing/firestore';

/*
 * Why the functions' client talks gRPC and not REST (`preferRest`): see lazyFirestore. The REST
 * client here asks google-auth-library for credentials even for an emulator and fails without
 * any (googleapis/nodejs-firestore#1811), so it is given the emulator's own `owner` token.
 */
function restClient(): Firestore {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'owner' });
  return new Firestore({
    projectId: TEST_PROJECT,
    preferRest: true,
    ...emulatorSettings(firestoreHost()),
    authClient,
  } as Settings);
}

describe('lazyFirestore', () => {
  const rest = restClient();
  const grpc = lazyFirestore({ projectId: TEST_PROJECT, emulatorHost: firestoreHost() });
  const preferRest = (db: Firestore) =>
    (db as unknown as { _settings: { preferRest?: boolean } })._settings.preferRest;

  afterAll(async () => {
    await rest.terminate();
    await (await grpc()).terminate();
  });

  it('a REST client reads with the emulator credentials (nodejs-firestore#1811)', async () => {
    expect(preferRest(rest)).toBe(true);
    await testFirestore()
      .doc('orders/rest-check')
      .set({ status: 'shipped', deliveryDate: '2030-01-02' });
    const snap = await rest.doc('orders/rest-check').get();
    expect(snap.data()).toEqual({ status: 'shipped', deliveryDate: '2030-01-02' });
    expect((await rest.doc('orders/none').get()).exists).toBe(false);
  });

  it('writes over gRPC: a create conflict is ALREADY_EXISTS (6), which REST reports as HTTP 409', async () => {
    expect(preferRest(await grpc())).toBeUndefined();
    const ref = 'jobs/conflict-check';
    await testFirestore().doc(ref).set({ v: 1 });
    const codeOf = async (db: Firestore) =>
      (await db
        .doc(ref)
        .create({ v: 2 })
        .catch((e: { code?: unknown }) => e)) as { code?: unknown };
    expect((await codeOf(await grpc())).code).toBe(6);
    // Why deferrals and the worker do not use REST: the gRPC code is lost (ABORTED is 409 too).
    expect((await codeOf(rest)).code).toBe(409);
  });

  it('is one client per process', async () => {
    expect(await grpc()).toBe(await grpc());
  });
});
