import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The stand-in's model cache (dialogflow-stand-in/model-cache.ts): a process that finds the
 * classifiers another one trained from the same phrases reads them instead of training, and
 * classifies every text exactly as the trained ones do (same intents, same scores). A damaged
 * file is trained again and replaced; DFF_NLU_CACHE_DIR=off trains and writes nothing. Each run
 * is a process of its own (the fixture classify-texts.ts), as `npm start` and `dff converse` are.
 */

const AGENT = join(__dirname, 'fixtures', 'small-bot', 'agent');
const SCRIPT = join(__dirname, 'fixtures', 'classify-texts.ts');
/** tsx's loader (its package's main export), by path: a child may run in a folder with no node_modules. */
const TSX = pathToFileURL(createRequire(__filename).resolve('tsx')).href;
const TEXTS = [
  'hi',
  'hello there',
  'good morning to you',
  '你好',
  '早安',
  'book me a flight',
  'zzz',
];
const temp = mkdtempSync(join(tmpdir(), 'nlu-cache-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Run {
  stats: { trained: number; cached: number };
  results: Record<string, [string, { intent: string; score: number }[]][]>;
}

const classify = (cacheDir: string, cwd = process.cwd()) =>
  new Promise<Run>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=dff-source', '--import', TSX, SCRIPT, AGENT, ...TEXTS],
      { env: { ...process.env, DFF_NLU_CACHE_DIR: cacheDir }, encoding: 'utf8', cwd },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Run);
      },
    );
  });

describe("the stand-in's model cache", () => {
  const dir = join(temp, 'nlu');
  let trained: Run;

  it('a first start trains each language once (the ES and CX exports share them) and keeps them', async () => {
    trained = await classify(dir);
    expect(trained.stats).toEqual({ trained: 2, cached: 0 });
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
    expect(Object.keys(trained.results).sort()).toEqual(['cx en', 'cx zh-tw', 'es en', 'es zh-tw']);
    // What the fixture agent says: the welcome is understood (so the comparison below is of real models).
    expect(trained.results['es en']![0]![1][0]!.intent).toBe('Default Welcome Intent');
    expect(trained.results['es zh-tw']![3]![1][0]!.intent).toBe('Default Welcome Intent');
  });

  it('the next start reads them, and classifies every text exactly as the trained ones', async () => {
    const cached = await classify(dir);
    expect(cached.stats).toEqual({ trained: 0, cached: 2 });
    expect(cached.results).toEqual(trained.results);
  });

  it('a damaged file is trained again and replaced', async () => {
    const [first] = readdirSync(dir).filter((f) => f.endsWith('.json'));
    writeFileSync(join(dir, first!), '{"key": "');
    const again = await classify(dir);
    expect(again.stats).toEqual({ trained: 1, cached: 1 });
    expect(again.results).toEqual(trained.results);
    // Replaced by the model trained again: a whole file under its key.
    expect(JSON.parse(readFileSync(join(dir, first!), 'utf8'))).toMatchObject({
      key: first!.replace(/\.json$/, ''),
      model: { neuralNetwork: { perceptrons: expect.any(Array) } },
    });
  });

  it('DFF_NLU_CACHE_DIR=off trains every time and writes nothing', async () => {
    const kept = () => readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs] as const);
    const before = kept();
    // Run in temp: were `off` taken for a folder, it would be written there.
    const off = await classify('off', temp);
    expect(off.stats).toEqual({ trained: 2, cached: 0 });
    expect(off.results).toEqual(trained.results);
    expect(readdirSync(temp)).toEqual(['nlu']);
    expect(kept()).toEqual(before);
  });
});
