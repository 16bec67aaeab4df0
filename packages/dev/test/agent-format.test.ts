import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@dialogflow-functions/core/config';
import { esFormat } from '../src/lib/agent/es-format';
import { agentFiles } from '../src/lib/agent/generate';
import { loadAgent } from '../src/lib/agent/load';
import { AGENT_ROOT, buildAgentZip } from '../src/lib/agent/package';
import { webhookAuthHeaders } from '../src/lib/agent/webhook-auth';
import { SYSTEM_ENTITIES } from '../src/dialogflow-stand-in/entities';
import { createZip } from '../src/lib/zip';
import { PROJECT, DFF } from './helpers/paths';
import { protoErrors } from '@dialogflow-functions/testing/proto-check';

const es = agentFiles('es', AGENT_ROOT);
const cx = agentFiles('cx', AGENT_ROOT);
const json = (files: Map<string, string>, path: string) =>
  JSON.parse(files.get(path) as string) as Record<string, unknown>;
const LANGUAGES = ['en', 'zh-tw', 'ja'];

describe('agent/es: the ES export format', () => {
  const strict = esFormat('strict');

  it('has agent.json (with en, zh-tw and ja) and package.json', () => {
    const agent = strict.agent.parse(json(es, 'agent.json'));
    expect([agent.language, ...agent.supportedLanguages]).toEqual(LANGUAGES);
    expect(agent.webhook.available).toBe(true);
    expect(strict.packageJson.parse(json(es, 'package.json')).version).toBe('1.0.0');
  });

  it('every file is one of the format’s files, with the format’s keys only', () => {
    for (const [path, text] of es) {
      const value: unknown = JSON.parse(text);
      if (path === 'agent.json' || path === 'package.json') continue;
      const schema = /^intents\/.+_usersays_[a-z-]+\.json$/.test(path)
        ? strict.usersays
        : /^intents\/[^/]+\.json$/.test(path)
          ? strict.intent
          : /^entities\/.+_entries_[a-z-]+\.json$/.test(path)
            ? strict.entries
            : /^entities\/[^/]+\.json$/.test(path)
              ? strict.entity
              : undefined;
      expect(schema, `unexpected file ${path}`).toBeDefined();
      const parsed = schema!.safeParse(value);
      expect(parsed.success, `${path}: ${JSON.stringify(parsed.error?.issues[0])}`).toBe(true);
    }
  });

  it('names files after their intent and entity, with training phrases in both languages', () => {
    const agent = loadAgent('es', es);
    for (const intent of agent.intents) {
      expect(es.has(`intents/${intent.name}.json`)).toBe(true);
      if (intent.fallback) continue;
      for (const lang of LANGUAGES) {
        expect(
          intent.phrases.filter((p) => p.language === lang).length,
          `${intent.name} ${lang}`,
        ).toBeGreaterThanOrEqual(3);
      }
    }
    for (const name of agent.entityTypes.keys()) {
      for (const lang of LANGUAGES)
        expect(es.has(`entities/${name}_entries_${lang}.json`)).toBe(true);
    }
  });

  it('annotates only the intent’s parameters, with their entity types, and every entity exists', () => {
    const agent = loadAgent('es', es);
    for (const [path, text] of es) {
      const m = path.match(/^intents\/(.+)_usersays_[a-z-]+\.json$/);
      if (!m) continue;
      const intent = agent.intents.find((i) => i.name === m[1])!;
      for (const say of JSON.parse(text) as { data: { alias?: string; meta?: string }[] }[]) {
        for (const part of say.data.filter((d) => d.alias)) {
          const param = intent.parameters.find((p) => p.name === part.alias);
          expect(param, `${path}: ${part.alias}`).toBeDefined();
          expect(part.meta).toBe(`@${param!.entityType}`);
        }
      }
      for (const p of intent.parameters) {
        expect(
          SYSTEM_ENTITIES.includes(p.entityType) || agent.entityTypes.has(p.entityType),
          `${intent.name}.${p.name}: @${p.entityType}`,
        ).toBe(true);
        if (p.required) expect(Object.keys(p.prompts).sort()).toEqual([...LANGUAGES].sort());
      }
    }
    expect(agent.intents.filter((i) => i.fallback).map((i) => i.name)).toEqual([
      'Default Fallback Intent',
    ]);
    expect(agent.intents.find((i) => i.name === 'Default Welcome Intent')?.events).toEqual([
      'WELCOME',
    ]);
  });
});

