import { createLogger, type Logger } from '@dialogflow-functions/core/logger';
import { serveFunction } from '@dialogflow-functions/testing/serve';
import { createTasksClient } from '@dialogflow-functions/core/tasks';
import { createBotWebhook } from '@dialogflow-functions/core/webhook';
import { createBotWorker } from '@dialogflow-functions/core/worker';
import { parseBotConfig, type Bot } from '@dialogflow-functions/core';
import { webhookAuthHeaders } from './agent/webhook-auth';
import { loadAgents } from '../dialogflow-stand-in/load-agents';
import { startDialogflowStandIn } from '../dialogflow-stand-in/server';
import { startTasksEmulator } from 'cloud-tasks-emulator/server';
import { ensureQueue } from './queue';
import { startLocalServices } from './local-services';
import { dataDir, loadBot, projectDir } from '../project';

/*
 * The whole bot in this process, on loopback: the Dialogflow stand-in running agent/, the bot's
 * webhook and worker (served by functions-framework), the Cloud Tasks emulator and the bot's
 * local services, on a Firestore emulator that is already running. What `npm run converse` and the
 * conversation tests talk to.
 */

export interface LocalBot {
  /** host:port of the Dialogflow stand-in (DIALOGFLOW_EMULATOR_HOST). */
  dialogflowHost: string;
  webhookUrl: string;
  workerUrl: string;
  stop(): Promise<void>;
}

export async function startLocalBot(options: {
  firestoreHost: string;
  /** Environment for the functions' configuration (defaults: the local ones). */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  agentDir?: string;
  /** Default: the project's (bot.ts). */
  bot?: Bot;
}): Promise<LocalBot> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const logger = options.logger ?? createLogger({ sink: () => undefined });
    const bot = options.bot ?? loadBot();
    const tasks = await startTasksEmulator({ port: 0 });
    stops.push(() => tasks.stop());
    const services = await startLocalServices(bot, {
      env: {
        ...options.env,
        NODE_ENV: options.env?.NODE_ENV ?? 'development',
        FIRESTORE_EMULATOR_HOST: options.firestoreHost,
        CLOUD_TASKS_EMULATOR_HOST: tasks.host,
      },
      projectDir: projectDir(),
      dataDir: (name) => dataDir(name),
      log: () => undefined,
    });
    stops.push(() => services.stop());
    const base = services.env;
    const workerConfig = parseBotConfig(bot, base);
    const worker = await serveFunction(createBotWorker(bot, workerConfig, { logger }));
    stops.push(() => worker.close());
    const config = parseBotConfig(bot, { ...base, WORKER_URL: worker.url });
    const tasksClient = await createTasksClient(tasks.host);
    try {
      await ensureQueue(tasksClient, config);
    } finally {
      await tasksClient.close();
    }
    const webhook = await serveFunction(createBotWebhook(bot, config, { logger }));
    stops.push(() => webhook.close());
    const standIn = await startDialogflowStandIn({
      ...loadAgents(options.agentDir),
      webhookUrl: webhook.url,
      webhookHeaders: webhookAuthHeaders(config),
    });
    stops.push(() => standIn.stop());
    return { dialogflowHost: standIn.host, webhookUrl: webhook.url, workerUrl: worker.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
