import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type ConfigRole } from '@dialogflow-functions/core/config';
import { restaurantEnv } from '../src/env';

/** The configuration the restaurant's functions see: the framework's variables and its own. */
const parse = (env: NodeJS.ProcessEnv, role: ConfigRole = 'all') =>
  parseConfig(env, role, restaurantEnv);

describe('parseConfig', () => {
  it('has the documented local defaults', () => {
    const c = parse({});
    expect(c).toMatchObject({
      projectId: 'demo-local',
      production: false,
      ports: { webhook: 8080, worker: 8081, devConsole: 8090 },
      tasks: {
        location: 'asia-east1',
        queue: 'fulfillment-jobs',
        workerUrl: 'http://127.0.0.1:8081/',
      },
      webhook: { deadlineMs: 4000 },
      weather: { baseUrl: 'https://api.openweathermap.org' },
      line: { baseUrl: 'https://api.line.me' },
      reservation: { slotCapacity: 20 },
    });
    expect(c.webhook.auth.token).toBeUndefined();
  });

  it('reads every variable', () => {
    const c = parse({
      GOOGLE_CLOUD_PROJECT: 'my-bot-123',
      WEBHOOK_PORT: '9000',
      WEBHOOK_DEADLINE_MS: '2500',
      WEBHOOK_TOKEN: 'x'.repeat(20),
      WEBHOOK_TOKEN_HEADER: 'X-My-Token',
      WEBHOOK_BASIC_AUTH: 'u:p:q',
      CLOUD_TASKS_EMULATOR_HOST: '127.0.0.1:8123',
      FIRESTORE_EMULATOR_HOST: 'localhost:8086',
      NOTIFY_WEBHOOK_URL: 'https://example.com/hook',
      NOTIFY_WEBHOOK_SECRET: 's',
      RESERVATION_SLOT_CAPACITY: '4',
    });
    expect(c.projectId).toBe('my-bot-123');
    expect(c.ports.webhook).toBe(9000);
    expect(c.webhook.deadlineMs).toBe(2500);
    expect(c.webhook.auth.token).toEqual({ header: 'x-my-token', value: 'x'.repeat(20) });
    expect(c.webhook.auth.basic).toEqual({ user: 'u', password: 'p:q' });
    expect(c.tasks.emulatorHost).toBe('127.0.0.1:8123');
    expect(c.firestore.emulatorHost).toBe('localhost:8086');
    expect(c.reservation.slotCapacity).toBe(4);
  });

  const invalid: [Record<string, string>, string][] = [
    [{ WEBHOOK_PORT: 'http' }, 'WEBHOOK_PORT'],
    [{ WORKER_PORT: '70000' }, 'WORKER_PORT'],
    [{ WEBHOOK_DEADLINE_MS: '-1' }, 'WEBHOOK_DEADLINE_MS'],
    [{ WEBHOOK_DEADLINE_MS: '4.5' }, 'WEBHOOK_DEADLINE_MS'],
    [{ GOOGLE_CLOUD_PROJECT: 'Not A Project' }, 'GOOGLE_CLOUD_PROJECT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ WORKER_URL: 'not a url' }, 'WORKER_URL'],
    [{ FIRESTORE_EMULATOR_HOST: 'localhost' }, 'FIRESTORE_EMULATOR_HOST'],
    [{ CLOUD_TASKS_EMULATOR_HOST: 'http://x:1' }, 'CLOUD_TASKS_EMULATOR_HOST'],
    [{ TASKS_SERVICE_ACCOUNT: 'nobody' }, 'TASKS_SERVICE_ACCOUNT'],
    [{ WEBHOOK_BASIC_AUTH: 'nocolon' }, 'WEBHOOK_BASIC_AUTH'],
    [{ WEBHOOK_TOKEN: 'short' }, 'WEBHOOK_TOKEN'],
    [{ WEBHOOK_AUTH: 'off' }, 'WEBHOOK_AUTH'],
    [{ WORKER_AUTH: 'none' }, 'WORKER_AUTH'],
    [{ RESERVATION_SLOT_CAPACITY: '0' }, 'RESERVATION_SLOT_CAPACITY'],
    [{ NOTIFY_WEBHOOK_URL: 'https://example.com' }, 'NOTIFY_WEBHOOK_SECRET'],
    [{ WEBHOOK_OIDC_EMAILS: 'a@b.c' }, 'WEBHOOK_OIDC_AUDIENCE'],
    [{ WEBHOOK_AUTH: 'none', WEBHOOK_TOKEN: 'x'.repeat(20) }, 'WEBHOOK_AUTH'],
    [{ NODE_ENV: 'production', WORKER_AUTH: 'iam' }, 'WEBHOOK_AUTH'],
    [{ NODE_ENV: 'production', WEBHOOK_AUTH: 'none' }, 'WORKER_AUTH'],
    [{ WORKER_OIDC_AUDIENCE: 'https://worker' }, 'TASKS_SERVICE_ACCOUNT'],
    [{ WATCH_ORDER_CHECK_SECONDS: '0' }, 'WATCH_ORDER_CHECK_SECONDS'],
    [{ SMTP_URL: 'http://mail.example' }, 'SMTP_URL'],
    [{ NOTIFY_EMAIL_FROM: 'bot' }, 'NOTIFY_EMAIL_FROM'],
    [{ INVENTORY_SOURCE: 'postgres' }, 'INVENTORY_SOURCE'],
    [{ MYSQL_URL: 'postgres://u:p@h/db' }, 'MYSQL_URL'],
    [{ MYSQL_URL: 'mysql://u:p@h' }, 'MYSQL_URL'],
    [{ MYSQL_URL: 'mysql://u:p@h/db?ssl=true' }, 'MYSQL_URL'],
    [{ MYSQL_URL: 'mysql://:p@h/db' }, 'MYSQL_URL'],
    [{ MYSQL_URL: 'mysql://u:p@h/db?connectionLimit=0' }, 'MYSQL_URL'],
    [{ MYSQL_URL: 'mysql://u:p@localhost/db?socketPath=cloudsql/x' }, 'MYSQL_URL'],
    [{ MYSQL_URL: 'not a url' }, 'MYSQL_URL'],
    [
      {
        NODE_ENV: 'production',
        WEBHOOK_AUTH: 'none',
        WORKER_AUTH: 'iam',
        INVENTORY_SOURCE: 'mysql',
      },
      'MYSQL_URL',
    ],
  ];
  it.each(invalid)('%o names %s', (env, variable) => {
    let error: unknown;
    try {
      parse(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
    expect((error as ConfigError).message.split('\n')).toHaveLength(1);
  });

  it.each([
    [{ WEBHOOK_DEADLINE_MS: '50' }, 'must be between 100 and 29000 (got "50")'],
    [{ WEBHOOK_DEADLINE_MS: '4.5' }, 'must be a whole number (got "4.5")'],
    [{ WEBHOOK_DEADLINE_MS: 'soon' }, 'must be a whole number (got "soon")'],
    [{ WEBHOOK_PORT: '70000' }, 'must be a port number (1–65535) (got "70000")'],
    [{ WATCH_ORDER_CHECK_SECONDS: '0' }, 'must be between 1 and 86400'],
  ])('%o says which rule failed', (env, rule) => {
    expect(() => parse(env)).toThrow(rule);
  });

  it('checks only the settings of the function it is for', () => {
    const production = { NODE_ENV: 'production' };
    expect(() => parse({ ...production, WORKER_AUTH: 'iam' }, 'worker')).not.toThrow();
    expect(() => parse({ ...production, WEBHOOK_AUTH: 'none' }, 'webhook')).not.toThrow();
    expect(() => parse({ ...production, WEBHOOK_AUTH: 'none' }, 'worker')).toThrow(/WORKER_AUTH/);
    expect(() => parse({ NOTIFY_WEBHOOK_URL: 'https://x.test/' }, 'webhook')).not.toThrow();
    expect(() => parse({ NOTIFY_WEBHOOK_URL: 'https://x.test/' }, 'worker')).toThrow(
      /NOTIFY_WEBHOOK_SECRET/,
    );
  });

  it('never prints a secret value', () => {
    expect(() => parse({ SMTP_URL: 'ftp://user:hunter2@mail' })).toThrow(/^(?!.*hunter2)/);
    expect(() => parse({ WEBHOOK_TOKEN: 'tiny-secret' })).toThrow(/^(?!.*tiny-secret)/);
    for (const url of [
      'mysql://u:tiny-secret@h/db?nope=1',
      'mysql://u:tiny-secret@h/',
      'mysql://u:tiny-secret@h/db?connectionLimit=tiny-secret',
    ]) {
      expect(() => parse({ MYSQL_URL: url })).toThrow(/^(?!.*tiny-secret)/);
    }
  });

  it('reads the inventory source and MYSQL_URL (TCP and a Cloud SQL unix socket)', () => {
    expect(parse({}).inventory).toEqual({ source: 'firestore', mysql: undefined });
    expect(
      parse({
        INVENTORY_SOURCE: 'mysql',
        MYSQL_URL: 'mysql://shop:p%40ss%3Aword@10.1.2.3:3307/inventory?connectionLimit=8',
      }).inventory,
    ).toEqual({
      source: 'mysql',
      mysql: {
        host: '10.1.2.3',
        port: 3307,
        socketPath: undefined,
        user: 'shop',
        password: 'p@ss:word',
        database: 'inventory',
        connectionLimit: 8,
        queueLimit: 100,
      },
    });
    expect(
      parse({
        NODE_ENV: 'production',
        WEBHOOK_AUTH: 'none',
        WORKER_AUTH: 'iam',
        INVENTORY_SOURCE: 'mysql',
        MYSQL_URL:
          'mysql://shop:pw@localhost/inventory?socketPath=/cloudsql/my-bot:asia-east1:shop',
      }).inventory.mysql,
    ).toMatchObject({
      socketPath: '/cloudsql/my-bot:asia-east1:shop',
      user: 'shop',
      password: 'pw',
      database: 'inventory',
    });
  });

  it('accepts production with auth stated for both functions', () => {
    const c = parse({
      NODE_ENV: 'production',
      WEBHOOK_TOKEN: 'y'.repeat(32),
      WORKER_AUTH: 'iam',
    });
    expect(c.production).toBe(true);
  });
});
