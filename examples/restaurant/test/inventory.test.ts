import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';
import type { Language } from '@dialogflow-functions/core/messages';
import { messagesFor } from '../src/messages';
import { seedDemoData } from '../src/seed-data';
import { createInventory, productKey, type Inventory, type MysqlInventory } from '../src/inventory';
import { migrateMysql, readMigrations } from '../src/inventory/migrate';
import type { MysqlSettings } from '../src/env';
import {
  resetTestFirestore,
  testFirestore,
  testFirestoreFactory,
} from '@dialogflow-functions/testing/firestore';
import { startTestMariadb, type TestMariadb } from './helpers/mariadb';
import { textOf } from '@dialogflow-functions/testing/replies';
import { EDITIONS, post, startWebhook, testConfig, type TestWebhook } from './helpers/servers';

const en = messagesFor('en');
const zh = messagesFor('zh-TW');
type Messages = typeof en;
const LANGS = [
  ['en', en],
  ['zh-TW', zh],
  ['ja', messagesFor('ja')],
] as const;

let mariadb: TestMariadb;
/** The demo products as `npm run seed` leaves them, in Firestore and in MariaDB. */
async function restoreDemoData(): Promise<void> {
  await resetTestFirestore();
  await seedDemoData(testFirestore());
  await mariadb.reset();
}
// Most cases only read the demo products: the data is put in place once for the file, and a
// case that changes it puts it back when it ends (`changesDemoData`).
beforeAll(async () => {
  mariadb = await startTestMariadb();
  await restoreDemoData();
}, 120_000);
afterAll(() => mariadb?.close());
/** For a case that writes the demo products: restores them when it ends, passed or not. */
function changesDemoData(): void {
  onTestFinished(restoreDemoData);
}

/** The inventory INVENTORY_SOURCE (and MYSQL_URL) would give the webhook. */
function inventoryFor(source: 'firestore' | 'mysql', params: Record<string, string | number> = {}) {
  const config = testConfig(
    source === 'mysql'
      ? { INVENTORY_SOURCE: 'mysql', MYSQL_URL: mariadb.url(params) }
      : { INVENTORY_SOURCE: 'firestore' },
  );
  return createInventory(config, { db: testFirestoreFactory });
}

/** The demo products' names (demo/inventory/migrations), as replies name them. */
const NAMES: Record<string, Record<Language, string>> = {
  latte: { en: 'Latte beans', 'zh-TW': '拿鐵咖啡豆', ja: 'ラテ用コーヒー豆' },
  matcha: { en: 'Matcha powder', 'zh-TW': '抹茶粉', ja: '抹茶パウダー' },
  croissant: { en: 'Croissant', 'zh-TW': '可頌', ja: 'クロワッサン' },
  'oolong-tea': { en: 'Oolong tea', 'zh-TW': '烏龍茶', ja: '烏龍茶' },
};
type Expected = (t: Messages, language: Language) => string;
const inStock =
  (id: string, stock: number): Expected =>
  (t, l) =>
    t.productInStock({ name: NAMES[id]![l], stock });
const outOfStock =
  (id: string): Expected =>
  (t, l) =>
    t.productOutOfStock({ name: NAMES[id]![l] });
