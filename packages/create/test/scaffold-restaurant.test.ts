import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  copyInstalled,
  npmInstall,
  run,
  sharedMinimalProject,
  sharedPacks,
  tempDir,
  userEnv,
} from './helpers/project';

/*
 * The restaurant template scaffolded from the packed tarballs, installed, and its own
 * `npm test`: the example's bot outside the repository, its conversations in ES and CX.
 * `npm install` starts from the node_modules of the run's minimal project (the same packages
 * from the same tarballs, linked: sharedMinimalProject), so it installs what the restaurant
 * adds (mysql2) and reconciles the rest, instead of extracting every package again.
 */

const REPO = join(__dirname, '..', '..', '..');
const temp = tempDir('scaffold-restaurant');
const dir = join(temp.dir, 'restaurant-bot');
afterAll(() => temp.cleanup());

beforeAll(async () => {
  const shared = await sharedPacks();
  const made = await run(
    'npm',
    ['run', 'scaffold', '--', dir, '--template', 'restaurant'],
    REPO,
    userEnv({ PACKS_DIR: shared.dir }),
  );
  expect(made.code, made.output).toBe(0);
  copyInstalled(await sharedMinimalProject(), dir, true);
  await npmInstall(dir);
}, 600_000);

describe('a scaffolded restaurant project', () => {
  it(
    'passes its own npm test (type check, tests, conversations in ES and CX)',
    { timeout: 900_000 },
    async () => {
      const test = await run(
        'npm',
        ['test'],
        dir,
        userEnv({ FIRESTORE_EMULATOR_HOST: inject('firestoreHost') }),
      );
      expect(test.code, test.output).toBe(0);
      expect(test.output).toMatch(/Test Files\s+2 passed/);
      expect(test.output).toMatch(/✓ ES greetings\.yaml/);
      expect(test.output).toMatch(/✓ CX reservations\.yaml/);
      expect(test.output).toMatch(/\d+ passed, 0 failed/);
    },
  );
});
