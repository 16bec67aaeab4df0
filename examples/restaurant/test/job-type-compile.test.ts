import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * Adding a job type is one module, one registry line and the catalogue keys it uses; forgetting
 * any of them must not compile. Each fixture is compiled with the project's tsconfig.
 */

/** The repository root (its tsconfig.json type-checks every workspace) and this project. */
const ROOT = join(__dirname, '..', '..', '..');
const PROJECT = join(__dirname, '..');
const DIR = join(PROJECT, 'test', '.compile-fixtures');

const fixtures = new Map<string, string>();
let diagnostics: Map<string, string[]> | undefined;

/** Registers a fixture; all of them are compiled together, once, on the first result asked for. */
function fixture(name: string, source: string): () => string[] {
  fixtures.set(name, source);
  return () => {
    diagnostics ??= compileAll();
    return diagnostics.get(name) ?? [];
  };
}

function compileAll(): Map<string, string[]> {
  mkdirSync(DIR, { recursive: true });
  const files = new Map<string, string>();
  for (const [name, source] of fixtures) {
    const file = join(DIR, `${name}.ts`);
    writeFileSync(file, source);
    files.set(file, name);
  }
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram({
    rootNames: [...files.keys(), join(PROJECT, 'src', 'jobs', 'index.ts')],
    options: { ...parsed.options, noEmit: true },
  });
  const result = new Map<string, string[]>();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file && files.get(d.file.fileName);
    if (!name) continue;
    result.set(name, [
      ...(result.get(name) ?? []),
      ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    ]);
  }
  return result;
}

const HEADER = `
import { z } from 'zod';
import { defineJob } from '@dialogflow-functions/core/jobs';
import type { TurnContext } from '@dialogflow-functions/core/conversation';
import type { Messages } from '@dialogflow-functions/core/messages';
`;

const COMPLETE = `
export const ping = defineJob({
  type: 'ping',
  request: z.strictObject({ host: z.string() }),
  result: z.strictObject({ ok: z.boolean() }),
  validate: () => undefined,
  explain: (_refusal, t) => t.apology,
  async run() {
    return { result: { ok: true } };
  },
  describe: (view, t) => (view.status === 'succeeded' ? t.welcome : t.stillWorking),
  notifies: 'all',
});
`;

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('a job type that forgets a part does not compile', () => {
  const complete = fixture('complete', HEADER + COMPLETE);
  // One compilation of every fixture, on the first test: seconds, more on a busy machine.
  it('a complete job type compiles (the control)', { timeout: 180_000 }, () => {
    expect(complete()).toEqual([]);
  });

  const forgotten = [
    ['its describe', 'describe'],
    ['its explain', 'explain'],
    ['its effect', 'run'],
    ['its result schema', 'result'],
    ['which notifications it sends', 'notifies'],
  ].map(([what, member]) => {
    const source = COMPLETE.replace(
      new RegExp(`\\n  (async )?${member}[(:][^\\n]*(\\n    [^\\n]*\\n  \\},)?`),
      '\n',
    );
    return [what!, member!, source, fixture(`no-${member}`, HEADER + source)] as const;
  });
  it.each(forgotten)('forgetting %s', (_what, member, source, errors) => {
    expect(source).not.toBe(COMPLETE);
    expect(errors().join('\n')).toMatch(new RegExp(`'${member}'`));
  });

  const wrongResult = fixture(
    'wrong-result',
    HEADER + COMPLETE.replace('{ result: { ok: true } }', "{ result: { ok: 'yes' } }"),
  );
  it('an effect returning a result of the wrong shape', () => {
    expect(wrongResult().length).toBeGreaterThan(0);
  });

  const unregistered = fixture(
    'unregistered',
    `${HEADER}
export async function handler(ctx: TurnContext) {
  await ctx.defer({ type: 'ping', request: { host: 'x' } });
}`,
  );
  it('deferring a job type that is not in the registry', () => {
    expect(unregistered().join('\n')).toMatch(/"ping"/);
  });

  const badRequest = fixture(
    'bad-request',
    `${HEADER}
export async function handler(ctx: TurnContext) {
  await ctx.defer({ type: 'watch_order', request: { order: 1002 } });
}`,
  );
  it('deferring a registered type with a request of the wrong shape', () => {
    expect(badRequest().length).toBeGreaterThan(0);
  });

  const catalogue = fixture(
    'catalogue',
    `${HEADER}
import { messagesFor } from '../../src/messages';
const en = messagesFor('en');
const { watchOrderShipped: _dropped, ...rest } = en;
export const xx: Messages = rest;`,
  );
  it('a language catalogue missing a key a job type uses', () => {
    expect(catalogue().join('\n')).toMatch(/watchOrderShipped/);
  });
});
