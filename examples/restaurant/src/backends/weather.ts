import * as z from 'zod';
import { createCoalescingCache } from '@dialogflow-functions/core/cache';
import type { Budget } from '@dialogflow-functions/core/conversation';
import { ApiError, type HttpClient } from '@dialogflow-functions/core/http';
import type { Language } from '@dialogflow-functions/core/messages';

/** Current weather for a city, as the reply needs it. */
export interface CurrentWeather {
  /** The city's name as the API gives it in the asked language (OpenWeatherMap localises known cities). */
  city: string;
  description: string;
  temperatureC: number;
  feelsLikeC: number | undefined;
  humidity: number | undefined;
  /** The condition's icon (OpenWeatherMap `weather[0].icon`, e.g. `10d`) as an HTTPS image URL. */
  iconUrl: string | undefined;
}

export type WeatherResult = { kind: 'ok'; weather: CurrentWeather } | { kind: 'unknown-city' };

/** The weather API could not give an answer (down, slow, garbage, not configured). */
export class WeatherUnavailableError extends Error {
  override readonly name = 'WeatherUnavailableError';
  constructor(readonly reason: string) {
    super(`weather unavailable: ${reason}`);
  }
}

export interface WeatherService {
  /** Current weather, cached 5 minutes per city and language; concurrent lookups coalesce. */
  current(
    city: string,
    language: Language,
    budget: Budget,
  ): Promise<WeatherResult & { cached: boolean }>;
}

/** OpenWeatherMap `/data/2.5/weather` (only what we read; the rest is ignored). */
const OwmCurrent = z.looseObject({
  name: z.string(),
  weather: z
    .array(
      z.looseObject({
        description: z.string(),
        icon: z
          .string()
          .regex(/^\d{2}[dn]$/)
          .optional()
          .catch(undefined),
      }),
    )
    .min(1),
  main: z.looseObject({
    temp: z.number(),
    feels_like: z.number().optional(),
    humidity: z.number().optional(),
  }),
});

/** OpenWeatherMap's `lang` for each reply language (one it lacks is asked in English). */
const OWM_LANG: Partial<Record<Language, string>> = { en: 'en', 'zh-TW': 'zh_tw', ja: 'ja' };

/** OpenWeatherMap's icon images (https://openweathermap.org/weather-conditions). */
export const weatherIconUrl = (icon: string): string =>
  `https://openweathermap.org/img/wn/${icon}@2x.png`;

export const WEATHER_TTL_MS = 5 * 60 * 1000;

export function createWeatherService(options: {
  baseUrl: string;
  apiKey: string | undefined;
  http: HttpClient;
  ttlMs?: number;
}): WeatherService {
  const cache = createCoalescingCache<CurrentWeather>({
    max: 500,
    ttlMs: options.ttlMs ?? WEATHER_TTL_MS,
  });
  const url = new URL('/data/2.5/weather', options.baseUrl).toString();

  async function fetchWeather(
    city: string,
    language: Language,
    budget: Budget,
  ): Promise<CurrentWeather> {
    let data: unknown;
    try {
      const res = await options.http.request(url, {
        params: {
          q: city,
          appid: options.apiKey,
          units: 'metric',
          lang: OWM_LANG[language] ?? 'en',
        },
        timeoutMs: budget.forCall(150),
        signal: budget.signal,
      });
      data = res.data;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw new UnknownCity();
      if (err instanceof ApiError && err.status === 401)
        throw new WeatherUnavailableError('unauthorized (WEATHER_API_KEY?)');
      if (err instanceof ApiError) throw new WeatherUnavailableError(`HTTP ${err.status}`);
      throw new WeatherUnavailableError((err as Error).message);
    }
    const parsed = OwmCurrent.safeParse(data);
    if (!parsed.success) throw new WeatherUnavailableError('unexpected response body');
    const w = parsed.data;
    const icon = w.weather[0]?.icon;
    return {
      city: w.name,
      description: w.weather[0]?.description ?? '',
      temperatureC: w.main.temp,
      feelsLikeC: w.main.feels_like,
      humidity: w.main.humidity,
      iconUrl: icon ? weatherIconUrl(icon) : undefined,
    };
  }

  return {
    async current(city, language, budget) {
      const key = `${city.trim().toLowerCase()}|${language}`;
      try {
        const { value, hit } = await budget.bound(
          cache.get(key, () => fetchWeather(city.trim(), language, budget)),
          'weather lookup',
        );
        return { kind: 'ok', weather: value, cached: hit };
      } catch (err) {
        if (err instanceof UnknownCity) return { kind: 'unknown-city', cached: false };
        throw err;
      }
    },
  };
}

class UnknownCity extends Error {}
