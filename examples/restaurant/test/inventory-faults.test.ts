import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';
import { messagesFor } from '../src/messages';
import { createInventory, type MysqlInventory } from '../src/inventory';
import { freePort } from '@dialogflow-functions/testing/ports';
import { testFirestoreFactory } from '@dialogflow-functions/testing/firestore';
import { startTestMariadb, type TestMariadb } from './helpers/mariadb';
import { textOf } from '@dialogflow-functions/testing/replies';
import { post, startWebhook, testConfig, type TestWebhook } from './helpers/servers';
import { until } from '@dialogflow-functions/testing/wait';

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

let mariadb: TestMariadb;
beforeAll(async () => {
  mariadb = await startTestMariadb();
}, 120_000);
afterAll(() => mariadb?.close());

describe('MySQL stopped and restarted mid-run', () => {
  let webhook: TestWebhook;
  let inventory: MysqlInventory;
  beforeAll(async () => {
    ({ webhook, inventory } = await mysqlWebhook({ MYSQL_URL: mariadb.url() }));
  });
  afterAll(async () => {
    await webhook?.close();
    await inventory?.close();
  });

  it('slow (SIGSTOP): the query is abandoned at the budget, the reply polite; SIGCONT recovers', async () => {
    expect((await ask(webhook)).text).toBe(LATTE); // a pooled connection now exists
    const from = webhook.logs.length;
    await mariadb.signal('SIGSTOP');
    try {
      // The pooled connection's query hangs; a new connection's handshake hangs too.
      const first = await ask(webhook, 'cx', 'zh-TW');
      expect(first.text).toBe(zh.backendSlow);
      const second = await ask(webhook);
      expect(second.text).toBe(en.backendSlow);
    } finally {
      await mariadb.signal('SIGCONT');
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
    await mariadb.signal('SIGKILL');
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

// A pool whose every connection waits on a lock races the lookups' budget: here, with the other
// suites that race a real deadline (it was in inventory.test.ts).
describe('the MySQL pool', () => {
  it('exhausted (a table lock holds every connection): polite replies in time, then recovers', async () => {
    const POOL_DEADLINE_MS = 2000;
    const inventory = createInventory(
      testConfig({
        INVENTORY_SOURCE: 'mysql',
        MYSQL_URL: mariadb.url({ connectionLimit: 2, queueLimit: 2 }),
      }),
      { db: testFirestoreFactory },
    ) as MysqlInventory;
    // Which lookups have reached the inventory (a recording wrapper, the same pool behind it).
    let lookups = 0;
    const webhook = await startWebhook({
      // Room for the steps below to set the pool up well inside the holders' budget.
      env: { WEBHOOK_DEADLINE_MS: String(POOL_DEADLINE_MS) },
      backends: {
        inventory: {
          ...inventory,
          findProduct: (text, budget) => {
            lookups++;
            return inventory.findProduct(text, budget);
          },
        },
      },
    });
    const lock = await mariadb.adminConnection();
    try {
      // Warm one connection, then make every read of the table wait.
      const warm = await post(
        webhook.url,
        esRequest({ name: 'check_inventory', parameters: { product: 'latte' } }),
      );
      expect(textOf('es', warm.body)).toBe(LATTE);
      await lock.query('LOCK TABLES products WRITE');

      const ask = async () => {
        const res = await post(
          webhook.url,
          esRequest({ name: 'check_inventory', parameters: { product: 'latte' } }),
        );
        expect(res.status).toBe(200);
        return textOf('es', res.body);
      };
      const waiting = () =>
        mariadb.admin<({ n: number } & RowDataPacket)[]>(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'inventory' AND STATE LIKE '%lock%'",
        );
      // Step by step, each step waiting for the pool to be in the state it needs (not racing the
      // deadline with six requests at once): two lookups hold both connections, their queries
      // waiting for the lock...
      const holding = [ask(), ask()];
      await until(async () => Number((await waiting())[0]?.n) === 2, 5000, 'two queries waiting');
      // ...two more wait in the pool's queue...
      const queued = [ask(), ask()];
      await until(() => lookups === 5, 5000, 'two more lookups'); // the warm-up was the first
      await new Promise((r) => setImmediate(r)); // their getConnection() calls are queued
      // ...and two find the queue full: refused at once, while the others still wait.
      const refused = await Promise.all([ask(), ask()]);
      expect(refused).toEqual([en.backendDown, en.backendDown]);
      // The four that waited end at their budget: polite replies by the inventory's own bound,
      // none by the webhook's timeout.
      expect(await Promise.all([...holding, ...queued])).toEqual(Array(4).fill(en.backendSlow));
      const mysqlWarnings = () =>
        webhook.logs.filter((l) => l.severity === 'WARNING' && l.backend === 'mysql');
      // A lookup's warning can reach the log just after its reply: wait for all six decisions.
      await until(() => mysqlWarnings().length >= 6, 5000, 'six mysql decisions logged').catch(
        () => undefined,
      );
      const warnings = mysqlWarnings();
      // What the code decided for each, as it logged it: the last two were refused by the pool;
      // the other four were abandoned at the bound their budget gave the wait they were in (the
      // holders' query; for the queued ones the connection, or the query on a fresh connection
      // that came just before their deadline), each within the budget less the 100 ms
      // kept to answer; a fresh connection that came inside those last 100 ms has no time left
      // for its query (the same bound, decided before the query starts: seen on a busy machine).
      const reasons = warnings.map((w) => String(w.error));
      expect(reasons.filter((r) => r === 'Error: Queue limit reached.')).toHaveLength(2);
      const bounds = reasons.flatMap((r) => {
        const m =
          /^FulfillmentError: mysql (query|connection): (?:took longer than (\d+) ms|no time left)$/.exec(
            r,
          );
        return m ? [{ wait: m[1], ms: m[2] === undefined ? undefined : Number(m[2]) }] : [];
      });
      expect(bounds, reasons.join('\n')).toHaveLength(4);
      expect(bounds.filter((b) => b.wait === 'query').length).toBeGreaterThanOrEqual(2);
      // The two holders' queries always run into their bound (the lock never lifts).
      expect(
        bounds.filter((b) => b.wait === 'query' && b.ms !== undefined).length,
      ).toBeGreaterThanOrEqual(2);
      for (const b of bounds)
        if (b.ms !== undefined) expect(b.ms).toBeLessThanOrEqual(POOL_DEADLINE_MS - 100);
      expect(
        webhook.logs.filter((l) => l.message === 'turn answered').map((l) => l.outcome),
      ).toEqual(Array(7).fill('handled'));
      // Those abandoned mid-query were destroyed, not returned to the pool: the two holding
      // connections, and any queued lookup that got a fresh one just before its own deadline.
      expect(inventory.stats.destroyed).toBeGreaterThanOrEqual(2);
      expect(inventory.stats.destroyed).toBeLessThanOrEqual(4);
    } finally {
      await lock.query('UNLOCK TABLES');
      await lock.end();
    }
    try {
      const expected: [string, string][] = [
        ['latte', LATTE],
        ['抹茶粉', en.productOutOfStock({ name: 'Matcha powder' })],
        ['croissant', en.productInStock({ name: 'Croissant', stock: 7 })],
      ];
      for (const [product, reply] of expected) {
        const res = await post(
          webhook.url,
          esRequest({ name: 'check_inventory', parameters: { product } }),
        );
        expect(textOf('es', res.body)).toBe(reply);
      }
    } finally {
      await webhook.close();
      await inventory.close();
    }
  });
});
