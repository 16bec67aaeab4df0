import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  copyInstalled,
  fingerprint,
  generator,
  npmInstall,
  pack,
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
 * start test uses it too); this file runs in a copy of its own.
 *
 * Then an upgrade of that same project: every package packed again as the next patch release
 * X+1 and installed in place of version X (the repository's). The bot's tests pass on X+1 with
 * none of its files touched (only package.json's dependencies and the lock change: that is the
 * install). Its `npm test` on X is the one above, so the project's tests run twice, not three
 * times.
 */

const temp = tempDir('scaffold-minimal');
const dir = join(temp.dir, 'coffee-bot');
const version = generator.frameworkVersion();
const next = version.replace(/\d+$/, (patch) => String(Number(patch) + 1));
afterAll(() => temp.cleanup());

let packs: Record<string, string>;
/** The project's files as scaffolded (package.json and the lock aside). */
let scaffolded: Map<string, string>;
/** Its `npm test` on version X ran and passed (the upgrade starts from there). */
let passedOnX = false;

const npmTest = () =>
  // The run's Firestore emulator: the project's conversations use it instead of starting one.
  run('npm', ['test'], dir, userEnv({ FIRESTORE_EMULATOR_HOST: inject('firestoreHost') }));

beforeAll(async () => {
  packs = (await sharedPacks()).packs;
  copyInstalled(await sharedMinimalProject(), dir);
  scaffolded = fingerprint(dir);
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
      const test = await npmTest();
      expect(test.code, test.output).toBe(0);
      expect(test.output).toMatch(/Tests\s+9 passed/);
      expect(test.output).toContain(
        '✓ ES coffee.yaml › an order with a number of cups is brewed by the worker',
      );
      expect(test.output).toContain(
        '✓ CX coffee.yaml › an order with a number of cups is brewed by the worker',
      );
      expect(test.output).toContain('8 passed, 0 failed');
      passedOnX = true;
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

describe(`an upgrade from ${version} to ${next}`, () => {
  it('the bot passes its tests on both, its files untouched', { timeout: 900_000 }, async () => {
    // On X: the test above, on this project (run here when that one was not: `-t upgrade`).
    if (!passedOnX) {
      const first = await npmTest();
      expect(first.code, first.output).toBe(0);
    }
    expect(readPackage(dir, '@dialogflow-functions/core').version).toBe(version);

    const nextPacks = pack(join(temp.dir, 'packs-x1'), next);
    const file = join(dir, 'package.json');
    const pkg = readPackage(dir);
    for (const deps of [pkg.dependencies!, pkg.devDependencies!]) {
      for (const name of Object.keys(deps)) {
        if (nextPacks[name]) deps[name] = `file:${nextPacks[name]}`;
      }
    }
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
    await npmInstall(dir);
    for (const name of Object.values(generator.PACKAGES)) {
      expect(readPackage(dir, name).version, name).toBe(next);
    }

    const second = await npmTest();
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('8 passed, 0 failed');
    expect(fingerprint(dir)).toEqual(scaffolded);
  });
});
