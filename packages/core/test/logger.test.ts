import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';

const ROOT = join(__dirname, '..');

/** Runs `code` in a fresh Node with the logger loaded; returns its stdout lines. */
function run(code: string): string[] {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '-e', `const { createLogger } = require('./src/logger');\n${code}`],
    { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('logger', () => {
  it('writes one JSON line per entry with every field, undefined ones left out', () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), fields: { a: 1, b: 'x' } });
    log.child({ b: 'y', c: undefined, d: null }).info('hello', { e: true });
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(entry)).toEqual(['severity', 'message', 'a', 'b', 'd', 'e', 'time']);
    expect(entry).toMatchObject({ severity: 'INFO', message: 'hello', a: 1, b: 'y', e: true });
    expect(entry.d).toBeNull();
  });

  it('stdout: lines written in batches reach stdout in order, also on an immediate exit', () => {
    const lines = run(
      `const log = createLogger();
       for (let i = 0; i < 3; i++) log.info('line ' + i);
       process.exit(0);`,
    );
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual([
      'line 0',
      'line 1',
      'line 2',
    ]);
  });

  it('stdout: a burst over the batch size and later lines all arrive, once each', () => {
    const lines = run(
      `const log = createLogger();
       for (let i = 0; i < 2000; i++) log.info('burst ' + i, { pad: 'x'.repeat(100) });
       setTimeout(() => log.warn('later'), 5);`,
    );
    expect(lines).toHaveLength(2001);
    expect(JSON.parse(lines[1999]!)).toMatchObject({ message: 'burst 1999' });
    expect(JSON.parse(lines[2000]!)).toMatchObject({ message: 'later', severity: 'WARNING' });
  });
});
