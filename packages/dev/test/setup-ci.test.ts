import { describe, expect, it } from 'vitest';
import { commandLines, flagOf, isRead, type GcloudCall } from '../src/lib/gcloud-sandbox';
import { GCP_PROJECT, GCP_PROJECT_NUMBER, gcloudSandboxes, serviceAccount } from './helpers/gcloud';

// dff setup-ci: keyless GitHub Actions deploys (Workload Identity Federation) and a
// deployer that can update the deployment but grant nothing.

const PROJECT = GCP_PROJECT;
const NUMBER = GCP_PROJECT_NUMBER;
const REPO = 'acme/dialog-bot';
const sa = serviceAccount;
const DEPLOYER = sa('fulfillment-deployer');
const RUNTIME = [
  'fulfillment-webhook',
  'fulfillment-worker',
  'fulfillment-tasks',
  'fulfillment-build',
].map(sa);
const PRINCIPALS = `principalSet://iam.googleapis.com/projects/${NUMBER}/locations/global/workloadIdentityPools/github/attribute.repository/${REPO}`;
const ROLES = [
  'roles/cloudfunctions.developer',
  'roles/run.viewer',
  'roles/iam.securityReviewer',
  'roles/browser',
  'roles/serviceusage.serviceUsageViewer',
  'roles/iam.serviceAccountViewer',
  'roles/datastore.viewer',
  'roles/cloudtasks.queueAdmin',
  'roles/cloudscheduler.admin',
  'roles/secretmanager.admin',
];
/** Roles that would let the deployer grant itself more, or mint credentials. */
const NEVER = [
  'roles/owner',
  'roles/editor',
  'roles/resourcemanager.projectIamAdmin',
  'roles/iam.serviceAccountAdmin',
  'roles/iam.serviceAccountKeyAdmin',
  'roles/iam.serviceAccountTokenCreator',
  'roles/serviceusage.serviceUsageAdmin',
  'roles/cloudfunctions.admin',
  'roles/run.admin',
];
const words = (c: GcloudCall) => c.argv.filter((a) => !a.startsWith('--')).join(' ');

