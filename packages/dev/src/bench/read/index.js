// The benchmark's second baseline: a bare functions-framework function doing one Firestore read
// with the official client in its default settings (it finds the emulator through
// FIRESTORE_EMULATOR_HOST and the project through GOOGLE_CLOUD_PROJECT, as the client documents).
// The universe domain is stated only so the auth library never probes a metadata server: the
// benchmark sends nothing beyond loopback.
const { http } = require('@google-cloud/functions-framework');
const { Firestore } = require('@google-cloud/firestore');

const db = new Firestore({ universeDomain: 'googleapis.com' });

http('read', async (req, res) => {
  const id = String(req.body?.queryResult?.parameters?.order_id ?? '');
  const snap = await db.collection('orders').doc(id).get();
  const status = snap.exists ? snap.get('status') : 'not found';
  res.status(200).json({ fulfillmentText: `Order ${id}: ${status}` });
});
