import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dataDir } from '../project';

/*
 * What a running `npm start` listens on, in `.data/stack-<webhook port>.json`, so commands run
 * in another terminal (`npm run seed`, `npm run order-status`, `npm run converse`) find the
 * emulators it started on free ports.
 */

export interface StackInfo {
  pid: number;
  firestore: string;
  tasks: string;
  webhook: string;
  worker: string;
  /** The project id its functions use (GOOGLE_CLOUD_PROJECT): where its Firestore data is. */
  projectId?: string;
}

const STACK_FILE = /^stack-(\d+)\.json$/;
const fileFor = (webhookPort: number) => dataDir(`stack-${webhookPort}.json`);

export function writeStackFile(webhookPort: number, info: StackInfo): () => void {
  mkdirSync(dataDir(), { recursive: true });
  const file = fileFor(webhookPort);
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`);
  return () => rmSync(file, { force: true });
}

/** The stack running with this webhook port, if its process is alive. */
export function readStackFile(webhookPort: number): StackInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(fileFor(webhookPort), 'utf8')) as StackInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

/** Every stack of this project whose process is alive, by webhook port. */
export function runningStacks(): { webhookPort: number; info: StackInfo }[] {
  let names: string[];
  try {
    names = readdirSync(dataDir());
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const port = STACK_FILE.exec(name)?.[1];
    const info = port ? readStackFile(Number(port)) : undefined;
    return info ? [{ webhookPort: Number(port), info }] : [];
  });
}

/** Where a command's Firestore data is: an emulator and the project id in it. */
export type StackFirestore =
  | { host: string; projectId: string; from: string }
  | { host: undefined; why: string };

/**
 * The Firestore emulator (and project) of the running stack, found the same way by every
 * command run beside `npm start` (`seed`, `order-status`, `converse`):
 * 1. `FIRESTORE_EMULATOR_HOST` when set (with `GOOGLE_CLOUD_PROJECT`'s project);
 * 2. else the stack `npm start` runs with `WEBHOOK_PORT` (when that variable is set, only it);
 * 3. else the project's only running stack, whatever its ports. Several: they are named.
 * The stack's project id is used unless `GOOGLE_CLOUD_PROJECT` is set
 * (`GOOGLE_CLOUD_PROJECT=p npm start`, then `npm run seed` in another terminal, seeds `p`).
 */
export function findStackFirestore(
  config: { projectId: string; ports: { webhook: number }; firestore: { emulatorHost?: string } },
  env: NodeJS.ProcessEnv = process.env,
): StackFirestore {
  const projectId = config.projectId;
  if (config.firestore.emulatorHost) {
    return { host: config.firestore.emulatorHost, projectId, from: 'FIRESTORE_EMULATOR_HOST' };
  }
  const found = (webhookPort: number, info: StackInfo): StackFirestore => ({
    host: info.firestore,
    projectId: env.GOOGLE_CLOUD_PROJECT ? projectId : (info.projectId ?? projectId),
    from: `the stack of npm start (pid ${info.pid}, webhook port ${webhookPort})`,
  });
  const port = config.ports.webhook;
  const own = readStackFile(port);
  if (own) return found(port, own);
  if (env.WEBHOOK_PORT) {
    return {
      host: undefined,
      why: `No stack runs with WEBHOOK_PORT=${port}: start it (npm start) or set FIRESTORE_EMULATOR_HOST.`,
    };
  }
  const stacks = runningStacks();
  if (stacks.length === 1) return found(stacks[0]!.webhookPort, stacks[0]!.info);
  if (stacks.length > 1) {
    return {
      host: undefined,
      why: `Several stacks are running (webhook ports ${stacks.map((s) => s.webhookPort).join(', ')}): set WEBHOOK_PORT to the one you mean (or FIRESTORE_EMULATOR_HOST).`,
    };
  }
  return {
    host: undefined,
    why: 'No Firestore emulator found: start the stack (npm start) or set FIRESTORE_EMULATOR_HOST.',
  };
}