/**
 * The package stores every language's messages in one fulfillment, each message with the
 * `languageCode` the v3 ResponseMessage does not have: take it out (checking it) before the
 * proto check.
 */
function withoutMessageLanguages(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMessageLanguages);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      k === 'messages' && Array.isArray(v)
        ? v.map((m: Record<string, unknown>) => {
            const { languageCode, ...message } = m;
            expect(LANGUAGES).toContain(languageCode);
            return withoutMessageLanguages(message);
          })
        : withoutMessageLanguages(v);
  }
  return out;
}

/** CX package files are v3 resources in proto3 JSON, except for a few package-only keys. */
function cxResourceErrors(path: string, value: Record<string, unknown>): string[] {
  const v3 = 'google.cloud.dialogflow.cx.v3';
  const check = (type: string, v: unknown) =>
    protoErrors('cx', withoutMessageLanguages(v), `${v3}.${type}`);
  const durationAsString = (d: unknown) =>
    d && typeof d === 'object' ? `${Number((d as { seconds?: number }).seconds ?? 0)}s` : d;
  if (path === 'agent.json') {
    const { startFlow, ...agent } = value;
    expect(typeof startFlow).toBe('string');
    return check('Agent', agent);
  }
  if (/^flows\/([^/]+)\/\1\.json$/.test(path)) return check('Flow', value);
  if (/^flows\/[^/]+\/pages\/[^/]+\.json$/.test(path)) return check('Page', value);
  if (/^intents\/([^/]+)\/\1\.json$/.test(path)) return check('Intent', value);
  if (/^intents\/[^/]+\/trainingPhrases\/[a-z-]+\.json$/.test(path)) {
    return (value.trainingPhrases as unknown[]).flatMap((tp) => {
      const { languageCode, parts, ...phrase } = tp as Record<string, unknown>;
      expect(LANGUAGES).toContain(languageCode);
      // `auto` (whether the console annotated a part itself) is package-only too.
      const protoParts = (parts as Record<string, unknown>[]).map(({ auto, ...part }) => {
        expect(typeof auto).toBe('boolean');
        return part;
      });
      return check('Intent.TrainingPhrase', { ...phrase, parts: protoParts });
    });
  }
  if (/^entityTypes\/([^/]+)\/\1\.json$/.test(path)) return check('EntityType', value);
  if (/^entityTypes\/[^/]+\/entities\/[a-z-]+\.json$/.test(path)) {
    return (value.entities as unknown[]).flatMap((e) => {
      const { languageCode, ...entity } = e as Record<string, unknown>;
      expect(LANGUAGES).toContain(languageCode);
      return check('EntityType.Entity', entity);
    });
  }
  if (/^webhooks\/[^/]+\.json$/.test(path)) {
    // The package writes a Duration as {seconds}; the API's JSON as "5s".
    return check('Webhook', { ...value, timeout: durationAsString(value.timeout) });
  }
  return [`${path}: not a file of the CX JSON package format`];
}

