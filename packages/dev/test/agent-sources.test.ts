import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIntents } from '../src/dev-console/catalogue';
import { exportAgent } from '../src/lib/agent/files';
import {
  agentFiles,
  generateAgent,
  generateCxAgent,
  generateEsAgent,
} from '../src/lib/agent/generate';
import { agentSourceFiles, importAgentSources } from '../src/lib/agent/import';
import { AgentFormatError, loadAgent } from '../src/lib/agent/load';
import { AGENT_ROOT, buildAgentZip } from '../src/lib/agent/package';
import {
  formatPhrase,
  parsePhrase,
  readAgentSources,
  type AgentSources,
} from '../src/lib/agent/source';
import { agentId, uuidV5 } from '../src/lib/agent/uuid';
import { DFF, PROJECT } from './helpers/paths';

/*
 * The agent's sources (agent/agent.yaml, intents/*.yaml, entities/*.yaml) and the exports
 * generated from them: the same bytes for the same sources, in this process and another, ids
 * that follow from names, and exports the loader reads back as the sources say.
 */

const tmp = mkdtempSync(join(tmpdir(), 'agent-sources-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file under `dir`: relative path → bytes. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

describe('uuidV5', () => {
  it.each([
    // RFC 9562's DNS namespace and Python's uuid.uuid5 results.
    ['python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8', '886313e1-3b8a-5372-9b90-0c9aee199e5d'],
    [
      'www.example.com',
      '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    ],
  ])('%s in %s', (name, ns, expected) => {
    expect(uuidV5(name, ns)).toBe(expected);
  });
});

describe('training phrases with annotated parts', () => {
  it.each([
    ['hello', [{ text: 'hello' }]],
    [
      'book for [4](party_size) at [7pm](time)',
      [
        { text: 'book for ' },
        { text: '4', parameter: 'party_size' },
        { text: ' at ' },
        { text: '7pm', parameter: 'time' },
      ],
    ],
    ['[1001](order_id)', [{ text: '1001', parameter: 'order_id' }]],
    [
      '訂單[A-1004](order_id)出貨了嗎',
      [{ text: '訂單' }, { text: 'A-1004', parameter: 'order_id' }, { text: '出貨了嗎' }],
    ],
  ])('%s', (phrase, parts) => {
    expect(parsePhrase(phrase)).toEqual(parts);
    expect(formatPhrase(parts)).toBe(phrase);
  });
});

describe('the generated exports', () => {
  const sources = readAgentSources(AGENT_ROOT);

  it('are the same bytes for the same sources (read and generated twice)', () => {
    for (const edition of ['es', 'cx'] as const) {
      const a = generateAgent(edition, readAgentSources(AGENT_ROOT));
      const b = generateAgent(edition, readAgentSources(AGENT_ROOT));
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [path, text] of a) expect(b.get(path), path).toBe(text);
      const webhook = { url: 'https://hook.example/webhook', headers: {}, idToken: false };
      expect(buildAgentZip(edition, webhook).equals(buildAgentZip(edition, webhook))).toBe(true);
    }
  });

  it('are the same bytes from two separate runs of `dff agent export`', () => {
    const runs = ['one', 'two'].map((name) => {
      const out = join(tmp, name);
      const r = spawnSync(process.execPath, [...DFF, 'agent', 'export', out], {
        cwd: PROJECT,
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/es\/ and cx\/ generated from 9 intents and 3 entity types/);
      return tree(out);
    });
    expect(runs[0]!.size).toBeGreaterThan(40);
    expect([...runs[1]!.keys()].sort()).toEqual([...runs[0]!.keys()].sort());
    for (const [path, bytes] of runs[0]!)
      expect(runs[1]!.get(path)?.equals(bytes), path).toBe(true);
  });

  it('carry ids derived from names, and only from names', () => {
    const es = generateEsAgent(sources);
    const cx = generateCxAgent(sources);
    const id = (files: Map<string, string>, path: string, key: 'id' | 'name') =>
      (JSON.parse(files.get(path)!) as Record<string, string>)[key];
    expect(id(es, 'intents/check_order.json', 'id')).toBe(agentId('es', 'intent', 'check_order'));
    expect(id(es, 'entities/product.json', 'id')).toBe(agentId('es', 'entity', 'product'));
    expect(id(cx, 'intents/check_order/check_order.json', 'name')).toBe(
      agentId('cx', 'intent', 'check_order'),
    );
    expect(id(cx, 'webhooks/fulfillment.json', 'name')).toBe(
      agentId('cx', 'webhook', 'fulfillment'),
    );
    // Every id is distinct, and a phrase's id follows from its text, not its position.
    const ids = [...es.values(), ...cx.values()].flatMap(
      (t) => t.match(/[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g) ?? [],
    );
    expect(ids.length).toBeGreaterThan(150);
    expect(new Set(ids).size).toBe(ids.length);
    const intent = sources.intents.find((i) => i.name === 'check_order')!;
    const reordered: AgentSources = {
      ...sources,
      intents: sources.intents.map((i) =>
        i === intent ? { ...i, phrases: { ...i.phrases, en: [...i.phrases.en!].reverse() } } : i,
      ),
    };
    const says = (files: Map<string, string>) =>
      new Map(
        (
          JSON.parse(files.get('intents/check_order_usersays_en.json')!) as {
            id: string;
            data: { text: string }[];
          }[]
        ).map((s) => [s.data.map((d) => d.text).join(''), s.id]),
      );
    expect(says(generateEsAgent(reordered))).toEqual(says(es));
    // Renaming an intent renames its ids and leaves every other file as it was.
    const renamed: AgentSources = {
      ...sources,
      intents: sources.intents.map((i) => (i === intent ? { ...i, name: 'find_order' } : i)),
    };
    const after = generateEsAgent(renamed);
    expect(id(after, 'intents/find_order.json', 'id')).toBe(agentId('es', 'intent', 'find_order'));
    for (const [path, text] of es) {
      if (!path.startsWith('intents/check_order')) expect(after.get(path), path).toBe(text);
    }
  });

  it('read back through the loader as the sources say (both editions)', () => {
    for (const edition of ['es', 'cx'] as const) {
      const agent = loadAgent(edition, generateAgent(edition, sources));
      expect(agent.languages).toEqual(['en', 'zh-tw', 'ja']);
      expect(agent.timeZone).toBe('Asia/Taipei');
      const expected = sources.intents.filter((i) => edition === 'es' || !i.fallback);
      expect(agent.intents.map((i) => i.name).sort()).toEqual(expected.map((i) => i.name).sort());
      for (const source of expected) {
        const intent = agent.intents.find((i) => i.name === source.name)!;
        expect(intent.parameters.map((p) => [p.name, p.entityType, p.isList])).toEqual(
          source.parameters.map((p) => [p.name, p.entity, p.list]),
        );
        for (const l of agent.languages) {
          expect(
            intent.phrases.filter((p) => p.language === l).map((p) => formatPhrase(p.parts)),
            `${edition} ${source.name} ${l}`,
          ).toEqual(source.phrases[l] ?? []);
        }
        if (edition === 'es') {
          expect(intent.webhookUsed).toBe(source.webhook);
          expect(intent.parameters.map((p) => [p.required, p.prompts])).toEqual(
            source.parameters.map((p) => [p.required, p.prompts]),
          );
        }
      }
      expect([...agent.entityTypes.values()]).toEqual(
        sources.entities.map((e) => ({ name: e.name, kind: e.kind, entries: e.entries })),
      );
    }
  });

  it('import back into the same sources (dff agent import)', () => {
    const back = importAgentSources(generateEsAgent(sources), generateCxAgent(sources));
    // Examples are for the dev console only: no export carries them.
    const withoutExamples: AgentSources = {
      ...sources,
      intents: sources.intents.map((i) => ({
        ...i,
        parameters: i.parameters.map(({ example: _example, ...p }) => p),
      })),
    };
    expect(back).toEqual(withoutExamples);
    expect(generateEsAgent(back)).toEqual(generateEsAgent(sources));
    expect(generateCxAgent(back)).toEqual(generateCxAgent(sources));
    // The written sources read back as they were.
    const dir = join(tmp, 'imported');
    for (const [path, text] of agentSourceFiles(back)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    expect(readAgentSources(dir)).toEqual(back);
  });
});

describe('sources the generator refuses, naming the file', () => {
  const broken = (file: string, text: string) => {
    const dir = mkdtempSync(join(tmp, 'broken-'));
    cpSync(AGENT_ROOT, dir, { recursive: true });
    writeFileSync(join(dir, file), text);
    return () => readAgentSources(dir);
  };
  it.each([
    [
      'intents/check_order.yaml',
      'parameters: []\nphrases:\n  en:\n    - order [1001](order_id)\n',
      /intents\/check_order.yaml: phrases.en: "order \[1001\]\(order_id\)" annotates order_id, which is not a parameter/,
    ],
    [
      'intents/get_weather.yaml',
      'parameters:\n  - name: city\n    entity: sys.geo-city\n    required: true\n    prompts:\n      en: Which city?\n',
      /intents\/get_weather.yaml: parameters.city: required, but no prompt in zh-tw/,
    ],
    [
      'intents/hours.yaml',
      'phrases:\n  fr:\n    - horaires\n',
      /intents\/hours.yaml: phrases: fr is not one of the agent's languages/,
    ],
    [
      'intents/hours.yaml',
      'webhook: false\n',
      /intents\/hours.yaml: webhook: false, but no replies in en/,
    ],
    [
      'intents/hours.yaml',
      'prases: {}\n',
      /intents\/hours.yaml: <root>: Unrecognized key: "prases"/,
    ],
    ['entities/product.yaml', 'kind: set\n', /entities\/product.yaml: kind: /],
  ])('%s: %s', (file, text, message) => {
    const read = broken(file, text);
    expect(read).toThrow(AgentFormatError);
    expect(read).toThrow(message);
  });
});

describe('what reads the sources', () => {
  const dir = join(tmp, 'exports-only');
  beforeAll(() => exportAgent(AGENT_ROOT, dir));

  it('a folder with exports only (es/, cx/) is read as it is', () => {
    for (const edition of ['es', 'cx'] as const) {
      expect(agentFiles(edition, dir)).toEqual(agentFiles(edition, AGENT_ROOT));
    }
  });

  it('the dev console offers every intent of the sources, with CX tags, kinds and examples', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const intents = demoIntents(now, AGENT_ROOT);
    expect(intents.map((i) => [i.es, i.cx])).toEqual([
      ['Default Welcome Intent', 'welcome'],
      ['check_inventory', 'check_inventory'],
      ['check_order', 'check_order'],
      ['validate_order_id', 'validate_order_id'],
      ['get_weather', 'get_weather'],
      ['make_reservation', 'make_reservation'],
      ['talk_to_agent', 'talk_to_agent'],
      ['task_status', 'task_status'],
      ['watch_order', 'watch_order'],
      ['Default Fallback Intent', 'fallback'],
    ]);
    expect(intents.find((i) => i.es === 'make_reservation')?.parameters).toEqual([
      { name: 'date', kind: 'date', required: true, example: '2026-03-08' },
      { name: 'time', kind: 'time', required: true, example: '19:00' },
      { name: 'party_size', kind: 'number', required: true, example: '4' },
      { name: 'name', kind: 'person', required: true, example: 'Lin' },
      { name: 'email', kind: 'text', required: false },
    ]);
    // Without sources, the ES intents as they are.
    const fromExports = demoIntents(now, dir);
    expect(fromExports.map((i) => i.es).sort()).toEqual(
      intents
        .filter((i) => i.es !== 'validate_order_id')
        .map((i) => i.es)
        .sort(),
    );
  });
});
