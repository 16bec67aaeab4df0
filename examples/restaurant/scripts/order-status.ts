/*
 * `npm run order-status -- <orderId> <status> [deliveryDate]`: changes a demo order in the
 * local Firestore emulator of the running stack, found as `npm run seed` finds it
 * (FIRESTORE_EMULATOR_HOST, else the stack `npm start` recorded in .data/, with its project), e.g. to see a `watch_order` job notice that order 1002 has shipped.
 */
import { Firestore } from '@google-cloud/firestore';
import { ORDERS } from '../src/documents';
import { parseConfig } from '@dialogflow-functions/core/config';
import { emulatorSettings, isSafeDocumentId } from '@dialogflow-functions/core/firestore';
import { findStackFirestore } from '@dialogflow-functions/dev/lib/stack-file';

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
  const stack = findStackFirestore(config);
  if (stack.host === undefined) {
    console.error(stack.why);
    process.exit(1);
  }
  const { host, projectId } = stack;
  const db = new Firestore({ projectId, ...emulatorSettings(host) });
  try {
    const ref = db.collection(ORDERS).doc(orderId);
    const existing = await ref.get();
    if (!existing.exists && !deliveryDate) {
      console.error(`orders/${orderId} does not exist: give a delivery date to create it.`);
      process.exit(1);
    }
    await ref.set({ status, ...(deliveryDate ? { deliveryDate } : {}) }, { merge: true });
    console.log(`orders/${orderId} is now ${status} (emulator ${host}, project ${projectId})`);
  } finally {
    await db.terminate();
  }
}

void main();
