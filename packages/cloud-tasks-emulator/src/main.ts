/*
 * `npm run tasks-emulator -- --port N [--host 127.0.0.1] [--data-dir D] [--status-port N]`
 * A Cloud Tasks v2 emulator for HTTP targets that the real @google-cloud/tasks client talks to
 * (set CLOUD_TASKS_EMULATOR_HOST=host:port). Ctrl-C saves (with --data-dir) and stops.
 */
import { parseArgs } from 'node:util';
import { startTasksEmulator } from './server';

const USAGE =
  'usage: npm run tasks-emulator -- --port N [--host 127.0.0.1] [--data-dir DIR] [--status-port N] [--quiet]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8123' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'status-port': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  const statusPort =
    values['status-port'] === undefined ? undefined : Number(values['status-port']);
  if (
    !Number.isInteger(port) ||
    port < 0 ||
    port > 65535 ||
    (statusPort !== undefined && !Number.isInteger(statusPort))
  ) {
    console.error(USAGE);
    process.exit(2);
  }
  const running = await startTasksEmulator({
    host: values.host,
    port,
    statusPort,
    dataDir: values['data-dir'],
    log: (message, fields) => {
      if (!values.quiet) {
        const severity = fields.outcome === 'gave-up' ? 'WARNING' : 'INFO';
        console.log(JSON.stringify({ severity, message, ...fields }));
      }
    },
  });
  console.log(
    JSON.stringify({
      severity: 'NOTICE',
      message: `Cloud Tasks emulator listening on ${running.host}`,
      env: `CLOUD_TASKS_EMULATOR_HOST=${running.host}`,
      statusUrl: running.statusUrl,
      dataDir: values['data-dir'] ?? '(in memory)',
    }),
  );
  const stop = () => {
    void running.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Started by npm start (or a test) with an IPC channel: stop when that process is gone.
  if (process.channel) process.once('disconnect', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
