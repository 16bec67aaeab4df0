import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A loopback stand-in for OpenWeatherMap's current-weather API (`GET /data/2.5/weather`), in
 * its wire format, with fixed demo data. `npm start` runs it when no WEATHER_API_BASE_URL is
 * given; tests use `intercept` to make it fail, hang or answer garbage.
 */

const CITIES: Record<
  string,
  { name: string; en: string; zh: string; temp: number; humidity: number; id: number }
> = {
  taipei: { name: 'Taipei', en: 'light rain', zh: '小雨', temp: 21.4, humidity: 83, id: 1668341 },
  台北: { name: 'Taipei', en: 'light rain', zh: '小雨', temp: 21.4, humidity: 83, id: 1668341 },
  臺北: { name: 'Taipei', en: 'light rain', zh: '小雨', temp: 21.4, humidity: 83, id: 1668341 },
  kaohsiung: {
    name: 'Kaohsiung',
    en: 'clear sky',
    zh: '晴',
    temp: 26.1,
    humidity: 70,
    id: 1673820,
  },
  tokyo: { name: 'Tokyo', en: 'few clouds', zh: '少雲', temp: 12.3, humidity: 55, id: 1850147 },
  london: {
    name: 'London',
    en: 'overcast clouds',
    zh: '陰，多雲',
    temp: 7.8,
    humidity: 88,
    id: 2643743,
  },
  'new york': {
    name: 'New York',
    en: 'broken clouds',
    zh: '多雲',
    temp: 4.2,
    humidity: 60,
    id: 5128581,
  },
};

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

export function currentWeatherBody(q: string, lang: string): { status: number; body: unknown } {
  const city = CITIES[q.trim().toLowerCase()];
  if (!city) return { status: 404, body: { cod: '404', message: 'city not found' } };
  return {
    status: 200,
    body: {
      coord: { lon: 121.53, lat: 25.05 },
      weather: [
        { id: 500, main: 'Rain', description: lang === 'zh_tw' ? city.zh : city.en, icon: '10d' },
      ],
      base: 'stations',
      main: {
        temp: city.temp,
        feels_like: city.temp - 0.6,
        temp_min: city.temp - 1,
        temp_max: city.temp + 1,
        pressure: 1016,
        humidity: city.humidity,
      },
      visibility: 10000,
      wind: { speed: 3.6, deg: 70 },
      clouds: { all: 75 },
      dt: Math.floor(Date.now() / 1000),
      sys: { country: 'TW', sunrise: 1764108000, sunset: 1764147000 },
      timezone: 28800,
      id: city.id,
      name: city.name,
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
