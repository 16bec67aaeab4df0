/*
 * `npm run order-status -- <orderId> <status> [deliveryDate]`: changes a demo order in the
 * local Firestore emulator (FIRESTORE_EMULATOR_HOST, as `npm start` prints it, or the seeded
 * default), e.g. to see a `watch_order` job notice that order 1002 has shipped.
 */
import { Firestore } from '@google-cloud/firestore';
import { ORDERS } from '../src/documents';
import { parseConfig } from '@dialogflow-functions/core/config';
import { emulatorSettings, isSafeDocumentId } from '@dialogflow-functions/core/firestore';
import { readStackFile } from '@dialogflow-functions/dev/lib/stack-file';

async function main(): Promise<void> {
  const [orderId, status, deliveryDate] = process.argv.slice(2);
  if (!orderId || !status || !isSafeDocumentId(orderId)) {
    console.error('usage: npm run order-status -- <orderId> <status> [YYYY-MM-DD]');
    process.exit(2);
  }
  if (deliveryDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(deliveryDate)) {
    console.error('the delivery date must be YYYY-MM-DD');
    process.exit(2);
  }
  const config = parseConfig();
  const host = config.firestore.emulatorHost ?? readStackFile(config.ports.webhook)?.firestore;
  if (!host) {
    console.error(
      'No Firestore emulator found: start the stack (npm start) or set FIRESTORE_EMULATOR_HOST.',
    );
    process.exit(1);
  }
  const db = new Firestore({ projectId: config.projectId, ...emulatorSettings(host) });
  try {
    const ref = db.collection(ORDERS).doc(orderId);
    const existing = await ref.get();
    if (!existing.exists && !deliveryDate) {
      console.error(`orders/${orderId} does not exist: give a delivery date to create it.`);
      process.exit(1);
    }
    await ref.set({ status, ...(deliveryDate ? { deliveryDate } : {}) }, { merge: true });
    console.log(`orders/${orderId} is now ${status} (emulator ${host})`);
  } finally {
    await db.terminate();
  }
}

void main();
