import { describe, expect, it } from 'vitest';
import { brew, BrewRequest } from '../src/jobs/brew';
import { jobs } from '../src/jobs';
import { messagesFor } from '@dialogflow-functions/core/messages';

const t = messagesFor('en');

describe('the brew job', () => {
  it('is registered', () => {
    expect(jobs.get('brew')).toBe(brew);
  });

  it('accepts 1 to 10 whole cups', () => {
    expect(BrewRequest.safeParse({ cups: 3 }).success).toBe(true);
    for (const cups of [0, 11, 2.5]) expect(BrewRequest.safeParse({ cups }).success).toBe(false);
  });

  it('describes each state', () => {
    const base = { jobId: 'job-1', request: { cups: 2 } };
    expect(brew.describe({ ...base, status: 'queued', wakeups: 0 }, t)).toMatch(/Brewing 2 cups/);
    expect(brew.describe({ ...base, status: 'succeeded', result: { cups: 2 } }, t)).toBe(
      'Your 2 cups are ready.',
    );
    expect(brew.describe({ ...base, status: 'failed', refusal: undefined }, t)).toMatch(/job-1/);
  });
});
