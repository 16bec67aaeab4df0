import type { Config } from '@dialogflow-functions/core/config';
import type { NotifySink } from '../lib/notify-sink';
import type { SmtpSink } from '../lib/smtp-sink';
import { portIsFree } from '@dialogflow-functions/testing/processes';
import { createStandInDetector } from './detect';
import { startDevConsole, type DevConsole } from './server';

export { startDevConsole, type DevConsole, type DevConsoleOptions } from './server';

/**
 * The dev console as `npm start` runs it, on DEV_CONSOLE_PORT, wired to the stack's services
 * as given in the environment the functions get (`env`). Throws when the port is taken.
 */
export async function startStackConsole(options: {
  config: Config;
  env: NodeJS.ProcessEnv;
  tasksStatusUrl: string | undefined;
  notifySink: NotifySink | undefined;
  smtpSink: SmtpSink | undefined;
  /** host:port of the Dialogflow stand-in, for typed sentences (it may start after this). */
  standInHost?: string;
  log?: (line: string) => void;
}): Promise<DevConsole> {
  const { config, env } = options;
  const port = config.ports.devConsole;
  if (!(await portIsFree('127.0.0.1', port))) {
    throw new Error(`Port ${port} is in use: set DEV_CONSOLE_PORT to another port.`);
  }
  const detector = options.standInHost
    ? createStandInDetector({ host: options.standInHost, projectId: config.projectId })
    : undefined;
  const devConsole = await startDevConsole({
    port,
    config,
    webhookUrl: `http://127.0.0.1:${config.ports.webhook}/`,
    firestoreHost: env.FIRESTORE_EMULATOR_HOST,
    tasksStatusUrl: options.tasksStatusUrl,
    notifySink: options.notifySink,
    smtpSink: options.smtpSink,
    lineToken: env.LINE_CHANNEL_ACCESS_TOKEN,
    detect: detector?.detect,
    standInHost: options.standInHost,
    log: options.log,
  });
  return {
    ...devConsole,
    async close() {
      await devConsole.close();
      await detector?.close();
    },
  };
}
