import { afterAll, describe, expect, it } from 'vitest';
import { lazyFirestore } from '../shared/firestore';
import { firestoreHost, testFirestore, TEST_PROJECT } from './helpers/firestore';

describe('lazyFirestore', () => {
  const db = lazyFirestore({ projectId: TEST_PROJECT, emulatorHost: firestoreHost() });

  afterAll(async () => {
    await (await db()).terminate();
  });

  it('reads and writes over REST with the emulator credentials (nodejs-firestore#1811)', async () => {
    const client = await db();
    expect(
      (client as unknown as { _settings: { preferRest?: boolean } })._settings.preferRest,
    ).toBe(true);
    await testFirestore()
      .doc('orders/rest-check')
      .set({ status: 'shipped', deliveryDate: '2030-01-02' });
    const snap = await client.doc('orders/rest-check').get();
    expect(snap.data()).toEqual({ status: 'shipped', deliveryDate: '2030-01-02' });
    await client.doc('orders/rest-check').update({ status: 'delivered' });
    expect((await testFirestore().doc('orders/rest-check').get()).get('status')).toBe('delivered');
    await client.runTransaction(async (tx) => {
      const s = await tx.get(client.doc('orders/rest-check'));
      tx.update(s.ref, { status: 'returned' });
    });
    expect((await testFirestore().doc('orders/rest-check').get()).get('status')).toBe('returned');
    await client.doc('orders/rest-check').delete();
  });

  it('is one client per process', async () => {
    expect(await db()).toBe(await db());
  });
});
