import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dataDir } from '../project';

/*
 * What a running `npm start` listens on, in `.data/stack-<webhook port>.json`, so commands run
 * in another terminal (`npm run order-status`) find the emulators it started on free ports.
 */

export interface StackInfo {
  pid: number;
  firestore: string;
  tasks: string;
  webhook: string;
  worker: string;
}

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
