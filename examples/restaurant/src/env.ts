import { envVar } from '@dialogflow-functions/core';
import * as z from 'zod';

/*
 * The restaurant's own settings (defineBot({ env })): merged into the configuration, checked at
 * each function's start like the framework's (an invalid value stops it, naming the variable).
 */

/** A MySQL/MariaDB connection, from `MYSQL_URL`. */
export interface MysqlSettings {
  /** TCP host (ignored when `socketPath` is set). */
  host: string;
  port: number;
  /** A unix socket instead of TCP, e.g. Cloud SQL's `/cloudsql/PROJECT:REGION:INSTANCE`. */
  socketPath: string | undefined;
  user: string;
  password: string;
  database: string;
  /** Most connections the pool opens. */
  connectionLimit: number;
  /** Most lookups waiting for a connection; more are refused at once. */
  queueLimit: number;
}

const MYSQL_URL_FORM = 'mysql://user:password@host:port/database[?socketPath=/cloudsql/…]';
const MYSQL_PARAMS = new Set(['socketPath', 'connectionLimit', 'queueLimit']);

/**
 * `mysql://user:password@host[:port]/database`, with optional `socketPath`, `connectionLimit`
 * (1–100, default 5) and `queueLimit` (0–10000, default 100) parameters. Returns the settings,
 * or what is wrong (never the value itself: it holds a password).
 */
export function parseMysqlUrl(raw: string): MysqlSettings | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `must be ${MYSQL_URL_FORM}`;
  }
  if (url.protocol !== 'mysql:') return `must start with mysql:// (${MYSQL_URL_FORM})`;
  const database = decode(url.pathname.replace(/^\//, ''));
  if (!database || !/^[A-Za-z0-9_$-]{1,64}$/.test(database)) {
    return `must name a database after the host (${MYSQL_URL_FORM})`;
  }
  const user = decode(url.username);
  const password = decode(url.password);
  if (user === undefined || password === undefined) return 'has a malformed %-escape';
  if (!user) return `must name a user (${MYSQL_URL_FORM})`;
  for (const key of url.searchParams.keys()) {
    if (!MYSQL_PARAMS.has(key)) {
      return `has an unknown parameter ${JSON.stringify(key.slice(0, 40))} (known: ${[...MYSQL_PARAMS].join(', ')})`;
    }
  }
  const socketPath = url.searchParams.get('socketPath') ?? undefined;
  if (socketPath !== undefined && !socketPath.startsWith('/')) {
    return 'socketPath must be an absolute path, e.g. /cloudsql/PROJECT:REGION:INSTANCE';
  }
  const limit = (name: string, fallback: number, min: number, max: number) => {
    const v = url.searchParams.get(name);
    if (v === null) return fallback;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    return n >= min && n <= max ? n : `${name} must be a whole number from ${min} to ${max}`;
  };
  const connectionLimit = limit('connectionLimit', 5, 1, 100);
  if (typeof connectionLimit === 'string') return connectionLimit;
  const queueLimit = limit('queueLimit', 100, 0, 10_000);
  if (typeof queueLimit === 'string') return queueLimit;
  if (!url.hostname && !socketPath) return `must name a host (${MYSQL_URL_FORM})`;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: url.port ? Number(url.port) : 3306,
    socketPath,
    user,
    password,
    database,
    connectionLimit,
    queueLimit,
  };
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** `MYSQL_URL` parsed into connection settings (see {@link parseMysqlUrl}). */
const mysqlUrl = envVar.string().transform((v, ctx) => {
  if (v === undefined) return undefined;
  const parsed = parseMysqlUrl(v);
  if (typeof parsed === 'string') {
    ctx.issues.push({ code: 'custom', message: parsed, input: v });
    return z.NEVER;
  }
  return parsed;
});

/** The variables the restaurant reads, and what they become in `config`. */
export const restaurantEnv = z
  .object({
    NODE_ENV: envVar.string(),
    WEATHER_API_BASE_URL: envVar.urlOr('https://api.openweathermap.org'),
    WEATHER_API_KEY: envVar.string(),
    RESERVATION_SLOT_CAPACITY: envVar.int(20, 1, 100_000),
    WATCH_ORDER_CHECK_SECONDS: envVar.int(600, 1, 86_400),
    INVENTORY_SOURCE: envVar.oneOf(['firestore', 'mysql'], 'firestore'),
    MYSQL_URL: mysqlUrl,
  })
  .superRefine((e, ctx) => {
    // Locally `npm start` starts a MariaDB and sets it; a deployed webhook has nobody to.
    if (e.NODE_ENV === 'production' && e.INVENTORY_SOURCE === 'mysql' && !e.MYSQL_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['MYSQL_URL'],
        message: 'must be set when INVENTORY_SOURCE=mysql in production',
      });
    }
  })
  .transform((e) => ({
    weather: { baseUrl: e.WEATHER_API_BASE_URL, apiKey: e.WEATHER_API_KEY },
    reservation: { slotCapacity: e.RESERVATION_SLOT_CAPACITY },
    watchOrder: { checkSeconds: e.WATCH_ORDER_CHECK_SECONDS },
    /** Where check_inventory reads products: Firestore `products/{id}`, or a MySQL table. */
    inventory: { source: e.INVENTORY_SOURCE, mysql: e.MYSQL_URL },
  }));

export type RestaurantEnv = z.output<typeof restaurantEnv>;
