#!/usr/bin/env node
/**
 * A recording stand-in for the `gcloud` CLI, for the tests of deploy.sh and setup-ci.sh.
 * GcloudSandbox (gcloud-sandbox.ts) puts a `gcloud` on PATH that hands each call to
 * `gcloudStandIn()` in the test's own process (a bash client on loopback: no node started per
 * call); run as a script (`node gcloud-stand-in.js ARGS...`) it answers one call itself.
 *
 * - Appends every call to $GCLOUD_STAND_IN_LOG as a JSON line: `{argv, stdin}` (stdin: the number
 *   of bytes piped in, for the calls that read it; never the bytes).
 * - Keeps a small model of one project in $GCLOUD_STAND_IN_STATE (JSON). Read-only calls
 *   (describe, list, get-iam-policy, versions access/describe) answer from it, NOT_FOUND for what
 *   it lacks; calls that change something update it, failing like the service does (ALREADY_EXISTS,
 *   NOT_FOUND, a function whose identity may not read its secret). An empty state is a project
 *   where nothing exists yet; the state a full run leaves is one where everything does.
 * - Speaks only the subset of gcloud the scripts use, in the `--name=value` form, with the
 *   `--format` each look-up asks for; anything else exits 2, so a script change the model does
 *   not know fails loudly instead of passing.
 */
/* global process, Buffer */ // (node globals)
const { appendFileSync, existsSync, readFileSync, writeFileSync } = require('node:fs');
const { resolve } = require('node:path');

/** How a call ended: thrown by out/die/unsupported, caught by gcloudStandIn. */
class Exit {
  constructor(code) {
    this.code = code;
  }
}

/**
 * Answers one gcloud call from the project model in `statePath` and records it in `logPath`.
 * `readStdin` is called only when the call reads stdin (a `--flag=-`); relative file flags are
 * read from `cwd`. Returns what gcloud would print and its exit code.
 * @param {string[]} argv
 * @param {{ statePath: string, logPath: string, cwd?: string, readStdin?: () => string }} io
 * @returns {{ code: number, stdout: string, stderr: string }}
 */
