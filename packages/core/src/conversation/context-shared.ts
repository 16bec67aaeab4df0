import type { Parameters } from '../dialogflow';
import { isRecord } from '../is-record';
import type { Sentiment } from './context-types';
import type { Platform } from './reply';

/** The LINE user id of a request's payload (`data.source.userId`), when it looks like one. */
export function lineUser(payload: Parameters | undefined): string | undefined {
  const data = payload?.data;
  const src = isRecord(data) ? data.source : undefined;
  const id = isRecord(src) ? src.userId : undefined;
  // LINE user ids are U + 32 hex digits; accept any plain id so test and legacy ids work too.
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(id) ? id : undefined;
}

/** A sentiment when both numbers are there and sane. */
export function sentimentOf(
  raw: { score?: number | undefined; magnitude?: number | undefined } | undefined,
): Sentiment | undefined {
  const score = raw?.score;
  const magnitude = raw?.magnitude;
  if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
  return {
    score: Math.max(-1, Math.min(1, score)),
    magnitude:
      typeof magnitude === 'number' && Number.isFinite(magnitude) ? Math.max(0, magnitude) : 0,
  };
}

/** A confidence in 0…1, or undefined. */
export function confidenceOf(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.max(0, Math.min(1, value))
    : undefined;
}

const PLATFORM_BY_SOURCE: Record<string, Platform> = {
  line: 'LINE',
  slack: 'SLACK',
  slack_testbot: 'SLACK',
  telegram: 'TELEGRAM',
  facebook: 'FACEBOOK',
  google: 'ACTIONS_ON_GOOGLE',
  actions_on_google: 'ACTIONS_ON_GOOGLE',
};

/** Maps an integration's source name to the platform its rich messages use. */
export function platformOf(source: string | undefined): Platform | undefined {
  return source ? PLATFORM_BY_SOURCE[source.trim().toLowerCase()] : undefined;
}