const latte = inStock('latte', 42);
const TABLE: [string, unknown, Expected][] = [
  ['id', 'latte', latte],
  ['capitalised id', 'Croissant', inStock('croissant', 7)],
  ['upper-case id', 'LATTE', latte],
  ['full-width id', 'ＬＡＴＴＥ', latte],
  ['id with a dash', 'oolong-tea', inStock('oolong-tea', 15)],
  ['English name', 'Latte beans', latte],
  ['English name, other case and spacing', '  OOLONG   Tea ', inStock('oolong-tea', 15)],
  [
    'full-width English name (ideographic space)',
    'Ｍａｔｃｈａ\u3000Ｐｏｗｄｅｒ',
    outOfStock('matcha'),
  ],
  ['Chinese name', '拿鐵咖啡豆', latte],
  ['Chinese name, another', '烏龍茶', inStock('oolong-tea', 15)],
  ['Chinese name, out of stock', '抹茶粉', outOfStock('matcha')],
  ['Japanese name', 'ラテ用コーヒー豆', latte],
  ['Japanese name in half-width katakana', 'ｸﾛﾜｯｻﾝ', inStock('croissant', 7)],
  ['list of values', ['croissant'], inStock('croissant', 7)],
  ['unknown product', 'durian', (t) => t.productUnknown({ product: 'durian' })],
  ['unknown Chinese name', '榴槤', (t) => t.productUnknown({ product: '榴槤' })],
  ['a part of a name', '拿鐵', (t) => t.productUnknown({ product: '拿鐵' })],
  ['a number', 1001, (t) => t.productUnknown({ product: '1001' })],
  ['a path', 'products/latte', (t) => t.productUnknown({ product: 'products/latte' })],
  ['a reserved id', '__name__', (t) => t.productUnknown({ product: '__name__' })],
  ['unfilled', '', (t) => t.askProduct],
  ['an object', { id: 'latte' }, (t) => t.askProduct],
  ['over 100 characters', 'x'.repeat(101), (t) => t.askProduct],
];

describe.each(['firestore', 'mysql'] as const)('check_inventory from %s', (source) => {
  let inventory: Inventory;
  let webhook: TestWebhook;
  beforeAll(async () => {
    inventory = inventoryFor(source);
    webhook = await startWebhook({ backends: { inventory } });
  });
  afterAll(async () => {
    await webhook.close();
    await inventory.close();
  });

  describe.each(EDITIONS)('%s', (edition, build) => {
    describe.each(LANGS)('%s', (languageCode, t) => {
      it.each(TABLE)('%s', async (_n, product, expected) => {
        const res = await post(
          webhook.url,
          build({ name: 'check_inventory', parameters: { product }, languageCode }),
        );
        expect(res.status).toBe(200);
        expect(textOf(edition, res.body)).toBe(expected(t, languageCode));
      });
    });
  });

  it('answers from this source: a changed stock shows', async () => {
    changesDemoData();
    if (source === 'mysql') {
      await mariadb.admin("UPDATE products SET stock = 3 WHERE id = 'latte'");
    } else {
      await testFirestore().collection('products').doc('latte').update({ stock: 3 });
    }
    const res = await post(
      webhook.url,
      esRequest({ name: 'check_inventory', parameters: { product: '拿鐵咖啡豆' } }),
    );
    expect(textOf('es', res.body)).toBe(en.productInStock({ name: 'Latte beans', stock: 3 }));
  });

  it('a stored product of the wrong shape: the polite reply and a warning', async () => {
    changesDemoData();
    const broken: [string, string][] = [];
    if (source === 'mysql') {
      await mariadb.admin(
        "INSERT INTO products (id, name_en, name_zh_tw, stock) VALUES ('nameless', '', NULL, 5), ('negative', 'Negative', '負數', -1)",
      );
      broken.push(['nameless', 'nameless'], ['negative', '負數']);
    } else {
      const products = testFirestore().collection('products');
      await products.doc('nameless').set({ name: 5, stock: 5 });
      await products.doc('negative').set({ name: 'Negative', stock: -1, nameKeys: ['負數'] });
      broken.push(['nameless', 'nameless'], ['negative (by name)', '負數']);
    }
    for (const [, product] of broken) {
      const before = webhook.logs.length;
      const res = await post(
        webhook.url,
        cxRequest({ name: 'check_inventory', parameters: { product }, languageCode: 'zh-TW' }),
      );
      expect(textOf('cx', res.body)).toBe(zh.backendDown);
      const warning = webhook.logs
        .slice(before)
        .find((l) => l.severity === 'WARNING' && l.backend === source);
      expect(warning?.message).toBe('backend failed');
    }
    // The others still answer.
    const res = await post(
      webhook.url,
      esRequest({ name: 'check_inventory', parameters: { product: 'latte' } }),
    );
    expect(textOf('es', res.body)).toBe(latte(en, 'en'));
  });
});

