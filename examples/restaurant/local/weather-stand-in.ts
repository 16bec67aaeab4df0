import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A loopback stand-in for OpenWeatherMap's current-weather API (`GET /data/2.5/weather`), in
 * its wire format, with fixed demo data. `npm start` runs it when no WEATHER_API_BASE_URL is
 * given; tests use `intercept` to make it fail, hang or answer garbage.
 */

/** A city the stand-in knows: names and conditions in the languages it answers (en, zh_tw, ja). */
interface StandInCity {
  id: number;
  coord: { lon: number; lat: number };
  country: string;
  timezone: number;
  names: Localised;
  /** OpenWeatherMap condition: id, group, icon and description per language. */
  condition: { id: number; main: string; icon: string; description: Localised };
  temp: number;
  humidity: number;
}

type Localised = { en: string; zh_tw: string; ja: string };

const TAIPEI: StandInCity = {
  id: 1668341,
  coord: { lon: 121.53, lat: 25.05 },
  country: 'TW',
  timezone: 28800,
  names: { en: 'Taipei', zh_tw: '台北', ja: '台北' },
  condition: {
    id: 500,
    main: 'Rain',
    icon: '10d',
    description: { en: 'light rain', zh_tw: '小雨', ja: '小雨' },
  },
  temp: 21.4,
  humidity: 83,
};

const CITY_LIST: StandInCity[] = [
  TAIPEI,
  {
    id: 1673820,
    coord: { lon: 120.31, lat: 22.62 },
    country: 'TW',
    timezone: 28800,
    names: { en: 'Kaohsiung', zh_tw: '高雄', ja: '高雄' },
    condition: {
      id: 800,
      main: 'Clear',
      icon: '01d',
      description: { en: 'clear sky', zh_tw: '晴', ja: '晴天' },
    },
    temp: 26.1,
    humidity: 70,
  },
  {
    id: 1850147,
    coord: { lon: 139.69, lat: 35.69 },
    country: 'JP',
    timezone: 32400,
    names: { en: 'Tokyo', zh_tw: '東京', ja: '東京' },
    condition: {
      id: 801,
      main: 'Clouds',
      icon: '02d',
      description: { en: 'few clouds', zh_tw: '少雲', ja: '薄い雲' },
    },
    temp: 12.3,
    humidity: 55,
  },
  {
    id: 2643743,
    coord: { lon: -0.13, lat: 51.51 },
    country: 'GB',
    timezone: 0,
    names: { en: 'London', zh_tw: '倫敦', ja: 'ロンドン' },
    condition: {
      id: 804,
      main: 'Clouds',
      icon: '04d',
      description: { en: 'overcast clouds', zh_tw: '陰，多雲', ja: '厚い雲' },
    },
    temp: 7.8,
    humidity: 88,
  },
  {
    id: 5128581,
    coord: { lon: -74.01, lat: 40.71 },
    country: 'US',
    timezone: -18000,
    names: { en: 'New York', zh_tw: '紐約', ja: 'ニューヨーク' },
    condition: {
      id: 803,
      main: 'Clouds',
      icon: '04n',
      description: { en: 'broken clouds', zh_tw: '多雲', ja: '曇りがち' },
    },
    temp: 4.2,
    humidity: 60,
  },
];

/** Every name of every city (any language, any case) → the city. */
const CITIES = new Map<string, StandInCity>(
  CITY_LIST.flatMap((c) =>
    [...Object.values(c.names), c.names.zh_tw.replace('台', '臺')].map(
      (n) => [n.toLowerCase(), c] as const,
    ),
  ),
);

const localised = (text: Localised, lang: string): string =>
  lang === 'zh_tw' || lang === 'ja' ? text[lang] : text.en;

/** What a test wants the stand-in to do with one request instead of answering normally. */
export type Interception =
  | { status: number; body?: unknown; headers?: Record<string, string>; raw?: string }
  | 'hang'
  | 'reset'
  | undefined;

export interface WeatherStandIn {
  url: string;
  /** Requests received, in order (path and query). */
  requests: URL[];
  /** Decides per request (0-based count) whether to answer differently. */
  intercept: ((url: URL, index: number) => Interception) | undefined;
  close(): Promise<void>;
}

/** The API's answer for `q` in `lang`: city names and descriptions localised like OpenWeatherMap's. */
export function currentWeatherBody(q: string, lang: string): { status: number; body: unknown } {
  const city = CITIES.get(q.trim().toLowerCase());
  if (!city) return { status: 404, body: { cod: '404', message: 'city not found' } };
  const { condition } = city;
  return {
    status: 200,
    body: {
      coord: city.coord,
      weather: [
        {
          id: condition.id,
          main: condition.main,
          description: localised(condition.description, lang),
          icon: condition.icon,
        },
      ],
      base: 'stations',
      main: {
        temp: city.temp,
        feels_like: Math.round((city.temp - 0.6) * 100) / 100,
        temp_min: city.temp - 1,
        temp_max: city.temp + 1,
        pressure: 1016,
        humidity: city.humidity,
      },
      visibility: 10000,
      wind: { speed: 3.6, deg: 70 },
      clouds: { all: 75 },
      dt: Math.floor(Date.now() / 1000),
      sys: { country: city.country, sunrise: 1764108000, sunset: 1764147000 },
      timezone: city.timezone,
      id: city.id,
      name: localised(city.names, lang),
      cod: 200,
    },
  };
}

export async function startWeatherStandIn(port = 0): Promise<WeatherStandIn> {
  const requests: URL[] = [];
  const hanging = new Set<ServerResponse>();
  const standIn: WeatherStandIn = {
    url: '',
    requests,
    intercept: undefined,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const index = requests.length;
    requests.push(url);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const special = standIn.intercept?.(url, index);
    if (special === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (special === 'reset') {
      req.socket.destroy();
      return;
    }
    if (special) {
      if (special.raw !== undefined) send(special.status, special.raw, special.headers);
      else send(special.status, special.body ?? {}, special.headers);
      return;
    }
    if (req.method !== 'GET' || url.pathname !== '/data/2.5/weather') {
      send(404, { cod: '404', message: 'Internal error' });
      return;
    }
    const q = url.searchParams.get('q');
    if (!q) {
      send(400, { cod: '400', message: 'Nothing to geocode' });
      return;
    }
    const { status, body } = currentWeatherBody(q, url.searchParams.get('lang') ?? 'en');
    send(status, body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}
