import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatResult } from '@dialogflow-functions/dev/detect';
import { loadAgents } from '@dialogflow-functions/dev/dialogflow-stand-in/load-agents';
import {
  startDialogflowStandIn,
  type RunningStandIn,
} from '@dialogflow-functions/dev/dialogflow-stand-in/server';
import { DetectIntentClient } from '@dialogflow-functions/dev/lib/dialogflow-client';

/*
 * "Why it matched": the stand-in reports how it matched, its top three candidates with scores
 * and the entities it found (in diagnosticInfo.standIn), over real gRPC with the official
 * clients, and `npm run detect` prints them.
 */

describe('the stand-in says why it matched', () => {
  let standIn: RunningStandIn;
  let es: DetectIntentClient;
  let cx: DetectIntentClient;
  beforeAll(async () => {
    // No webhook answers here: the match is what this test reads.
    standIn = await startDialogflowStandIn({ ...loadAgents(), webhookUrl: 'http://127.0.0.1:9/' });
    // A minute, not `dff detect`'s 6 s: the match is checked here, not the limit (the suite
    // runs at nice 19 beside the load test).
    const target = { agent: undefined, emulatorHost: standIn.host, timeoutMs: 60_000 };
    es = new DetectIntentClient('es', target);
    cx = new DetectIntentClient('cx', target);
  });
  afterAll(async () => {
    await es.close();
    await cx.close();
    await standIn.stop();
  });

  it.each([
    ['es', () => es],
    ['cx', () => cx],
  ] as const)('%s: candidates with scores and the entities found', async (_edition, client) => {
    const text = 'hi, where is my order 1001';
    const result = await client().detect({ text, sessionId: `why-${_edition}` });
    expect(result.intent).toBe('check_order');
    expect(result.why?.source).toBe('classifier');
    const candidates = result.why?.candidates ?? [];
    expect(candidates[0]?.intent).toBe('check_order');
    // The confidence travels as a float32; the candidates' scores are rounded to 4 places.
    expect(candidates[0]?.score).toBeCloseTo(result.confidence, 3);
    expect(candidates[0]?.parameters).toEqual({ order_id: '1001' });
    expect(candidates.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < candidates.length; i += 1) {
      expect(candidates[i]!.score).toBeLessThanOrEqual(candidates[i - 1]!.score);
    }
    expect(result.why?.entities).toContainEqual({
      text: '1001',
      type: '@order-id',
      value: { kind: 'string', value: '1001' },
    });
    const printed = formatResult(text, result);
    expect(printed).toContain('why: the classifier');
    expect(printed).toMatch(/candidate check_order \d\.\d\d \{"order_id":"1001"\}/);
    expect(printed).toContain('entity "1001" → @order-id');
  });

  it('notes Chinese typed while the request says English', async () => {
    const result = await es.detect({ text: '找真人客服', languageCode: 'en', sessionId: 'why-zh' });
    expect(result.why?.looksLike).toBe('zh');
    expect(formatResult('找真人客服', result)).toMatch(/note: the text looks like zh/);
  });

  it('says so when nothing reaches the threshold', async () => {
    const result = await es.detect({ text: 'xylophone quantum giraffe', sessionId: 'why-none' });
    expect(result.intent).toBe('Default Fallback Intent');
    expect(result.why?.source).toBe('none');
  });
});
