import { mkdirSync } from 'node:fs';
import type { Bot, RunningLocalService } from '@dialogflow-functions/core';

/** The bot's local services, started in order; each sees the variables the earlier ones set. */
export interface StartedServices {
  /** The environment with every service's variables. */
  env: NodeJS.ProcessEnv;
  /** What each service said about itself. */
  notes: string[];
  /** Stops them in reverse order (and whatever processes they reported). */
  stop(): Promise<void>;
}

export async function startLocalServices(
  bot: Bot,
  options: {
    env: NodeJS.ProcessEnv;
    projectDir: string;
    dataDir: (name: string) => string;
    log: (service: string, line: string) => void;
  },
): Promise<StartedServices> {
  const env: NodeJS.ProcessEnv = { ...options.env };
  const notes: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    for (const service of bot.localServices ?? []) {
      const dir = options.dataDir(service.name);
      mkdirSync(dir, { recursive: true });
      const running: RunningLocalService | undefined = await service.start({
        env,
        projectDir: options.projectDir,
        dataDir: dir,
        log: (line) => options.log(service.name, line),
        own: (stopIt) => stops.push(stopIt),
      });
      if (!running) continue;
      stops.push(() => running.stop());
      Object.assign(env, running.env ?? {});
      notes.push(...(running.notes ?? []));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, notes, stop };
}
