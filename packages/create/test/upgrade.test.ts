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
  tempDir,
  userEnv,
} from './helpers/project';

/*
 * An upgrade: a project made with the tarballs of version X (the repository's), then every
 * package packed again as the next patch release X+1 and installed in its place. The bot's
 * tests pass on X+1 with none of its files touched (only package.json's dependencies and the
 * lock change: that is the install). The project of version X is a copy of the run's one minimal
 * project (sharedMinimalProject: the minimal template, both editions, installed from the packs).
 */

const temp = tempDir('upgrade');
const dir = join(temp.dir, 'coffee-bot');
const version = generator.frameworkVersion();
const next = version.replace(/\d+$/, (patch) => String(Number(patch) + 1));
let before: Map<string, string>;
afterAll(() => temp.cleanup());

const npmTest = () =>
  run('npm', ['test'], dir, userEnv({ FIRESTORE_EMULATOR_HOST: inject('firestoreHost') }));
const installed = (name: string) => readPackage(dir, name).version;

beforeAll(async () => {
  copyInstalled(await sharedMinimalProject(), dir);
  before = fingerprint(dir);
}, 600_000);

describe(`an upgrade from ${version} to ${next}`, () => {
  it('the bot passes its tests on both, its files untouched', { timeout: 900_000 }, async () => {
    const first = await npmTest();
    expect(first.code, first.output).toBe(0);
    expect(installed('@dialogflow-functions/core')).toBe(version);

    const packs = pack(join(temp.dir, 'packs-x1'), next);
    const file = join(dir, 'package.json');
    const pkg = readPackage(dir);
    for (const deps of [pkg.dependencies!, pkg.devDependencies!]) {
      for (const name of Object.keys(deps)) if (packs[name]) deps[name] = `file:${packs[name]}`;
    }
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
    await npmInstall(dir);
    for (const name of Object.values(generator.PACKAGES)) expect(installed(name), name).toBe(next);

    const second = await npmTest();
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('8 passed, 0 failed');
    expect(fingerprint(dir)).toEqual(before);
  });
});