describe('SQL injection in the product parameter', () => {
  let inventory: Inventory;
  let webhook: TestWebhook;
  beforeAll(async () => {
    inventory = inventoryFor('mysql');
    webhook = await startWebhook({ backends: { inventory } });
  });
  afterAll(async () => {
    await webhook.close();
    await inventory.close();
  });

  const attempts = [
    "latte' OR '1'='1",
    "' OR 1=1 -- ",
    "latte' -- ",
    "latte'#",
    'latte"; -- ',
    "latte'/**/OR/**/'1'='1",
    "' UNION SELECT id, name_en, name_zh_tw, 999 FROM products -- ",
    "x' UNION ALL SELECT 'latte', 'Latte beans', NULL, 1000000 #",
    "latte'; DROP TABLE products; --",
    "latte'; UPDATE products SET stock = 0; --",
    "latte'; DELETE FROM products; #",
    "latte\\'; TRUNCATE products; -- ",
    '1 OR 1=1',
    '1; SELECT SLEEP(5)',
    "latte' AND SLEEP(5) -- ",
    '%',
    'latte%',
    '_atte',
    '`products`',
    "拿鐵咖啡豆' OR '1'='1",
  ];

  it.each(attempts)('%s: "unknown product", and nothing changes', async (attempt) => {
    const before = await mariadb.products();
    const tables = await mariadb.admin('SHOW TABLES');
    for (const [edition, build] of EDITIONS) {
      const res = await post(
        webhook.url,
        build({ name: 'check_inventory', parameters: { product: attempt } }),
      );
      expect(res.status).toBe(200);
      expect(textOf(edition, res.body)).toBe(en.productUnknown({ product: attempt.trim() }));
    }
    expect(await mariadb.products()).toEqual(before);
    expect(await mariadb.admin('SHOW TABLES')).toEqual(tables);
    expect(before.map((r) => [r.id, r.stock])).toEqual([
      ['croissant', 7],
      ['latte', 42],
      ['matcha', 0],
      ['oolong-tea', 15],
    ]);
  });
});

describe('the MySQL pool', () => {
  it('serves 50 concurrent lookups with at most connectionLimit connections', async () => {
    const inventory = inventoryFor('mysql', { connectionLimit: 5 }) as MysqlInventory;
    const webhook = await startWebhook({ backends: { inventory } });
    let sampling = true;
    let most = 0;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await mariadb.admin<({ n: number } & RowDataPacket)[]>(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'inventory'",
        );
        most = Math.max(most, Number(row?.n ?? 0));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      const asks: [string, string][] = [
        ['latte', latte(en, 'en')],
        ['拿鐵咖啡豆', latte(en, 'en')],
        ['ＣＲＯＩＳＳＡＮＴ', en.productInStock({ name: 'Croissant', stock: 7 })],
        ['matcha', en.productOutOfStock({ name: 'Matcha powder' })],
        ['durian', en.productUnknown({ product: 'durian' })],
      ];
      const replies = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const [product, expected] = asks[i % asks.length]!;
          const edition = i % 2 ? 'es' : 'cx';
          const build = edition === 'es' ? esRequest : cxRequest;
          const res = await post(
            webhook.url,
            build({ name: 'check_inventory', parameters: { product } }),
          );
          return [textOf(edition, res.body), expected];
        }),
      );
      for (const [got, expected] of replies) expect(got).toBe(expected);
      expect(inventory.stats.destroyed).toBe(0);
    } finally {
      sampling = false;
      await sampler;
      await webhook.close();
      await inventory.close();
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(5);
  });
});

