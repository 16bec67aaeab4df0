/**
 * Lowers a running process to `nice` (1–19): its own priority and, on Linux with autogroups
 * (`/proc/sys/kernel/sched_autogroup_enabled`), its session's group. A process started in a
 * session of its own (`spawn` with `detached: true`) competes for the CPU as a group, equal to
 * every other session's, whatever its own priority (sched(7), "The autogroup feature"); the
 * group's nice value is what makes it give way. Does nothing where it is not permitted.
 */
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

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
