import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
/** The repository root. */
const ROOT = join(__dirname, '..');

/*
 * The README is the front door: its worked examples are the files the test suite compiles and
 * runs, its command table names every npm script, its configuration table every variable.
 */
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the README', () => {
  const examples = [...readme.matchAll(/<!-- example: (\S+) -->\n+```ts\n([\s\S]*?)\n```/g)];

  it('has the worked examples (an intent, its test, a job type)', () => {
    expect(examples.map((m) => m[1])).toEqual(
      expect.arrayContaining([
        'test/examples/opening-hours.ts',
        'test/examples/opening-hours.test.ts',
        'test/examples/tally-job.ts',
      ]),
    );
  });

  it.each(examples.map((m) => [m[1]!, m[2]!]))(
    'shows %s exactly as it is compiled and tested',
    (file, code) => {
      expect(code.trim()).toBe(readFileSync(join(ROOT, file), 'utf8').trim());
    },
  );

  it('lists every npm script', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts,
    );
    const missing = scripts.filter(
      (name) => !readme.includes(`npm run ${name}`) && !readme.includes(`npm ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents every configuration variable', () => {
    const source = readFileSync(join(ROOT, 'shared', 'config.ts'), 'utf8');
    const start = source.indexOf('const EnvSchema');
    const schema = source.slice(start, source.indexOf('\n});', start));
    const variables = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    expect(variables.length).toBeGreaterThan(20);
    expect(variables.filter((v) => !readme.includes(v))).toEqual([]);
  });
});
