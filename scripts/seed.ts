/* `npm run seed`: writes the demo data into the Firestore emulator at FIRESTORE_EMULATOR_HOST. */
import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '../shared/firestore';
import { parseConfig } from '../shared/config';
import { seedDemoData } from './lib/seed-data';

async function main(): Promise<void> {
  const config = parseConfig();
  const host = config.firestore.emulatorHost;
  if (!host) {
    console.error(
      'FIRESTORE_EMULATOR_HOST is not set: seed writes to an emulator only (npm start sets it).',
    );
    process.exit(2);
  }
  const db = new Firestore({ projectId: config.projectId, ...emulatorSettings(host) });
  const count = await seedDemoData(db);
  await db.terminate();
  console.log(`Seeded ${count} demo documents into ${host} (project ${config.projectId}).`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