describe('dff setup-ci', () => {
  const sandbox = gcloudSandboxes();

  it('--dry-run without gcloud: the pool, the provider for one repository on main, the deployer and its roles', async () => {
    const r = await sandbox(false).run('setup-ci.sh', ['--dry-run', '--repo', REPO], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
    });
    expect(r.code).toBe(0);
    const lines = commandLines(r.stdout);
    expect(lines).toContainEqual(
      expect.stringMatching(/^gcloud iam workload-identity-pools create github --location=global /),
    );
    const provider = lines.find((l) => l.includes('providers create-oidc fulfillment-deploy '))!;
    expect(flagOf(provider, 'issuer-uri')).toBe('https://token.actions.githubusercontent.com');
    expect(flagOf(provider, 'attribute-condition')).toBe(
      `assertion.repository == '${REPO}' && assertion.ref == 'refs/heads/main'`,
    );
    expect(flagOf(provider, 'attribute-mapping')).toContain(
      'attribute.repository=assertion.repository',
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^gcloud iam service-accounts create fulfillment-deployer /),
    );
    const wif = lines.find((l) => l.includes('--role=roles/iam.workloadIdentityUser'))!;
    expect(wif).toMatch(
      new RegExp(`^gcloud iam service-accounts add-iam-policy-binding ${DEPLOYER} `),
    );
    expect(flagOf(wif, 'member')).toBe(PRINCIPALS.replace(NUMBER, 'PROJECT_NUMBER'));
    const projectRoles = lines
      .filter((l) => l.startsWith(`gcloud projects add-iam-policy-binding ${PROJECT} `))
      .map((l) => {
        expect(flagOf(l, 'member')).toBe(`serviceAccount:${DEPLOYER}`);
        return flagOf(l, 'role');
      });
    expect(projectRoles.sort()).toEqual([...ROLES].sort());
    for (const runtime of RUNTIME) {
      expect(lines).toContain(
        `gcloud iam service-accounts add-iam-policy-binding ${runtime} --project=${PROJECT} --member=serviceAccount:${DEPLOYER} --role=roles/iam.serviceAccountUser`,
      );
    }
    expect(r.stdout).toContain(`gh variable set GCP_PROJECT_ID --repo ${REPO} --body ${PROJECT}`);
    expect(r.stdout).toContain(
      `gh variable set GCP_WORKLOAD_IDENTITY_PROVIDER --repo ${REPO} --body projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/github/providers/fulfillment-deploy`,
    );
    expect(r.stdout).toContain(
      `gh variable set GCP_DEPLOYER_SERVICE_ACCOUNT --repo ${REPO} --body ${DEPLOYER}`,
    );
    expect(r.stdout).toContain(`gh variable set GCP_REGION --repo ${REPO} --body asia-east1`);
  });

  it('against a deployed project: sets everything up, then a second run creates nothing', async () => {
    const s = sandbox(true);
    s.setState({ serviceAccounts: RUNTIME });
    const env = { GOOGLE_CLOUD_PROJECT: PROJECT, GITHUB_REPOSITORY: REPO };
    const first = await s.run('setup-ci.sh', ['--with-alerts'], env);
    expect(first.code).toBe(0);
    const state = s.state();
    expect(Object.keys(state.pools)).toEqual(['github']);
    expect(state.providers['github/fulfillment-deploy']!.flags['attribute-condition']).toBe(
      `assertion.repository == '${REPO}' && assertion.ref == 'refs/heads/main'`,
    );
    expect(state.serviceAccounts).toContain(DEPLOYER);
    expect(state.policies[`sa/${DEPLOYER}`]).toEqual([
      ['roles/iam.workloadIdentityUser', PRINCIPALS],
    ]);
    const granted = (state.policies[`project/${PROJECT}`] ?? []).map(([role, member]) => {
      expect(member).toBe(`serviceAccount:${DEPLOYER}`);
      return role;
    });
    expect(granted.sort()).toEqual(
      [
        ...ROLES,
        'roles/logging.configWriter',
        'roles/monitoring.alertPolicyEditor',
        'roles/monitoring.notificationChannelEditor',
      ].sort(),
    );
    for (const role of NEVER) expect(granted).not.toContain(role);
    for (const runtime of RUNTIME) {
      expect(state.policies[`sa/${runtime}`]).toEqual([
        ['roles/iam.serviceAccountUser', `serviceAccount:${DEPLOYER}`],
      ]);
    }
    expect(first.stdout).toContain(
      `gh variable set GCP_WORKLOAD_IDENTITY_PROVIDER --repo ${REPO} --body projects/${NUMBER}/locations/global/workloadIdentityPools/github/providers/fulfillment-deploy`,
    );
    expect(first.stdout).toContain(`gh variable set DEPLOY_WITH_ALERTS --repo ${REPO} --body true`);

    const second = await s.run('setup-ci.sh', ['--with-alerts'], env);
    expect(second.code).toBe(0);
    expect(second.calls.filter((c) => !isRead(c)).map(words)).toEqual([
      'iam workload-identity-pools providers update-oidc fulfillment-deploy',
    ]);
    expect(s.state().policies).toEqual(state.policies);
  }, 120_000);

  it('refuses to run before the first deploy created the runtime identities', async () => {
    const r = await sandbox(true).run('setup-ci.sh', ['--repo', REPO], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /fulfillment-webhook@.* does not exist: run dff deploy once from your machine first/,
    );
    expect(r.calls.filter((c) => !isRead(c)).map(words)).toEqual([
      'services enable iam.googleapis.com iamcredentials.googleapis.com sts.googleapis.com cloudresourcemanager.googleapis.com',
    ]);
  }, 60_000);

  it.each([
    [['--repo', 'not a repo'], /--repo must be OWNER\/NAME/],
    [['--repo'], /--repo needs OWNER\/NAME/],
    [['--bogus'], /unknown argument: --bogus/],
  ])('rejects bad arguments (%o)', async (args, message) => {
    const r = await sandbox(false).run('setup-ci.sh', ['--dry-run', ...args], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
    });
    expect(r.code).toBeGreaterThan(0);
    expect(r.stderr).toMatch(message);
  });
});
