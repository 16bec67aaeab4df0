import type { LocalService } from '@dialogflow-functions/core';
import { parseMysqlUrl } from '../src/env';

/* eslint-disable @typescript-eslint/no-require-imports -- each loaded only when it starts */
/*
 * The restaurant's stand-ins for `dff start` (defineBot({ localServices })). Each module is loaded
 * only when the service starts, so the deployed functions never load (nor need) them.
 */

/** OpenWeatherMap's current-weather API on loopback, unless WEATHER_API_BASE_URL names one. */
export const weatherApi: LocalService = {
  name: 'weather',
  async start(ctx) {
    if (ctx.env.WEATHER_API_BASE_URL) {
      return {
        notes: [`weather  ${ctx.env.WEATHER_API_BASE_URL} (WEATHER_API_BASE_URL)`],
        stop: async () => undefined,
      };
    }
    const { startWeatherStandIn } =
      require('./weather-stand-in') as typeof import('./weather-stand-in');
    const standIn = await startWeatherStandIn(0);
    return {
      env: { WEATHER_API_BASE_URL: standIn.url },
      notes: [
        `weather  ${standIn.url} (local stand-in with demo data; set WEATHER_API_BASE_URL + WEATHER_API_KEY for the real API)`,
      ],
      stop: () => standIn.close(),
    };
  },
};

/**
 * With INVENTORY_SOURCE=mysql: a local MariaDB (Debian's mariadb-server binaries, data in
 * .data/mariadb) unless MYSQL_URL names a database, migrated and seeded either way.
 */
export const mariadb: LocalService = {
  name: 'mariadb',
  async start(ctx) {
    if (ctx.env.INVENTORY_SOURCE !== 'mysql') return undefined;
    const { ensureMariadb } = require('./mariadb') as typeof import('./mariadb');
    const { migrateMysql } =
      require('../src/inventory/migrate') as typeof import('../src/inventory/migrate');
    const given = ctx.env.MYSQL_URL ? parseMysqlUrl(ctx.env.MYSQL_URL) : undefined;
    if (typeof given === 'string') throw new Error(`MYSQL_URL ${given}`);
    if (!given) ctx.log('Starting MariaDB…');
    const { settings, server } = await ensureMariadb({
      settings: given,
      dir: ctx.dataDir,
      onSpawn: (service) => ctx.own(() => service.stop()),
      onLine: (line) => {
        if (/\[ERROR\]/.test(line)) ctx.log(line);
      },
    });
    const migrated = await migrateMysql(settings);
    const where = settings.socketPath ?? `${settings.host}:${settings.port}`;
    return {
      ...(server ? { env: { MYSQL_URL: server.url } } : {}),
      notes: [
        `mysql    ${where} database ${settings.database} (${server ? 'MariaDB, started here, data in .data/mariadb' : 'MYSQL_URL, not started here'})`,
        `inventory INVENTORY_SOURCE=mysql: ${migrated.applied.length ? `applied ${migrated.applied.join(', ')}; ` : ''}${migrated.products} demo products (latte, matcha, croissant, oolong-tea)`,
      ],
      stop: async () => {
        await server?.stop();
      },
    };
  },
};