describe('agent/cx: the CX JSON package format', () => {
  it('every file is a v3 resource in proto3 JSON (unknown fields refused)', () => {
    for (const [path, text] of cx) {
      expect(cxResourceErrors(path, JSON.parse(text) as Record<string, unknown>), path).toEqual([]);
    }
  });

  it('languages, start flow and the webhook', () => {
    const agent = json(cx, 'agent.json');
    expect(agent.defaultLanguageCode).toBe('en');
    expect(agent.supportedLanguageCodes).toEqual(['zh-tw', 'ja']);
    expect(cx.has('flows/Default Start Flow/Default Start Flow.json')).toBe(true);
    expect(Object.keys(json(cx, 'webhooks/fulfillment.json'))).toContain('genericWebService');
  });

  it('every reference resolves: intents, pages, webhooks, entity types', () => {
    const agent = loadAgent('cx', cx);
    const flow = agent.flows.get('Default Start Flow')!;
    const intents = new Set(agent.intents.map((i) => i.name));
    const special = ['START_PAGE', 'END_FLOW', 'END_SESSION', 'CURRENT_PAGE', 'PREVIOUS_PAGE'];
    const routes = [flow.routes, ...[...flow.pages.values()].map((p) => p.routes)].flat();
    for (const r of routes) {
      if (r.intent) expect(intents.has(r.intent), r.intent).toBe(true);
      if (r.targetPage) {
        expect(flow.pages.has(r.targetPage) || special.includes(r.targetPage), r.targetPage).toBe(
          true,
        );
      }
    }
    const fulfillments = [
      ...routes.map((r) => r.fulfillment),
      ...flow.eventHandlers.map((h) => h.fulfillment),
      ...[...flow.pages.values()].flatMap((p) => [
        p.entry,
        ...p.form.flatMap((f) => [f.initialPrompt, ...f.reprompts.map((h) => h.fulfillment)]),
      ]),
    ];
    for (const f of fulfillments) {
      if (f?.webhook) expect(agent.webhooks.has(f.webhook), f.webhook).toBe(true);
      for (const m of f?.messages ?? []) expect(LANGUAGES).toContain(m.languageCode);
    }
    const types = [
      ...agent.intents.flatMap((i) => i.parameters.map((p) => p.entityType)),
      ...[...flow.pages.values()].flatMap((p) => p.form.map((f) => f.entityType)),
    ];
    for (const t of types) {
      expect(SYSTEM_ENTITIES.includes(t) || agent.entityTypes.has(t), t).toBe(true);
    }
    // The check_order form is validated by the webhook, as DESIGN.md's table says.
    const checkOrder = flow.pages.get('Check Order')!;
    expect(checkOrder.routes.map((r) => r.fulfillment?.tag)).toContain('validate_order_id');
    expect(checkOrder.form[0]?.reprompts.map((h) => h.event)).toContain('sys.invalid-parameter');
  });
});

describe('ES and CX are the same agent', () => {
  it('the same intents, parameters and training phrases', () => {
    const a = loadAgent('es', es);
    const b = loadAgent('cx', cx);
    const shape = (agent: typeof a) =>
      agent.intents
        .filter((i) => !i.fallback)
        .map((i) => ({
          name: i.name,
          parameters: i.parameters.map((p) => `${p.name}@${p.entityType}`),
          phrases: i.phrases.map(
            (p) =>
              `${p.language}:${p.parts.map((x) => (x.parameter ? `[${x.text}](${x.parameter})` : x.text)).join('')}`,
          ),
        }))
        .sort((x, y) => x.name.localeCompare(y.name));
    expect(shape(b)).toEqual(shape(a));
    expect(b.entityTypes).toEqual(a.entityTypes);
  });
});

