import { afterAll, describe, expect, it } from 'vitest';
import { lazyFirestore } from '../shared/firestore';
import { firestoreHost, testFirestore, TEST_PROJECT } from './helpers/firestore';

describe('lazyFirestore', () => {
  const rest = lazyFirestore({
    projectId: TEST_PROJECT,
    emulatorHost: firestoreHost(),
    transport: 'rest',
  });
  const grpc = lazyFirestore({ projectId: TEST_PROJECT, emulatorHost: firestoreHost() });
  const transport = async (db: typeof rest) =>
    ((await db()) as unknown as { _settings: { preferRest?: boolean } })._settings.preferRest;

  afterAll(async () => {
    await (await rest()).terminate();
    await (await grpc()).terminate();
  });

  it('reads over REST with the emulator credentials (nodejs-firestore#1811)', async () => {
    expect(await transport(rest)).toBe(true);
    await testFirestore()
      .doc('orders/rest-check')
      .set({ status: 'shipped', deliveryDate: '2030-01-02' });
    const snap = await (await rest()).doc('orders/rest-check').get();
    expect(snap.data()).toEqual({ status: 'shipped', deliveryDate: '2030-01-02' });
    expect((await (await rest()).doc('orders/none').get()).exists).toBe(false);
  });

  it('writes over gRPC: a create conflict is ALREADY_EXISTS (6), which REST reports as HTTP 409', async () => {
    expect(await transport(grpc)).toBeUndefined();
    const ref = 'jobs/conflict-check';
    await testFirestore().doc(ref).set({ v: 1 });
    const codeOf = async (db: typeof rest) =>
      (await (
        await db()
      )
        .doc(ref)
        .create({ v: 2 })
        .catch((e: { code?: unknown }) => e)) as {
        code?: unknown;
      };
    expect((await codeOf(grpc)).code).toBe(6);
    // Why deferrals and the worker do not use REST: the gRPC code is lost (ABORTED is 409 too).
    expect((await codeOf(rest)).code).toBe(409);
  });

  it('is one client per process and transport', async () => {
    expect(await rest()).toBe(await rest());
    expect(await grpc()).toBe(await grpc());
    expect(await rest()).not.toBe(await grpc());
  });
});
