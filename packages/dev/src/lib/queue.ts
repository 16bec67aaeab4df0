import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@dialogflow-functions/core/config';
import { queuePath } from '@dialogflow-functions/core/jobs';
import type { CloudTasksClient } from '@dialogflow-functions/core/tasks';
import { DEV_ROOT } from '../project';

interface QueueFile {
  retryConfig: {
    maxAttempts: number;
    minBackoffSeconds: number;
    maxBackoffSeconds: number;
    maxDoublings: number;
    maxRetryDurationSeconds: number;
  };
  rateLimits: { maxDispatchesPerSecond: number; maxConcurrentDispatches: number };
}

/** queue.json (this package's): the one queue configuration npm start and the deploy script use. */
export function queueSettings(): QueueFile {
  return JSON.parse(readFileSync(join(DEV_ROOT, 'src', 'queue.json'), 'utf8')) as QueueFile;
}

/** Creates the worker's queue, or brings its retry config and rate limits up to date. */
export async function ensureQueue(
  client: CloudTasksClient,
  config: Pick<Config, 'projectId' | 'tasks'>,
): Promise<string> {
  const q = queueSettings();
  const name = queuePath(config);
  await client.updateQueue({
    queue: {
      name,
      retryConfig: {
        maxAttempts: q.retryConfig.maxAttempts,
        minBackoff: { seconds: q.retryConfig.minBackoffSeconds },
        maxBackoff: { seconds: q.retryConfig.maxBackoffSeconds },
        maxDoublings: q.retryConfig.maxDoublings,
        maxRetryDuration: { seconds: q.retryConfig.maxRetryDurationSeconds },
      },
      rateLimits: q.rateLimits,
    },
  });
  return name;
}
