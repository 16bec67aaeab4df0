/* `npm run seed`: writes the demo data into the Firestore emulator at FIRESTORE_EMULATOR_HOST. */
import { parseConfig } from '../shared/config';
import { seedEmulator } from '../demo/seed-data';

async function main(): Promise<void> {
  const config = parseConfig();
  const host = config.firestore.emulatorHost;
  if (!host) {
    console.error(
      'FIRESTORE_EMULATOR_HOST is not set: seed writes to an emulator only (npm start sets it).',
    );
    process.exit(2);
  }
  const count = await seedEmulator(host, config.projectId);
  console.log(`Seeded ${count} demo documents into ${host} (project ${config.projectId}).`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
