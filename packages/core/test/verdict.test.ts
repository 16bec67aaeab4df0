import { describe, expect, it } from 'vitest';
import { VERDICT_GRACE_MS, verdictOf, type VerdictFields } from '../src/jobs';

/*
 * The one rule every reader of a job record applies (the webhook's tries of a turn, the worker,
 * the sweep, task_status): was the user told this job is queued?
 */
const acceptBy = new Date('2026-11-28T10:00:04Z');
const created = new Date('2026-11-28T10:00:00.500Z');
const job = (fields: Partial<VerdictFields> = {}): VerdictFields => ({
  status: 'queued',
  attempts: 0,
  wakeups: 0,
  acceptBy,
  confirmRequired: true,
  ...fields,
});
const at = (ms: number) => new Date(acceptBy.getTime() + ms);

describe('verdictOf', () => {
  it('a confirmation committed by acceptBy is queued, one committed after it is not', () => {
    expect(verdictOf(job({ confirmedAt: at(-1) }), at(60_000), created)).toBe('queued');
    expect(verdictOf(job({ confirmedAt: at(0) }), at(60_000), created)).toBe('queued');
    expect(verdictOf(job({ confirmedAt: at(1) }), at(0), created)).toBe('not-queued');
  });

  it('an unconfirmed record is pending until acceptBy plus the grace, then not queued', () => {
    expect(verdictOf(job(), at(-3000), created)).toBe('pending');
    expect(verdictOf(job(), at(VERDICT_GRACE_MS), created)).toBe('pending');
    expect(verdictOf(job(), at(VERDICT_GRACE_MS + 1), created)).toBe('not-queued');
  });

  it('a record created after acceptBy was never confirmed', () => {
    expect(verdictOf(job(), at(-1000), at(1))).toBe('not-queued');
  });

  it('notQueued wins over everything, even a confirmation', () => {
    expect(verdictOf(job({ notQueued: true, confirmedAt: at(-1) }), at(0), created)).toBe(
      'not-queued',
    );
    expect(verdictOf(job({ notQueued: true, status: 'failed' }), at(0), created)).toBe(
      'not-queued',
    );
  });

  it('a record from before confirmations (an older webhook) is queued unless it landed late', () => {
    const old = job({ confirmRequired: undefined });
    expect(verdictOf(old, at(60_000), created)).toBe('queued');
    expect(verdictOf(old, at(60_000), at(1))).toBe('not-queued');
    expect(verdictOf({ ...old, notQueued: true }, at(0), created)).toBe('not-queued');
  });

  it('a job the worker has taken, a scheduled re-run and a record without acceptBy are queued', () => {
    expect(verdictOf(job({ status: 'running', attempts: 1 }), at(60_000), created)).toBe('queued');
    expect(verdictOf(job({ wakeups: 2 }), at(60_000), created)).toBe('queued');
    expect(verdictOf(job({ acceptBy: undefined }), at(60_000), created)).toBe('queued');
  });
});
