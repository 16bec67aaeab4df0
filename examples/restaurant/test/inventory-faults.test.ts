import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';
import { messagesFor } from '../src/messages';
import { createInventory, type MysqlInventory } from '../src/inventory';
import { freePort } from '@dialogflow-functions/testing/ports';
import { testFirestoreFactory } from '@dialogflow-functions/testing/firestore';
import { startTestMariadb, type TestMariadb } from './helpers/mariadb';
import { textOf } from '@dialogflow-functions/testing/replies';
import { post, startWebhook, testConfig, type TestWebhook } from './helpers/servers';

const en = messagesFor('en');
const zh = messagesFor('zh-TW');
const DEADLINE_MS = 1500;
const LATTE = en.productInStock({ name: 'Latte beans', stock: 42 });

/** A webhook whose check_inventory reads MySQL as INVENTORY_SOURCE=mysql + MYSQL_URL say. */
async function mysqlWebhook(
  env: Record<string, string>,
): Promise<{ webhook: TestWebhook; inventory: MysqlInventory }> {
  const all = { INVENTORY_SOURCE: 'mysql', WEBHOOK_DEADLINE_MS: String(DEADLINE_MS), ...env };
  const inventory = createInventory(testConfig(all), {
    db: testFirestoreFactory,
  }) as MysqlInventory;
  const webhook = await startWebhook({ env: all, backends: { inventory } });
  return { webhook, inventory };
}

/** Asks for latte; returns the reply text (checked against the proto). */
async function ask(
  webhook: TestWebhook,
  edition: 'es' | 'cx' = 'es',
  languageCode = 'en',
): Promise<{ text: string }> {
  const build = edition === 'es' ? esRequest : cxRequest;
  const res = await post(
    webhook.url,
    build({ name: 'check_inventory', parameters: { product: 'latte' }, languageCode }),
  );
  expect(res.status).toBe(200);
  return { text: textOf(edition, res.body) };
}

function warningsSince(webhook: TestWebhook, from: number) {
  return webhook.logs.slice(from).filter((l) => l.severity === 'WARNING');
}

describe('MySQL stopped and restarted mid-run', () => {
  let mariadb: TestMariadb;
  let webhook: TestWebhook;
  let inventory: MysqlInventory;
  beforeAll(async () => {
    mariadb = await startTestMariadb();
    ({ webhook, inventory } = await mysqlWebhook({ MYSQL_URL: mariadb.url() }));
  }, 120_000);
  afterAll(async () => {
    await webhook?.close();
    await inventory?.close();
    await mariadb?.close();
  });

  it('slow (SIGSTOP): the query is abandoned at the budget, the reply polite; SIGCONT recovers', async () => {
    expect((await ask(webhook)).text).toBe(LATTE); // a pooled connection now exists
    const from = webhook.logs.length;
    mariadb.signal('SIGSTOP');
    try {
      // The pooled connection's query hangs; a new connection's handshake hangs too.
      const first = await ask(webhook, 'cx', 'zh-TW');
      expect(first.text).toBe(zh.backendSlow);
      const second = await ask(webhook);
      expect(second.text).toBe(en.backendSlow);
    } finally {
      mariadb.signal('SIGCONT');
    }
    const warnings = warningsSince(webhook, from);
    expect(warnings.map((w) => [w.message, w.backend])).toEqual([
      ['backend too slow for the budget', 'mysql'],
      ['backend too slow for the budget', 'mysql'],
    ]);
    // Answered by the handler within the budget, not by the webhook's own deadline fallback.
    expect(
      webhook.logs
        .slice(from)
        .filter((l) => l.message === 'turn answered')
        .map((l) => l.outcome),
    ).toEqual(['handled', 'handled']);
    expect(inventory.stats.destroyed).toBeGreaterThanOrEqual(1);
    expect((await ask(webhook)).text).toBe(LATTE);
    expect((await ask(webhook, 'cx', 'zh-TW')).text).toBe(
      zh.productInStock({ name: '拿鐵咖啡豆', stock: 42 }),
    );
  });

  it('down (SIGKILL): "can\'t look that up" at once; after a restart the pool recovers', async () => {
    expect((await ask(webhook)).text).toBe(LATTE);
    const from = webhook.logs.length;
    mariadb.signal('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    for (const edition of ['es', 'cx'] as const) {
      // Refused at once ("can't look that up"), not waited for until the budget ran out.
      expect((await ask(webhook, edition)).text).toBe(en.backendDown);
    }
    expect(warningsSince(webhook, from).map((w) => [w.message, w.backend])).toEqual([
      ['backend failed', 'mysql'],
      ['backend failed', 'mysql'],
    ]);

    await mariadb.restart();
    expect((await ask(webhook)).text).toBe(LATTE);
    const many = await Promise.all(Array.from({ length: 10 }, () => ask(webhook)));
    expect(many.map((r) => r.text)).toEqual(Array(10).fill(LATTE));
  });
});

describe('MySQL not there at all', () => {
  it('nothing listens on MYSQL_URL: the polite reply and a warning', async () => {
    const port = await freePort();
    const { webhook, inventory } = await mysqlWebhook({
      MYSQL_URL: `mysql://inventory:secret@127.0.0.1:${port}/inventory`,
    });
    try {
      const reply = await ask(webhook);
      expect(reply.text).toBe(en.backendDown);
      const warning = warningsSince(webhook, 0)[0];
      expect(warning).toMatchObject({ message: 'backend failed', backend: 'mysql' });
      expect(JSON.stringify(webhook.logs)).not.toContain('secret');
    } finally {
      await webhook.close();
      await inventory.close();
    }
  });

  it('INVENTORY_SOURCE=mysql without MYSQL_URL (development): the polite reply and a warning', async () => {
    const { webhook, inventory } = await mysqlWebhook({});
    try {
      expect((await ask(webhook, 'cx')).text).toBe(en.backendDown);
      expect(warningsSince(webhook, 0)[0]?.error).toMatch(/MYSQL_URL is not set/);
    } finally {
      await webhook.close();
      await inventory.close();
    }
  });
});
