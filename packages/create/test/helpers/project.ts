import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { freeStackPort } from '@dialogflow-functions/testing/processes';

/*
 * What the scaffold, start and upgrade tests share: the generator, temporary folders, the
 * projects' files. The packed packages, the run's installed minimal project and npm run as a
 * user runs it are the repository's test support (shared with the example's deploy upload).
 */
export {
  copyInstalled,
  npmInstall,
  pack,
  run,
  sharedMinimalProject,
  sharedPacks,
  userEnv,
  type Run,
  type SharedPacks,
} from '../../../../test/support/installed-projects';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the generator is plain Node
export const generator = require('../../lib/create') as {
  create(options: {
    dir: string;
    template?: string;
    edition?: string;
    packs?: Record<string, string>;
  }): {
    dir: string;
    name: string;
    files: string[];
  };
  listFiles(dir: string): string[];
  frameworkVersion(): string;
  PACKAGES: Record<string, string>;
  VERSIONS: Record<string, string>;
  RESTAURANT_FILES: string[];
};

/** A temporary folder, removed by `cleanup()`. */
export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `dff-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A package.json of the project or of an installed package (`node_modules/<name>`). */
export function readPackage(
  dir: string,
  name?: string,
): Record<string, Record<string, string>> & { version: string } {
  const file = name ? join(dir, 'node_modules', name, 'package.json') : join(dir, 'package.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>> & {
    version: string;
  };
}

/** Ports of their own for every server of the stack. */
export async function stackPorts(): Promise<Record<string, string>> {
  const names = [
    'WEBHOOK_PORT',
    'WORKER_PORT',
    'DEV_CONSOLE_PORT',
    'DIALOGFLOW_STAND_IN_PORT',
    'CLOUD_TASKS_EMULATOR_PORT',
    'CHAT_PORT',
    'CHAT_PAGE_PORT',
  ];
  const ports: Record<string, string> = {};
  for (const name of names) ports[name] = String(await freeStackPort());
  return ports;
}

/** sha256 of every file of the project but its dependencies' manifest, lock and outputs. */
export function fingerprint(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      if (['node_modules', 'dist', '.data'].includes(entry)) continue;
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = relative(dir, full).split(sep).join('/');
        if (rel === 'package.json' || rel === 'package-lock.json') continue;
        out.set(rel, createHash('sha256').update(readFileSync(full)).digest('hex'));
      }
    }
  };
  walk(dir);
  return out;
}

/** Lines of a text file. */
export function lineCount(file: string): number {
  const text = readFileSync(file, 'utf8');
  return text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** A long-running child with its output collected line by line. */
export function spawnCollecting(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream!.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, lines, exited };
}
