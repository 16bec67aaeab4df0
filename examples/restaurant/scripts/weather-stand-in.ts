/* `npm run weather-stand-in -- [--port 8095]`: the loopback OpenWeatherMap stand-in on its own. */
import { parseArgs } from 'node:util';
import { startWeatherStandIn } from '../local/weather-stand-in';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8095' } } });
startWeatherStandIn(Number(values.port)).then(
  (s) => {
    console.log(`Weather stand-in on ${s.url} (set WEATHER_API_BASE_URL=${s.url})`);
    const stop = () => void s.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  },
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
