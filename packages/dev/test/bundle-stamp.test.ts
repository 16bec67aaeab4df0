import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_TARGETS } from '@dialogflow-functions/core/target';
import { bundleFunctions } from '@dialogflow-functions/dev/lib/bundle';
import { dataDir } from '@dialogflow-functions/dev/project';

/*
 * `dff build` bundles a function again only when its bundle is out of date (dist/bundle/
 * <target>.stamp: content hashes of what esbuild read, the settings, the bundle's files), so an
 * `npm start` after `npm run build` bundles nothing while one after an edit bundles the edit.
 * A small project in this worker's data folder (inside the repository, so zod, an inlined
 * package, resolves from it).
 */

let dir: string;
let unregister: (() => unknown) | undefined;
const entry = (word: string) =>
  `import * as z from 'zod';\nexport const said = z.string().parse('${word}:' + process.env.DFF_BUNDLED_TARGET);\n`;
const bundle = (target: string) =>
  readFileSync(join(dir, 'dist', 'bundle', `${target}.js`), 'utf8');

beforeAll(async () => {
  // The bundler requires core's target list as dff does, under tsx (core's sources here).
  const tsx = (await import('tsx/cjs/api')) as { register: () => () => unknown };
  unregister = tsx.register();
  mkdirSync(dataDir(), { recursive: true });
  dir = mkdtempSync(join(dataDir(), 'bundle-stamp-'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "stamp-probe", "main": "dist/main.js" }\n');
  writeFileSync(join(dir, 'index.ts'), entry('first'));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'index.js'), "'use strict';\n"); // tsc's output (not read here)
});
afterAll(() => {
  unregister?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('dff build: a bundle is built again only when it is out of date', () => {
  it('builds every bundle the first time, then none while nothing it read has changed', async () => {
    const first = await bundleFunctions(dir);
    expect(first.built).toEqual([...FUNCTION_TARGETS]);
    for (const target of FUNCTION_TARGETS) expect(bundle(target)).toContain('first:');
    const again = await bundleFunctions(dir);
    expect(again.built).toEqual([]);
    expect(again.bundles).toEqual(first.bundles);
  });

  it('a file saved without a change is still up to date (content, not times)', async () => {
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'index.ts'), later, later);
    expect((await bundleFunctions(dir)).built).toEqual([]);
  });

  it('an edited source bundles every function that reads it, with the edit', async () => {
    writeFileSync(join(dir, 'index.ts'), entry('second'));
    expect((await bundleFunctions(dir)).built).toEqual([...FUNCTION_TARGETS]);
    for (const target of FUNCTION_TARGETS) {
      expect(bundle(target)).toContain('second:');
      expect(bundle(target)).not.toContain('first:');
    }
    expect((await bundleFunctions(dir)).built).toEqual([]);
  });

  it('a bundle removed or changed by hand is built again, alone', async () => {
    const [one, two] = FUNCTION_TARGETS;
    rmSync(join(dir, 'dist', 'bundle', `${one}.js`));
    writeFileSync(join(dir, 'dist', 'bundle', `${two}.js.map`), '{}');
    expect((await bundleFunctions(dir)).built).toEqual([one, two]);
    expect(bundle(one!)).toContain('second:');
  });

  it('a changed setting (the project manifest) bundles every function again', async () => {
    writeFileSync(
      join(dir, 'package.json'),
      '{ "name": "stamp-probe", "main": "dist/main.js", "version": "0.0.2" }\n',
    );
    expect((await bundleFunctions(dir)).built).toEqual([...FUNCTION_TARGETS]);
  });
});
