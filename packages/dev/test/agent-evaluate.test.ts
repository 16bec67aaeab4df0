import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  evaluateAgent,
  formatEvaluation,
  NO_MATCH,
  runEvaluate,
} from '@dialogflow-functions/dev/lib/agent/evaluate';
import type { AgentModel, IntentDef } from '@dialogflow-functions/dev/lib/agent/model';

/*
 * `npm run agent -- evaluate`: k-fold cross-validation of an agent's phrases. A small agent of
 * our own with two intents that overlap on purpose, and the demo agent through the command.
 */

const intent = (name: string, phrases: string[]): IntentDef => ({
  name,
  id: name,
  parameters: [],
  phrases: phrases.map((text) => ({ language: 'en', parts: [{ text }] })),
  webhookUsed: false,
  webhookForSlotFilling: false,
  fallback: false,
  action: '',
  events: [],
  inputContexts: [],
  affectedContexts: [],
  resetContexts: false,
  replies: {},
});

const agent: AgentModel = {
  edition: 'es',
  displayName: 'overlap',
  defaultLanguage: 'en',
  languages: ['en'],
  timeZone: 'UTC',
  intents: [
    intent('order_pizza', [
      'order a pizza', 'I want a pizza', 'get me a pizza please', 'one pizza please',
      'pizza for dinner', 'can I have a pizza', 'I would like to order pizza', 'pizza delivery',
    ]),
    intent('order_drink', [
      'order a drink', 'I want a drink', 'get me a cola please', 'one cola please',
      'a drink with my pizza', 'can I have a cola', 'I would like to order a drink', 'drink delivery',
    ]),
  ],
  entityTypes: new Map(),
  webhooks: new Map(),
  flows: new Map(),
  startFlow: undefined,
  classificationThreshold: 0.3,
  warnings: [],
}; // prettier-ignore

describe('evaluateAgent', () => {
  it('holds every phrase out once and scores each intent', async () => {
    const e = await evaluateAgent(agent, 4);
    expect(e.predictions).toHaveLength(16);
    expect(e.intents.map((i) => i.intent)).toEqual(['order_drink', 'order_pizza']);
    for (const i of e.intents) {
      expect(i.support).toBe(8);
      expect(i.f1).toBeGreaterThanOrEqual(0);
      expect(i.f1).toBeLessThanOrEqual(1);
    }
    const correct = e.predictions.filter((p) => p.expected === p.predicted).length;
    expect(e.accuracy).toBe(correct / 16);
    // Every miss is listed once in the confusions, with where it went.
    expect(e.confusions.reduce((n, c) => n + c.count, 0)).toBe(16 - correct);
    for (const c of e.confusions)
      expect([...agent.intents.map((i) => i.name), NO_MATCH]).toContain(c.predicted);
  });

  it('is deterministic and prints the report sections', async () => {
    const a = await evaluateAgent(agent, 4);
    const b = await evaluateAgent(agent, 4);
    expect(b).toEqual(a);
    const text = formatEvaluation('overlap', a);
    expect(text).toMatch(/intent\s+precision\s+recall\s+f1\s+support/);
    expect(text).toMatch(/order_pizza\s+\d\.\d\d\s+\d\.\d\d\s+\d\.\d\d\s+8/);
    expect(text).toContain('most confused (expected → predicted):');
    expect(text).toContain('misclassified phrases (');
    expect(text).toContain(`macro F1 ${a.macroF1.toFixed(2)}`);
  });
});

describe('npm run agent -- evaluate (the demo agent)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the report and exits non-zero below --min-f1 only', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.join(' '));
    });
    expect(await runEvaluate(['es', '--min-f1', '0.99', '--folds', '3'])).toBe(1);
    const out = lines.join('\n');
    expect(out).toMatch(/ES agent fulfillment-demo: \d+ phrases, 3-fold cross-validation/);
    expect(out).toMatch(/check_order\s+\d\.\d\d/);
    expect(out).toMatch(/macro F1 (0\.\d\d) is below --min-f1 0\.99/);
    const f1 = Number(/macro F1 (\d\.\d\d)/.exec(out)?.[1]);
    expect(f1).toBeGreaterThanOrEqual(0.8);
    lines.length = 0;
    expect(await runEvaluate(['es', '--min-f1', String(f1 - 0.01), '--folds', '3'])).toBe(0);
    expect(await runEvaluate(['xx'])).toBe(2);
  }, 120_000);
});
