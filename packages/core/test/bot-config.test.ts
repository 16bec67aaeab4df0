import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineBot, parseBotConfig, say } from '../src';
import { ConfigError, envVar, parseConfig } from '../src/config';

/** A bot's own settings, as a bot declares them. */
const env = z
  .object({
    SHOP_CAPACITY: envVar.int(20, 1, 500),
    SHOP_API_KEY: envVar.string(),
    SHOP_API_URL: envVar.urlOr('https://shop.example'),
    SHOP_MODE: envVar.oneOf(['live', 'demo'], 'demo'),
    SHOP_OPEN: envVar.bool(true),
  })
  .transform((e) => ({
    shop: {
      capacity: e.SHOP_CAPACITY,
      apiKey: e.SHOP_API_KEY,
      url: e.SHOP_API_URL,
      mode: e.SHOP_MODE,
      open: e.SHOP_OPEN,
    },
  }));

const errorOf = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
};

describe("a bot's env, merged into the configuration", () => {
  it('gives the defaults and the framework settings side by side', () => {
    const c = parseConfig({}, 'all', env);
    expect(c.shop).toEqual({
      capacity: 20,
      apiKey: undefined,
      url: 'https://shop.example',
      mode: 'demo',
      open: true,
    });
    expect(c.projectId).toBe('demo-local');
    expect(c.webhook.deadlineMs).toBe(4000);
  });

  it('reads the variables', () => {
    const c = parseConfig(
      { SHOP_CAPACITY: '7', SHOP_API_KEY: 'k', SHOP_MODE: 'live', SHOP_OPEN: 'no' },
      'all',
      env,
    );
    expect(c.shop).toMatchObject({ capacity: 7, apiKey: 'k', mode: 'live', open: false });
  });

  it.each([
    [{ SHOP_CAPACITY: '0' }, 'SHOP_CAPACITY', /must be between 1 and 500 \(got "0"\)/],
    [{ SHOP_MODE: 'test' }, 'SHOP_MODE', /must be live or demo/],
    [{ SHOP_OPEN: 'maybe' }, 'SHOP_OPEN', /must be true or false/],
    [{ SHOP_API_URL: 'ftp://x' }, 'SHOP_API_URL', /must be an http\(s\) URL$/],
  ])('%o stops the start naming %s', (vars, variable, message) => {
    const error = errorOf(() => parseConfig(vars, 'all', env));
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it("checks the framework's variables first", () => {
    expect(
      errorOf(() => parseConfig({ WEBHOOK_PORT: 'x', SHOP_CAPACITY: '0' }, 'all', env)).variable,
    ).toBe('WEBHOOK_PORT');
  });

  it('never prints the value of a variable whose name says it is secret', () => {
    const secret = z.object({ SHOP_TOKEN: z.string().min(40, 'is too short') });
    const error = errorOf(() => parseConfig({ SHOP_TOKEN: 'tiny-secret' }, 'all', secret));
    expect(error.variable).toBe('SHOP_TOKEN');
    expect(error.message).not.toContain('tiny-secret');
  });

  it('parseBotConfig reads a defined bot with or without env', () => {
    const fallback = () => say('sorry');
    const withEnv = defineBot({ intents: () => new Map(), fallback, env });
    expect(
      (parseBotConfig(withEnv, { SHOP_CAPACITY: '3' }) as unknown as { shop: { capacity: number } })
        .shop.capacity,
    ).toBe(3);
    const without = defineBot({ intents: () => new Map(), fallback });
    expect(parseBotConfig(without, {}).projectId).toBe('demo-local');
  });

  it('defineBot refuses a bot without intents or fallback', () => {
    expect(() => defineBot({ intents: undefined as never, fallback: () => say('x') })).toThrow(
      /intents/,
    );
    expect(() => defineBot({ intents: () => new Map(), fallback: undefined as never })).toThrow(
      /fallback/,
    );
  });
});