describe('the import zip (npm run agent)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-zip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const unzip = spawnSync('unzip', ['-v'], { encoding: 'utf8' });
  const haveUnzip = unzip.status === 0;

  it('is read back by an independent reader (Info-ZIP unzip) with every file intact', () => {
    expect(haveUnzip, 'the zip test needs Info-ZIP unzip (apt-get install unzip)').toBe(true);
    for (const [edition, files] of [
      ['es', es],
      ['cx', cx],
    ] as const) {
      const zip = buildAgentZip(edition, {
        url: 'https://asia-east1-my-bot.cloudfunctions.net/webhook',
        headers: {},
        idToken: false,
      });
      const path = join(dir, `${edition}.zip`);
      writeFileSync(path, zip);
      expect(execFileSync('unzip', ['-tq', path], { encoding: 'utf8' })).toMatch(/No errors/);
      const listing = execFileSync('unzip', ['-Z1', path], { encoding: 'utf8' }).trim().split('\n');
      expect(listing.sort()).toEqual([...files.keys()].sort());
      for (const [file, text] of files) {
        const back = execFileSync('unzip', ['-p', path, file], { encoding: 'utf8' });
        if (file === 'agent.json' || file.startsWith('webhooks/')) continue;
        expect(back, file).toBe(text);
      }
    }
  });

  it('fills in the webhook URL and the auth the webhook requires', () => {
    expect(haveUnzip).toBe(true);
    const config = parseConfig({
      WEBHOOK_TOKEN: 't'.repeat(24),
      WEBHOOK_OIDC_AUDIENCE: 'https://hook.example',
    });
    const settings = {
      url: 'https://asia-east1-my-bot.cloudfunctions.net/webhook',
      headers: webhookAuthHeaders(config),
      idToken: true,
    };
    writeFileSync(join(dir, 'es2.zip'), buildAgentZip('es', settings));
    writeFileSync(join(dir, 'cx2.zip'), buildAgentZip('cx', settings));
    const esAgent = JSON.parse(
      execFileSync('unzip', ['-p', join(dir, 'es2.zip'), 'agent.json'], { encoding: 'utf8' }),
    ) as {
      webhook: { url: string; headers: Record<string, string>; available: boolean };
    };
    expect(esAgent.webhook).toMatchObject({
      url: settings.url,
      headers: { 'x-webhook-token': 't'.repeat(24) },
      available: true,
    });
    const hook = JSON.parse(
      execFileSync('unzip', ['-p', join(dir, 'cx2.zip'), 'webhooks/fulfillment.json'], {
        encoding: 'utf8',
      }),
    ) as Record<string, unknown>;
    expect(hook.genericWebService).toEqual({
      uri: settings.url,
      requestHeaders: { 'x-webhook-token': 't'.repeat(24) },
      serviceAgentAuth: 'ID_TOKEN',
    });
    expect(cxResourceErrors('webhooks/fulfillment.json', hook)).toEqual([]);
    expect(webhookAuthHeaders(parseConfig({ WEBHOOK_BASIC_AUTH: 'dialogflow:s3cret' }))).toEqual({
      authorization: `Basic ${Buffer.from('dialogflow:s3cret').toString('base64')}`,
    });
  });

  it('writes UTF-8 names and content, and the same bytes for the same files', () => {
    expect(haveUnzip).toBe(true);
    const entries = [
      { path: 'intents/查詢/訂單.json', data: '{"text":"我的訂單在哪裡"}\n' },
      { path: 'empty.json', data: '' },
    ];
    const zip = createZip(entries);
    expect(createZip(entries).equals(zip)).toBe(true);
    const path = join(dir, 'utf8.zip');
    writeFileSync(path, zip);
    expect(execFileSync('unzip', ['-Z1', path], { encoding: 'utf8' })).toContain(
      'intents/查詢/訂單.json',
    );
    expect(
      execFileSync('unzip', ['-p', path, 'intents/查詢/訂單.json'], { encoding: 'utf8' }),
    ).toBe(entries[0]!.data);
    expect(() => createZip([{ path: '../evil', data: 'x' }])).toThrow(/bad path/);
  });

  it('the CLI refuses a webhook that is not https, and writes the zip', () => {
    const env = { ...process.env, GOOGLE_CLOUD_PROJECT: 'my-bot-123' };
    const bad = spawnSync(
      process.execPath,
      [...DFF, 'agent', 'es', '--webhook-url', 'http://x.example/'],
      {
        cwd: PROJECT,
        env,
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/HTTPS only/);
    const out = join(dir, 'cli-cx.zip');
    const ok = spawnSync(process.execPath, [...DFF, 'agent', 'cx', '--out', out], {
      cwd: PROJECT,
      env,
      encoding: 'utf8',
    });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('https://asia-east1-my-bot-123.cloudfunctions.net/webhook');
    expect(readFileSync(out).subarray(0, 4).toString('hex')).toBe('504b0304');
  });
});