describe('productKey', () => {
  it.each([
    ['latte', 'latte'],
    ['  LATTE  ', 'latte'],
    ['ＬＡＴＴＥ', 'latte'],
    ['Ｍａｔｃｈａ\u3000Ｐｏｗｄｅｒ', 'matcha powder'],
    ['Oolong \t  Tea', 'oolong tea'],
    ['拿鐵咖啡豆', '拿鐵咖啡豆'],
    ['ｶﾌｪﾗﾃ', 'カフェラテ'],
    ['１００１', '1001'],
  ])('%s → %s', (text, key) => {
    expect(productKey(text)).toBe(key);
  });
});

describe('migrations', () => {
  const database = 'migration_test';
  let settings: MysqlSettings;
  let dir: string;
  beforeEach(async () => {
    await mariadb.admin(`DROP DATABASE IF EXISTS ${database}`);
    await mariadb.admin(`CREATE DATABASE ${database}`);
    await mariadb.admin(`GRANT ALL PRIVILEGES ON ${database}.* TO 'inventory'@'127.0.0.1'`);
    settings = { ...mariadb.settings, database };
    dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    for (const m of readMigrations()) writeFileSync(join(dir, m.version), m.text);
    return () => rmSync(dir, { recursive: true, force: true });
  });
  const rows = <T extends RowDataPacket[]>(sql: string) =>
    mariadb.admin<T>(sql.replaceAll('{db}', database));

  it('applies each schema file once, the data on every run, and records checksums', async () => {
    expect(await migrateMysql(settings, dir)).toEqual({
      applied: ['001-create-products.sql', '002-add-name-ja.sql'],
      products: 4,
    });
    await rows("UPDATE {db}.products SET stock = 1 WHERE id = 'latte'");
    expect(await migrateMysql(settings, dir)).toEqual({ applied: [], products: 4 });
    const recorded = await rows('SELECT version, checksum FROM {db}.schema_migrations');
    expect(recorded.map((r) => [r.version, r.checksum])).toEqual(
      readMigrations()
        .filter((m) => m.kind === 'sql')
        .map((m) => [m.version, m.checksum]),
    );
    const [latteRow] = await rows("SELECT stock FROM {db}.products WHERE id = 'latte'");
    expect(latteRow?.stock).toBe(42); // the demo row is back, as `npm run seed` promises
  });

  it('applies a new file, and refuses an applied file that was edited', async () => {
    await migrateMysql(settings, dir);
    writeFileSync(
      join(dir, '004-add-note.sql'),
      "ALTER TABLE products ADD COLUMN note VARCHAR(20) NULL;\nUPDATE products SET note = 'x';\n",
    );
    expect((await migrateMysql(settings, dir)).applied).toEqual(['004-add-note.sql']);
    expect((await rows("SELECT note FROM {db}.products WHERE id = 'latte'"))[0]?.note).toBe('x');

    writeFileSync(join(dir, '001-create-products.sql'), '-- edited\nSELECT 1;\n');
    await expect(migrateMysql(settings, dir)).rejects.toThrow(/001-create-products.sql changed/);
  });

  it('concurrent runs wait for each other: the schema is applied once', async () => {
    const reports = await Promise.all([1, 2, 3].map(() => migrateMysql(settings, dir)));
    expect(reports.flatMap((r) => r.applied)).toEqual([
      '001-create-products.sql',
      '002-add-name-ja.sql',
    ]);
    expect(await rows('SELECT COUNT(*) AS n FROM {db}.products')).toEqual([{ n: 4 }]);
  });

  it('refuses a data file of the wrong shape, naming it', async () => {
    writeFileSync(
      join(dir, '009-bad.json'),
      JSON.stringify({ products: [{ id: 'Bad Id', names: { en: 'x' }, stock: 1 }] }),
    );
    await expect(migrateMysql(settings, dir)).rejects.toThrow(/009-bad.json/);
  });

  it('the local server listens on loopback only', async () => {
    expect(await mariadb.admin('SELECT @@bind_address AS b, @@skip_networking AS s')).toEqual([
      { b: '127.0.0.1', s: 0 },
    ]);
  });
});
