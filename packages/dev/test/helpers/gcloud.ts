import { afterAll } from 'vitest';
import { GcloudSandbox } from '../../src/lib/gcloud-sandbox';

/** The project the deploy scripts' tests deploy to, and the number the gcloud stand-in gives it. */
export const GCP_PROJECT = 'my-bot-123';
export const GCP_PROJECT_NUMBER = '123456789012';
/** A service account of that project by its id, e.g. `fulfillment-webhook`. */
export const serviceAccount = (id: string) => `${id}@${GCP_PROJECT}.iam.gserviceaccount.com`;

/**
 * Makes this file's gcloud sandboxes (with the recording stand-in, or with no gcloud at all),
 * each served and removed after the file's (or the describe block's) tests.
 */
export function gcloudSandboxes(): (standIn: boolean) => GcloudSandbox {
  const made: GcloudSandbox[] = [];
  afterAll(() => made.forEach((s) => s.remove()));
  return (standIn) => {
    const sandbox = new GcloudSandbox(standIn);
    made.push(sandbox);
    return sandbox;
  };
}
