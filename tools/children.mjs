/*
 * What the tools that run steps as children share (tools/checks.mjs, tools/test.mjs): each child
 * runs in a process group (and session) of its own, since npm and sh do not pass signals on.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The shell's exit status for a run stopped by each signal (128 + its number). */
const STOPPED = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * On SIGHUP, SIGINT or SIGTERM: `onStop()`, then the same signal to the process group of every
 * child in `running`, and the exit status the shell would give.
 * @param {Set<import('node:child_process').ChildProcess>} running
 * @param {() => void} onStop
 */
export function stopChildrenOnSignals(running, onStop) {
  for (const [signal, status] of Object.entries(STOPPED)) {
    process.on(signal, () => {
      onStop();
      for (const child of running) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      }
      process.exitCode = status;
    });
  }
}

/**
 * Lowers a running process to `nice` (1–19): its own priority and, on Linux with autogroups
 * (`/proc/sys/kernel/sched_autogroup_enabled`), its session's group. A process started in a
 * session of its own (`spawn` with `detached: true`) competes for the CPU as a group, equal to
 * every other session's, whatever its own priority (sched(7), "The autogroup feature"); the
 * group's nice value is what makes it give way. Does nothing where it is not permitted.
 */
export function lowerPriority(pid, nice) {
  try {
    setPriority(pid, nice);
  } catch {
    // not permitted
  }
  // Without CAP_SYS_ADMIN, Linux takes one autogroup change per 100 ms and answers EAGAIN to
  // the others (sched(7)): those wait their turn, a few times at most.
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      writeFileSync(`/proc/${pid}/autogroup`, String(nice));
      return;
    } catch (err) {
      if (err?.code !== 'EAGAIN') return; // not Linux, no autogroups, not permitted, or gone
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 110);
    }
  }
}

/**
 * Runs `argv` in a process group of its own, in `running` while it runs. `quiet`: its output
 * (stdout and stderr in order) is kept and returned instead of passed through; `nice` (1–19): at
 * that priority ({@link lowerPriority}; its children inherit it). Resolves with its exit code (1
 * if it could not start or a signal stopped it) and the kept output.
 * @param {string[]} argv
 * @param {{ cwd: string, running: Set<import('node:child_process').ChildProcess>,
 *   quiet?: boolean, nice?: number, env?: NodeJS.ProcessEnv }} options
 * @returns {Promise<{ code: number, output: string }>}
 */
export function runChild(argv, { cwd, running, quiet = true, nice = 0, env = process.env }) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env,
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
      detached: true,
    });
    running.add(child);
    if (nice > 0 && child.pid !== undefined) lowerPriority(child.pid, nice);
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.on('error', (error) => {
      output += `${error.message}\n`;
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}
