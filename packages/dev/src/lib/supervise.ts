import type { Service } from '@dialogflow-functions/testing/processes';

/** A child `npm start` keeps running: restarted with backoff when it dies on its own. */
export interface Supervised {
  readonly name: string;
  /** The process running now (a new one after each restart). */
  readonly current: Service;
  /** Stops the running process and starts a new one (`npm run dev` after a rebuild). */
  restart(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
  /** SIGKILL now, for good. */
  kill(): void;
}

export interface SuperviseOptions {
  name: string;
  /** Starts one process. */
  start: () => Service;
  /** Resolves once a process serves; rejects if it died first. */
  ready: (service: Service) => Promise<void>;
  log: (line: string) => void;
  /** First wait before a restart (doubling each time, up to `maxBackoffMs`). Default 250. */
  initialBackoffMs?: number;
  /** Default 10 s. */
  maxBackoffMs?: number;
  /** A process that served this long starts the backoff over. Default 30 s. */
  resetAfterMs?: number;
}

/**
 * Starts `options.start()` and resolves once it is ready. From then on, a process that exits
 * without being asked to is started again after 0.25 s, 0.5 s, 1 s, … (at most 10 s; back to
 * 0.25 s once one has run for 30 s), so a crash costs a moment, not the stack.
 */
export async function supervise(options: SuperviseOptions): Promise<Supervised> {
  const initial = options.initialBackoffMs ?? 250;
  const max = options.maxBackoffMs ?? 10_000;
  const resetAfter = options.resetAfterMs ?? 30_000;
  let current: Service;
  let startedAt = 0;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let replacing: Service | undefined;

  const launch = (): Service => {
    const service = options.start();
    current = service;
    startedAt = Date.now();
    void service.exited.then((code) => {
      // Asked to stop, or already replaced by a restart: nothing to do.
      if (stopped || service !== current || service === replacing) return;
      if (Date.now() - startedAt >= resetAfter) failures = 0;
      const delay = Math.min(max, initial * 2 ** failures);
      failures++;
      const how = code === null ? `signal ${service.child.signalCode ?? '?'}` : `code ${code}`;
      options.log(`${options.name} exited (${how}); restarting in ${delay} ms`);
      timer = setTimeout(() => {
        if (stopped) return;
        const next = launch();
        options.ready(next).then(
          () => options.log(`${options.name} restarted (pid ${next.child.pid})`),
          () => undefined, // its exit schedules the next attempt
        );
      }, delay);
    });
    return service;
  };

  await options.ready(launch());
  return {
    name: options.name,
    get current() {
      return current;
    },
    async restart() {
      if (stopped) return;
      clearTimeout(timer);
      // Its port is free only once it is gone; its exit is expected, not a crash.
      replacing = current;
      await current.stop();
      await options.ready(launch());
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current.stop();
    },
    kill() {
      stopped = true;
      clearTimeout(timer);
      current.kill();
    },
  };
}
