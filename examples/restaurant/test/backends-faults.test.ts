import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { describe, expect, it } from 'vitest';
import { createWeatherService } from '../src/backends/weather';
import { createHttpClient } from '@dialogflow-functions/core/http';
import { Budget } from '@dialogflow-functions/core/conversation';
import { messagesFor } from '../src/messages';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { startWeatherStandIn } from '../local/weather-stand-in';
import { TEST_PROJECT } from '@dialogflow-functions/testing/firestore';
import { textOf } from '@dialogflow-functions/testing/replies';
import { EDITIONS, post, startWebhook } from './helpers/servers';

/*
 * The outside services failing against a short budget: an unreachable or hanging Firestore, a
 * weather API that never answers. The replies are decided by the handler's bound racing the
 * webhook's own deadline (both real timers, 100 ms apart), so these run with the suites that
 * race a real deadline (QUIET in vitest.config.mts); the rest of the backends' cases are in
 * backends.test.ts.
 */

const en = messagesFor('en');
const zh = messagesFor('zh-TW');

describe('Firestore faults', () => {
  it('unreachable Firestore: a polite reply before the deadline', async () => {
    const unreachable = new Firestore({
      projectId: TEST_PROJECT,
      ...emulatorSettings('127.0.0.1:9'),
    });
    const webhook = await startWebhook({
      env: { WEBHOOK_DEADLINE_MS: '1500' },
      backends: { db: async () => unreachable },
    });
    try {
      for (const [edition, build] of EDITIONS) {
        const res = await post(
          webhook.url,
          build({ name: 'check_order', parameters: { order_id: 1001 } }),
        );
        expect(res.status).toBe(200);
        expect([en.backendSlow, en.backendDown]).toContain(textOf(edition, res.body));
      }
    } finally {
      await webhook.close();
      // Not terminated: reads abandoned at the deadline are still retrying inside the client,
      // and terminating under them only turns their ends into noise. The worker exits anyway.
    }
  });

  it('slow Firestore: the read is abandoned and answered politely', async () => {
    const webhook = await startWebhook({
      env: { WEBHOOK_DEADLINE_MS: '600' },
      backends: { db: () => new Promise(() => {}) },
    });
    try {
      const res = await post(
        webhook.url,
        esRequest({
          name: 'check_inventory',
          parameters: { product: 'latte' },
          languageCode: 'zh-TW',
        }),
      );
      expect(textOf('es', res.body)).toBe(zh.backendSlow);
      expect(webhook.logs.find((l) => l.message === 'turn answered')?.outcome).toBe('handled');
    } finally {
      await webhook.close();
    }
  });
});

describe('get_weather when the API hangs', () => {
  it('answers within the budget with a valid reply', async () => {
    const standIn = await startWeatherStandIn(0);
    standIn.intercept = () => 'hang';
    const webhook = await startWebhook({
      env: { WEBHOOK_DEADLINE_MS: '800', WEATHER_API_BASE_URL: standIn.url },
    });
    try {
      for (const [edition, build] of EDITIONS) {
        const res = await post(
          webhook.url,
          build({ name: 'get_weather', parameters: { 'geo-city': 'Taipei' } }),
        );
        expect(res.status).toBe(200);
        expect([en.backendSlow, en.weatherUnavailable]).toContain(textOf(edition, res.body));
      }
      const outcomes = webhook.logs
        .filter((l) => l.message === 'turn answered')
        .map((l) => l.outcome);
      expect(outcomes).toEqual(['handled', 'handled']);
    } finally {
      await webhook.close();
      await standIn.close();
    }
  });

  it('the weather service never waits past its budget on a hanging API: its call is limited to the budget', async () => {
    const standIn = await startWeatherStandIn(0);
    standIn.intercept = () => 'hang';
    // What the service asks of the HTTP client: every call's own time limit.
    const http = createHttpClient();
    const asked: number[] = [];
    const service = createWeatherService({
      baseUrl: standIn.url,
      apiKey: 'k',
      http: {
        request: (url, call) => {
          asked.push(call.timeoutMs);
          return http.request(url, call);
        },
      },
    });
    // A budget on a stopped clock: 300 ms left, whatever the machine's speed.
    const t0 = Date.now();
    const budget = new Budget(t0 + 300, new AbortController().signal, () => t0);
    try {
      // The call gave up at its own limit (the client's timeout), not at some outer one...
      await expect(service.current('Taipei', 'en', budget)).rejects.toThrow(
        /weather unavailable: .*: (timeout|deadline)$/,
      );
      // ...and that limit is what the budget leaves after the 150 ms kept to answer: one call,
      // no retry that could reach past it.
      expect(asked).toEqual([150]);
    } finally {
      await standIn.close();
    }
  });
});
