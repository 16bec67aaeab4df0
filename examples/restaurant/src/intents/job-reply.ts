import type { Reply } from '@dialogflow-functions/core/conversation';

/** The job id rides along the conversation: ES output context `pending_job`, CX session parameter. */
export function withJobId(reply: Reply, jobId: string): Reply {
  return {
    ...reply,
    contexts: [{ name: 'pending_job', lifespanCount: 20, parameters: { job_id: jobId } }],
  };
}

const EMAIL = /^[^\s@<>()",;:]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** An email address as @sys.email resolves it, or `undefined` when absent or malformed. */
export function emailAddress(value: string | undefined): string | undefined {
  return value && value.length <= 254 && EMAIL.test(value) ? value : undefined;
}