function gcloudStandIn(argv, { statePath, logPath, cwd = process.cwd(), readStdin = () => '' }) {
  const result = { code: 0, stdout: '', stderr: '' };
  const exit = (code) => {
    throw new Exit(code);
  };
  try {
    const positional = [];
    const flags = {};
    for (const arg of argv) {
      const m = /^--([a-z][a-z0-9-]*)(?:=([\s\S]*))?$/.exec(arg);
      if (m) flags[m[1]] = m[2] === undefined ? true : m[2];
      else positional.push(arg);
    }

    const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : {};
    const defaults = {
      projectNumber: '123456789012',
      urlStyle: 'deterministic', // or 'hash': new services get a URL the script cannot predict
      deny: [], // command prefixes answered with PERMISSION_DENIED, e.g. "secrets describe"
      services: [],
      serviceAccounts: [],
      policies: {}, // resource key -> [[role, member], ...]
      firestore: null,
      queues: {},
      secrets: {}, // name -> [value, ...] (versions 1..n)
      functions: {}, // name -> { uri, flags, deploys }
      runAnnotations: {},
      cpuBoost: {}, // service -> startup CPU boost on (run services update --cpu-boost)
      schedulerJobs: {},
      logMetrics: {},
      channels: [], // { name, displayName, type, labels }
      alertPolicies: [], // { name, displayName, channels, file }
      pools: {},
      providers: {},
    };
    for (const [k, v] of Object.entries(defaults)) if (state[k] === undefined) state[k] = v;

    const readsStdin = Object.values(flags).includes('-');
    const stdin = readsStdin ? readStdin() : undefined;
    appendFileSync(
      logPath,
      `${JSON.stringify({ argv, ...(stdin === undefined ? {} : { stdin: Buffer.byteLength(stdin) }) })}\n`,
    );

    const command = positional.join(' ');
    function save() {
      writeFileSync(statePath, JSON.stringify(state, null, 2));
    }
    function out(text) {
      if (text !== '') result.stdout += `${text}\n`;
      exit(0);
    }
    function die(code, message) {
      result.stderr += `ERROR: (gcloud.${positional.slice(0, 3).join('.')}) ${code}: ${message}\n`;
      exit(1);
    }
    function unsupported(why) {
      result.stderr += `gcloud stand-in: unsupported ${why}: gcloud ${argv.join(' ')}\n`;
      exit(2);
    }
    function need(name) {
      const v = flags[name];
      if (typeof v !== 'string' || v === '') unsupported(`call without --${name}=…`);
      return v;
    }
    function expectFormat(format) {
      if (flags.format !== format) unsupported(`--format (expected ${format})`);
    }
    const project = () => need('project');
    for (const prefix of state.deny) {
      if (command.startsWith(prefix))
        die('PERMISSION_DENIED', `The caller does not have permission (${prefix})`);
    }

    // IAM policies, printed the way `--flatten=bindings[].members --format=value(...)` prints them.
    const POLICY_FORMAT = 'value(bindings.role,bindings.members)';
    function policyOf(key) {
      return (state.policies[key] ??= []);
    }
    function printPolicy(key) {
      if (flags.flatten !== 'bindings[].members') unsupported('get-iam-policy without --flatten');
      expectFormat(POLICY_FORMAT);
      out(
        policyOf(key)
          .map(([role, member]) => `${role}\t${member}`)
          .join('\n'),
      );
    }
    function addBinding(key, role = need('role')) {
      const member = need('member');
      if (!/^(serviceAccount|user|group|principalSet|principal):|^allUsers$/.test(member)) {
        die('INVALID_ARGUMENT', `bad member ${member}`);
      }
      const policy = policyOf(key);
      if (!policy.some(([r, m]) => r === role && m === member)) policy.push([role, member]);
      save();
      out(`Updated IAM policy for [${key}].`);
    }
    function hasBinding(key, role, member) {
      return policyOf(key).some(([r, m]) => r === role && m === member);
    }

    const saExists = (email) => state.serviceAccounts.includes(email);
    /** The versions of secret `name`; NOT_FOUND, as gcloud says it, when there is no such secret. */
    function secretVersions(name) {
      const versions = state.secrets[name];
      if (!versions) die('NOT_FOUND', `Secret [${name}] not found`);
      return versions;
    }
    const region = () => need(flags.location !== undefined ? 'location' : 'region');
    const runUrl = (name) =>
      state.urlStyle === 'hash'
        ? `https://${name}-x7k2p9qa-de.a.run.app`
        : `https://${name}-${state.projectNumber}.${region()}.run.app`;

    function deployFunction(name) {
      const sa = need('service-account');
      if (!saExists(sa)) die('NOT_FOUND', `service account ${sa} does not exist`);
      const build = need('build-service-account').split('/').pop();
      if (!saExists(build)) die('NOT_FOUND', `build service account ${build} does not exist`);
      for (const f of ['gen2', 'trigger-http'])
        if (flags[f] !== true) unsupported(`deploy without --${f}`);
      for (const f of ['runtime', 'region', 'source', 'entry-point']) need(f);
      if (flags['set-secrets'] !== undefined && flags['clear-secrets'] !== undefined) {
        die('INVALID_ARGUMENT', '--set-secrets and --clear-secrets together');
      }
      // The service checks that the runtime identity can read every secret it is given.
      for (const pair of (typeof flags['set-secrets'] === 'string'
        ? flags['set-secrets']
        : ''
      ).split(',')) {
        if (!pair) continue;
        const [, ref] = pair.split('=');
        const [secret, version] = ref.split(':');
        const versions = state.secrets[secret];
        if (!versions || versions.length === 0) die('NOT_FOUND', `secret ${secret} has no version`);
        if (version !== 'latest' && !(Number(version) >= 1 && Number(version) <= versions.length)) {
          die('NOT_FOUND', `secret ${secret} has no version ${version}`);
        }
        if (
          !hasBinding(
            `secret/${secret}`,
            'roles/secretmanager.secretAccessor',
            `serviceAccount:${sa}`,
          )
        ) {
          die(
            'PERMISSION_DENIED',
            `Permission denied on secret ${secret} for Revision service account ${sa}`,
          );
        }
      }
      const existing = state.functions[name];
      const fn = existing ?? { uri: runUrl(name), deploys: 0 };
      fn.flags = flags;
      fn.deploys += 1;
      state.functions[name] = fn;
      const key = `run/${name}`;
      if (flags['allow-unauthenticated'] === true) {
        if (!hasBinding(key, 'roles/run.invoker', 'allUsers'))
          policyOf(key).push(['roles/run.invoker', 'allUsers']);
      }
      if (flags['no-allow-unauthenticated'] === true) {
        state.policies[key] = policyOf(key).filter(
          ([r, m]) => !(r === 'roles/run.invoker' && m === 'allUsers'),
        );
      }
      save();
      out('');
    }

    function loadYaml(text) {
      return require('yaml').parse(text);
    }
    function displayNameFilter() {
      const m = /^displayName="(.*)"$/.exec(flags.filter ?? '');
      if (!m) unsupported('--filter (expected displayName="…")');
      return m[1];
    }

    const handlers = [
      // Project
      [
        'projects describe',
        () => {
          expectFormat('value(projectNumber)');
          out(state.projectNumber);
        },
      ],
      ['projects get-iam-policy', () => printPolicy(`project/${positional[2]}`)],
      [
        'projects add-iam-policy-binding',
        () => {
          if (flags.condition !== 'None') unsupported('project binding without --condition=None');
          addBinding(`project/${positional[2]}`);
        },
      ],
      [
        'services list',
        () => {
          if (flags.enabled !== true) unsupported('services list without --enabled');
          project();
          expectFormat('value(config.name)');
          out(state.services.join('\n'));
        },
      ],
      [
        'services enable',
        () => {
          project();
          for (const api of positional.slice(2))
            if (!state.services.includes(api)) state.services.push(api);
          save();
          out('');
        },
      ],
      // Service accounts
      [
        'iam service-accounts describe',
        () => {
          project();
          expectFormat('value(email)');
          if (!saExists(positional[3]))
            die('NOT_FOUND', `Unknown service account ${positional[3]}`);
          out(positional[3]);
        },
      ],
      [
        'iam service-accounts create',
        () => {
          const email = `${positional[3]}@${project()}.iam.gserviceaccount.com`;
          if (saExists(email)) die('ALREADY_EXISTS', `Service account ${email} already exists`);
          need('display-name');
          state.serviceAccounts.push(email);
          save();
          out('');
        },
      ],
      [
        'iam service-accounts get-iam-policy',
        () => {
          project();
          // The real command answers PERMISSION_DENIED for an account that does not exist.
          if (!saExists(positional[3]))
            die(
              'PERMISSION_DENIED',
              `Permission iam.serviceAccounts.getIamPolicy denied on ${positional[3]}`,
            );
          printPolicy(`sa/${positional[3]}`);
        },
      ],
      [
        'iam service-accounts add-iam-policy-binding',
        () => {
          project();
          if (!saExists(positional[3]))
            die('NOT_FOUND', `Service account ${positional[3]} does not exist`);
          addBinding(`sa/${positional[3]}`);
        },
      ],
      // Firestore
      [
        'firestore databases describe',
        () => {
          project();
          if (flags.database !== '(default)') unsupported('--database');
          expectFormat('value(type)');
          if (!state.firestore) die('NOT_FOUND', 'Project has no database (default)');
          out(state.firestore);
        },
      ],
      [
        'firestore databases create',
        () => {
          project();
          need('location');
          if (state.firestore) die('ALREADY_EXISTS', 'Database (default) already exists');
          state.firestore =
            flags.type === 'firestore-native' ? 'FIRESTORE_NATIVE' : 'DATASTORE_MODE';
          save();
          out('');
        },
      ],
      // Cloud Tasks
      [
        'tasks queues describe',
        () => {
          project();
          expectFormat('value(name)');
          const q = state.queues[positional[3]];
          if (!q) die('NOT_FOUND', `Requested entity was not found (queue ${positional[3]})`);
          out(`projects/${project()}/locations/${region()}/queues/${positional[3]}`);
        },
      ],
      [
        'tasks queues create',
        () => {
          project();
          if (state.queues[positional[3]]) die('ALREADY_EXISTS', 'Queue already exists');
          state.queues[positional[3]] = { flags, updates: 0 };
          save();
          out('');
        },
      ],
      [
        'tasks queues update',
        () => {
          project();
          const q = state.queues[positional[3]];
          if (!q) die('NOT_FOUND', 'Requested entity was not found');
          q.flags = flags;
          q.updates += 1;
          save();
          out('');
        },
      ],
      [
        'tasks queues get-iam-policy',
        () => {
          project();
          if (!state.queues[positional[3]]) die('NOT_FOUND', 'Requested entity was not found');
          printPolicy(`queue/${positional[3]}`);
        },
      ],
      [
        'tasks queues add-iam-policy-binding',
        () => {
          project();
          if (!state.queues[positional[3]]) die('NOT_FOUND', 'Requested entity was not found');
          addBinding(`queue/${positional[3]}`);
        },
      ],
      // Secret Manager
      [
        'secrets describe',
        () => {
          project();
          expectFormat('value(name)');
          secretVersions(positional[2]);
          out(`projects/${state.projectNumber}/secrets/${positional[2]}`);
        },
      ],
      [
        'secrets create',
        () => {
          project();
          if (state.secrets[positional[2]])
            die('ALREADY_EXISTS', `Secret [${positional[2]}] already exists`);
          if (flags['replication-policy'] !== 'automatic') unsupported('--replication-policy');
          if (flags['data-file'] !== undefined)
            unsupported('secrets create with data (use versions add)');
          state.secrets[positional[2]] = [];
          save();
          out('');
        },
      ],
      [
        'secrets versions add',
        () => {
          project();
          if (flags['data-file'] !== '-') unsupported('--data-file other than stdin');
          const versions = secretVersions(positional[3]);
          if (!stdin) die('INVALID_ARGUMENT', 'empty secret value');
          versions.push(stdin);
          save();
          out('');
        },
      ],
      [
        'secrets versions access latest',
        () => {
          project();
          const versions = state.secrets[need('secret')];
          if (!versions || versions.length === 0) die('NOT_FOUND', 'Secret version not found');
          result.stdout += versions[versions.length - 1];
          exit(0);
        },
      ],
      [
        'secrets versions describe latest',
        () => {
          project();
          expectFormat('value(name)');
          const name = need('secret');
          const versions = state.secrets[name];
          if (!versions || versions.length === 0) die('NOT_FOUND', 'Secret version not found');
          out(`projects/${state.projectNumber}/secrets/${name}/versions/${versions.length}`);
        },
      ],
      [
        'secrets get-iam-policy',
        () => {
          project();
          secretVersions(positional[2]);
          printPolicy(`secret/${positional[2]}`);
        },
      ],
      [
        'secrets add-iam-policy-binding',
        () => {
          project();
          secretVersions(positional[2]);
          addBinding(`secret/${positional[2]}`);
        },
      ],
      // Cloud Functions and the Cloud Run services under them
      [
        'functions describe',
        () => {
          project();
          region();
          expectFormat('value(serviceConfig.uri)');
          const fn = state.functions[positional[2]];
          if (!fn)
            die(
              'NOT_FOUND',
              `Resource 'projects/p/locations/l/functions/${positional[2]}' was not found`,
            );
          out(fn.uri);
        },
      ],
      ['functions deploy', () => deployFunction(positional[2])],
      [
        'functions add-invoker-policy-binding',
        () => {
          project();
          region();
          if (!state.functions[positional[2]]) die('NOT_FOUND', 'function not found');
          addBinding(`run/${positional[2]}`, 'roles/run.invoker');
        },
      ],
      [
        'run services get-iam-policy',
        () => {
          project();
          region();
          if (!state.functions[positional[3]])
            die('NOT_FOUND', `Service ${positional[3]} could not be found`);
          printPolicy(`run/${positional[3]}`);
        },
      ],
      [
        'run services describe',
        () => {
          project();
          // The two annotations deploy.sh reads: Cloud SQL mounts and the startup CPU boost.
          const annotation =
            /^value\(spec\.template\.metadata\.annotations\."run\.googleapis\.com\/(cloudsql-instances|startup-cpu-boost)"\)$/.exec(
              flags.format ?? '',
            )?.[1];
          if (!annotation)
            unsupported('--format (a cloudsql-instances or startup-cpu-boost annotation)');
          if (!state.functions[positional[3]])
            die('NOT_FOUND', `Service ${positional[3]} could not be found`);
          out(
            annotation === 'cloudsql-instances'
              ? (state.runAnnotations[positional[3]] ?? '')
              : state.cpuBoost[positional[3]]
                ? 'true'
                : '',
          );
        },
      ],
      [
        'run services update',
        () => {
          project();
          if (!state.functions[positional[3]])
            die('NOT_FOUND', `Service ${positional[3]} could not be found`);
          if (flags['cpu-boost'] !== undefined) {
            state.cpuBoost[positional[3]] = true;
          } else {
            const add = need('add-cloudsql-instances');
            const now = (state.runAnnotations[positional[3]] ?? '').split(',').filter(Boolean);
            if (!now.includes(add)) now.push(add);
            state.runAnnotations[positional[3]] = now.join(',');
          }
          save();
          out('');
        },
      ],
      // Cloud Scheduler
      [
        'scheduler jobs describe',
        () => {
          project();
          region();
          expectFormat('value(name)');
          if (!state.schedulerJobs[positional[3]]) die('NOT_FOUND', 'Job not found');
          out(`projects/${project()}/locations/${region()}/jobs/${positional[3]}`);
        },
      ],
      [
        'scheduler jobs create http',
        () => {
          project();
          region();
          if (state.schedulerJobs[positional[4]]) die('ALREADY_EXISTS', 'Job already exists');
          for (const f of ['schedule', 'uri']) need(f);
          state.schedulerJobs[positional[4]] = { flags, updates: 0 };
          save();
          out('');
        },
      ],
      [
        'scheduler jobs update http',
        () => {
          project();
          region();
          const job = state.schedulerJobs[positional[4]];
          if (!job) die('NOT_FOUND', 'Job not found');
          job.flags = { ...job.flags, ...flags };
          job.updates += 1;
          save();
          out('');
        },
      ],
      // Cloud Logging and Cloud Monitoring
      [
        'logging metrics describe',
        () => {
          project();
          expectFormat('value(name)');
          if (!state.logMetrics[positional[3]])
            die('NOT_FOUND', `Metric ${positional[3]} does not exist`);
          out(positional[3]);
        },
      ],
      [
        'logging metrics create',
        () => {
          project();
          if (state.logMetrics[positional[3]]) die('ALREADY_EXISTS', 'metric exists');
          const config = loadYaml(readFileSync(resolve(cwd, need('config-from-file')), 'utf8'));
          if (config.name !== positional[3]) die('INVALID_ARGUMENT', `config names ${config.name}`);
          state.logMetrics[positional[3]] = { filter: config.filter, updates: 0 };
          save();
          out('');
        },
      ],
      [
        'logging metrics update',
        () => {
          project();
          const metric = state.logMetrics[positional[3]];
          if (!metric) die('NOT_FOUND', `Metric ${positional[3]} does not exist`);
          metric.filter = loadYaml(
            readFileSync(resolve(cwd, need('config-from-file')), 'utf8'),
          ).filter;
          metric.updates += 1;
          save();
          out('');
        },
      ],
      [
        'beta monitoring channels list',
        () => {
          project();
          const displayName = displayNameFilter();
          const m = /^value\(name(?:,labels\.([a-z_]+))?\)$/.exec(flags.format ?? '');
          if (!m) unsupported('--format');
          out(
            state.channels
              .filter((c) => c.displayName === displayName)
              .map((c) => (m[1] ? `${c.name}\t${c.labels[m[1]] ?? ''}` : c.name))
              .join('\n'),
          );
        },
      ],
      [
        'beta monitoring channels create',
        () => {
          project();
          if (flags['channel-content-from-file'] !== '-')
            unsupported('channel content not on stdin');
          const content = loadYaml(stdin);
          for (const [k, v] of Object.entries(content.labels ?? {})) {
            if (typeof v !== 'string' || v === '') die('INVALID_ARGUMENT', `label ${k} is empty`);
          }
          const name = `projects/${project()}/notificationChannels/${1000 + state.channels.length}`;
          state.channels.push({
            name,
            displayName: content.displayName,
            type: content.type,
            labels: content.labels,
          });
          save();
          out('');
        },
      ],
      [
        'beta monitoring channels update',
        () => {
          project();
          const channel = state.channels.find((c) => c.name === positional[4]);
          if (!channel) die('NOT_FOUND', 'channel not found');
          const content = loadYaml(stdin);
          channel.labels = content.labels;
          save();
          out('');
        },
      ],
      [
        'alpha monitoring policies list',
        () => {
          project();
          const displayName = displayNameFilter();
          expectFormat('value(name)');
          out(
            state.alertPolicies
              .filter((p) => p.displayName === displayName)
              .map((p) => p.name)
              .join('\n'),
          );
        },
      ],
      [
        'alpha monitoring policies create',
        () => {
          project();
          const file = need('policy-from-file');
          const policy = loadYaml(readFileSync(resolve(cwd, file), 'utf8'));
          const channels =
            typeof flags['notification-channels'] === 'string'
              ? flags['notification-channels'].split(',')
              : [];
          for (const c of channels)
            if (!state.channels.some((x) => x.name === c)) die('NOT_FOUND', `channel ${c}`);
          const name = `projects/${project()}/alertPolicies/${2000 + state.alertPolicies.length}`;
          state.alertPolicies.push({
            name,
            displayName: policy.displayName,
            channels,
            file,
            updates: 0,
          });
          save();
          out('');
        },
      ],
      [
        'alpha monitoring policies update',
        () => {
          project();
          const policy = state.alertPolicies.find((p) => p.name === positional[4]);
          if (!policy) die('NOT_FOUND', 'policy not found');
          need('policy-from-file');
          if (typeof flags['set-notification-channels'] === 'string')
            policy.channels = flags['set-notification-channels'].split(',');
          policy.updates += 1;
          save();
          out('');
        },
      ],
      // Workload Identity Federation (scripts/setup-ci.sh)
      [
        'iam workload-identity-pools describe',
        () => {
          project();
          if (flags.location !== 'global') unsupported('--location');
          expectFormat('value(name)');
          if (!state.pools[positional[3]]) die('NOT_FOUND', `pool ${positional[3]} not found`);
          out(
            `projects/${state.projectNumber}/locations/global/workloadIdentityPools/${positional[3]}`,
          );
        },
      ],
      [
        'iam workload-identity-pools create',
        () => {
          project();
          if (state.pools[positional[3]]) die('ALREADY_EXISTS', 'pool exists');
          state.pools[positional[3]] = { flags };
          save();
          out('');
        },
      ],
      [
        'iam workload-identity-pools providers describe',
        () => {
          project();
          expectFormat('value(name)');
          const pool = need('workload-identity-pool');
          if (!state.providers[`${pool}/${positional[4]}`]) die('NOT_FOUND', 'provider not found');
          out(
            `projects/${state.projectNumber}/locations/global/workloadIdentityPools/${pool}/providers/${positional[4]}`,
          );
        },
      ],
      [
        'iam workload-identity-pools providers create-oidc',
        () => {
          project();
          const pool = need('workload-identity-pool');
          if (!state.pools[pool]) die('NOT_FOUND', 'pool not found');
          if (state.providers[`${pool}/${positional[4]}`]) die('ALREADY_EXISTS', 'provider exists');
          for (const f of ['issuer-uri', 'attribute-mapping', 'attribute-condition']) need(f);
          state.providers[`${pool}/${positional[4]}`] = { flags, updates: 0 };
          save();
          out('');
        },
      ],
      [
        'iam workload-identity-pools providers update-oidc',
        () => {
          project();
          const provider = state.providers[`${need('workload-identity-pool')}/${positional[4]}`];
          if (!provider) die('NOT_FOUND', 'provider not found');
          provider.flags = { ...provider.flags, ...flags };
          provider.updates += 1;
          save();
          out('');
        },
      ],
    ];

    const handler = handlers
      .filter(([prefix]) => command === prefix || command.startsWith(`${prefix} `))
      .sort((a, b) => b[0].length - a[0].length)[0];
    if (!handler) unsupported('command');
    handler[1]();
    exit(0);
  } catch (err) {
    if (!(err instanceof Exit)) throw err;
    result.code = err.code;
  }
  return result;
}

module.exports = { gcloudStandIn };

if (require.main === module) {
  const statePath = process.env.GCLOUD_STAND_IN_STATE;
  const logPath = process.env.GCLOUD_STAND_IN_LOG;
  if (!statePath || !logPath) {
    process.stderr.write(
      'gcloud stand-in: GCLOUD_STAND_IN_STATE and GCLOUD_STAND_IN_LOG must be set\n',
    );
    process.exit(2);
  }
  const readStdin = () => {
    try {
      return readFileSync(0, 'utf8');
    } catch {
      return '';
    }
  };
  const { code, stdout, stderr } = gcloudStandIn(process.argv.slice(2), {
    statePath,
    logPath,
    readStdin,
  });
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = code;
}
