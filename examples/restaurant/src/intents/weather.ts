import { say, show, type IntentHandler } from '@dialogflow-functions/core/conversation';
import type { WeatherService } from '../backends/weather';
import { backendFailure } from './backend-failure';

const CITY = /^[\p{L}\p{M}\p{N} .,'’()-]{1,85}$/u;

/**
 * get_weather (geo-city): current weather through the weather API (asked in the user's
 * language, so the city's name comes back localised), as a card with the condition's icon.
 */
export function getWeather(weather: WeatherService): IntentHandler {
  return async (ctx) => {
    const city = ctx.params.string('geo-city');
    if (!city || !CITY.test(city)) return say(ctx.t.askCity);
    try {
      const result = await weather.current(city, ctx.language, ctx.budget);
      if (result.kind === 'unknown-city') return say(ctx.t.weatherUnknownCity({ city }));
      const w = result.weather;
      const temperature = String(Math.round(w.temperatureC));
      const { description, humidity } = w;
      return show({
        kind: 'card',
        title: w.city,
        subtitle: ctx.t.weatherSummary({ description, temperature }),
        ...(humidity === undefined ? {} : { text: ctx.t.weatherHumidity({ humidity }) }),
        ...(w.iconUrl ? { image: { url: w.iconUrl, alt: description } } : {}),
        fallback: ctx.t.weatherNow({ city: w.city, description, temperature, humidity }),
      });
    } catch (err) {
      return backendFailure(ctx, 'weather', err, ctx.t.weatherUnavailable);
    }
  };
}
