import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  copyInstalled,
  generator,
  readPackage,
  run,
  sharedMinimalProject,
  sharedPacks,
  tempDir,
  userEnv,
} from './helpers/project';

/*
 * `npm run pack`, then `npm run scaffold -- DIR` (minimal template, both editions) as a user
 * runs them, `npm install` from the tarballs, and the new project's own `npm test`: its type
 * check, its vitest tests and its conversations through the Dialogflow stand-in (ES and CX).
 * The scaffold and the install are the run's one minimal project (sharedMinimalProject: the
 * start and upgrade tests use it too); this file runs in a copy of its own.
 */

const temp = tempDir('scaffold-minimal');
const dir = join(temp.dir, 'coffee-bot');
afterAll(() => temp.cleanup());

let packs: Record<string, string>;

beforeAll(async () => {
  packs = (await sharedPacks()).packs;
  copyInstalled(await sharedMinimalProject(), dir);
}, 600_000);

describe('a scaffolded minimal project', () => {
  it('depends on the packed tarballs', () => {
    const { dependencies, devDependencies } = readPackage(dir);
    expect(dependencies!['@dialogflow-functions/core']).toMatch(
      /^file:.*dialogflow-functions-core-.*\.tgz$/,
    );
    expect(devDependencies!['@dialogflow-functions/dev']).toMatch(/^file:.*\.tgz$/);
    for (const name of Object.values(generator.PACKAGES)) {
      expect(readPackage(dir, name).version, name).toBe(generator.frameworkVersion());
    }
  });

  it(
    'passes its own npm test (type check, tests, conversations in ES and CX)',
    { timeout: 600_000 },
    async () => {
      // The run's Firestore emulator: the project's conversations use it instead of starting one.
      const test = await run(
        'npm',
        ['test'],
        dir,
        userEnv({ FIRESTORE_EMULATOR_HOST: inject('firestoreHost') }),
      );
      expect(test.code, test.output).toBe(0);
      expect(test.output).toMatch(/Tests\s+9 passed/);
      expect(test.output).toContain(
        '✓ ES coffee.yaml › an order with a number of cups is brewed by the worker',
      );
      expect(test.output).toContain(
        '✓ CX coffee.yaml › an order with a number of cups is brewed by the worker',
      );
      expect(test.output).toContain('8 passed, 0 failed');
    },
  );

  it('npm create from the packed create-dialogflow-functions makes what the generator makes', async () => {
    const tarball = packs['create-dialogflow-functions']!;
    const made = await run(
      'npm',
      [
        'exec',
        '--yes',
        `--package=${tarball}`,
        '--',
        'create-dialogflow-functions',
        'packed-bot',
        '--template',
        'restaurant',
        '--edition',
        'cx',
      ],
      temp.dir,
    );
    expect(made.code, made.output).toBe(0);
    expect(made.output).toContain('Made packed-bot');
    const reference = generator.create({
      dir: join(temp.dir, 'reference', 'packed-bot'),
      template: 'restaurant',
      edition: 'cx',
    });
    expect(generator.listFiles(join(temp.dir, 'packed-bot'))).toEqual(reference.files);
    expect(
      readPackage(join(temp.dir, 'packed-bot')).dependencies!['@dialogflow-functions/core'],
    ).toBe(`^${generator.frameworkVersion()}`);
  });
});
