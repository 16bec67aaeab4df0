import { say, type IntentHandler } from '../../shared/conversation';
import type { WeatherService } from '../backends/weather';
import { backendFailure } from './backend-failure';

const CITY = /^[\p{L}\p{M}\p{N} .,'’()-]{1,85}$/u;

/** get_weather (geo-city): current weather through the weather API, cached per city and language. */
export function getWeather(weather: WeatherService): IntentHandler {
  return async (ctx) => {
    const city = ctx.params.string('geo-city');
    if (!city || !CITY.test(city)) return say(ctx.t.askCity);
    try {
      const result = await weather.current(city, ctx.language, ctx.budget);
      if (result.kind === 'unknown-city') return say(ctx.t.weatherUnknownCity({ city }));
      const w = result.weather;
      return say(
        ctx.t.weatherNow({
          city: w.city,
          description: w.description,
          temperature: w.temperatureC.toFixed(0),
          humidity: w.humidity,
        }),
      );
    } catch (err) {
      return backendFailure(ctx, 'weather', err, ctx.t.weatherUnavailable);
    }
  };
}
