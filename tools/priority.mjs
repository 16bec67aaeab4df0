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
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // not Linux, no autogroups, or not permitted
  }
}
