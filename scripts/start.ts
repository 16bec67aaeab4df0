/*
 * `npm start`: the whole stack on this machine with no Google account. Starts what the
 * environment does not already provide, prints the URLs, and stops every child on Ctrl-C.
 */
import { parseConfig, ConfigError } from '../shared/config';
import { formatLogLine } from './lib/log-format';
import { portIsFree, spawnFunction, waitForPort, type Service } from './lib/processes';

const services: Service[] = [];
let stopping = false;

function prefixed(name: string) {
  const tag = `[${name}]`.padEnd(11);
  return (line: string) => console.log(`${tag} ${formatLogLine(line)}`);
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const s of [...services].reverse()) await s.stop();
  }
  process.exit(code);
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      console.log(`\n${sig}: stopping ${services.map((s) => s.name).join(', ')}…`);
      void stopAll(0);
    });
  }

  const env: NodeJS.ProcessEnv = { ...process.env };

  for (const [target, port] of [
    ['webhook', config.ports.webhook],
    ['worker', config.ports.worker],
  ] as const) {
    if (!(await portIsFree('127.0.0.1', port))) {
      console.error(`Port ${port} is in use: set ${target.toUpperCase()}_PORT to another port.`);
      await stopAll(1);
    }
    const service = spawnFunction({ target, port, env, onLine: prefixed(target) });
    services.push(service);
    void service.exited.then((code) => {
      if (!stopping) {
        console.error(`${target} exited (code ${code}); stopping the stack.`);
        void stopAll(1);
      }
    });
    await waitForPort('127.0.0.1', port, 30_000, service);
  }

  console.log(`
Local stack is up (NODE_ENV=${config.nodeEnv}, project ${config.projectId}):
  webhook  http://127.0.0.1:${config.ports.webhook}/
  worker   http://127.0.0.1:${config.ports.worker}/

Try:  npm run simulate -- "Default Welcome Intent"
      npm run simulate -- welcome --cx --lang zh-TW
Ctrl-C stops everything.
`);
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  await stopAll(1);
});
