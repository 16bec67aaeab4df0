#!/usr/bin/env bash
# Deploys the fulfillment webhook, worker and chat function to Google Cloud Functions (gen2,
# nodejs22) with everything they need, creating what is missing and leaving alone what is
# already right: APIs, least-privilege service accounts (one per function), the Firestore
# database, the Cloud Tasks queue (@dialogflow-functions/dev's queue.json), secrets in Secret
# Manager, the three functions, the sweep scheduler job, and
# with --with-alerts the log-based metric, notification channels and alert policies of
# monitoring/. Ends by printing the webhook URL to paste into Dialogflow.
#
# Usage: GOOGLE_CLOUD_PROJECT=my-project dff deploy [--dry-run] [--with-alerts] [--agent es|cx]
#   --dry-run      print every command that would change something and run none of them
#                  (read-only look-ups still run when gcloud can read the project; no gcloud
#                  at all plans as if nothing existed)
#   --with-alerts  also apply monitoring/ (ALERT_EMAIL and/or ALERT_SLACK_CHANNEL +
#                  ALERT_SLACK_AUTH_TOKEN, or ALERT_NOTIFICATION_CHANNELS)
#   --agent es|cx  then restore the demo agent (npm run agent: agent/es or agent/cx with this
#                  webhook's URL and auth) through the Dialogflow API: ES into the project's
#                  agent, CX into DIALOGFLOW_AGENT (projects/P/locations/L/agents/A); the
#                  agent must exist (create it in the console first)
#
# Only GOOGLE_CLOUD_PROJECT is required. Optional, with their defaults:
#   TASKS_LOCATION=asia-east1   region of the functions, the queue and the scheduler job
#   TASKS_QUEUE=fulfillment-jobs   FIRESTORE_LOCATION=$TASKS_LOCATION
#   WEBHOOK_MIN_INSTANCES=0  WEBHOOK_MAX_INSTANCES=20  WORKER_MAX_INSTANCES=5
#   TASKS_SERVICE_ACCOUNT=fulfillment-tasks@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com
#   CLOUD_SQL_INSTANCE=project:region:instance   connect the webhook to Cloud SQL (MYSQL_URL
#                  with a /cloudsql/... socket path)
# Secrets (stored in Secret Manager when set; a secret already there stays in use until you
# delete it): WEATHER_API_KEY WEBHOOK_TOKEN WEBHOOK_BASIC_AUTH MYSQL_URL (webhook);
# LINE_CHANNEL_ACCESS_TOKEN SLACK_WEBHOOK_URL NOTIFY_WEBHOOK_SECRET SMTP_URL (worker).
# Chat (docs/chat.md): public (browsers call it), its own identity with roles/dialogflow.client
# only, CHAT_SESSION_SECRET in Secret Manager (generated once unless given). It answers the
# browsers of CHAT_ALLOWED_ORIGINS=https://shop.example,... only (default: the project's own
# Firebase Hosting sites, https://$GOOGLE_CLOUD_PROJECT.web.app and .firebaseapp.com; apps and
# servers, which send no Origin, are not limited by it); DIALOGFLOW_AGENT picks its agent
# (default: the project's ES agent); CHAT_MAX_INSTANCES=10.
# Other settings pass through to the function that reads them: see README "Deploy".
set -euo pipefail
# Run in the project (dff runs it there); this package's own files are under DFF_ROOT.
DFF_ROOT="${DFF_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
export DFF_ROOT

SCRIPT_NAME=deploy.sh
DRY_RUN=false
WITH_ALERTS=false
AGENT=""
USAGE="usage: dff deploy [--dry-run] [--with-alerts] [--agent es|cx]"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=true ;;
    --with-alerts) WITH_ALERTS=true ;;
    --agent)
      AGENT="${2:-}"
      shift
      ;;
    --agent=*) AGENT="${1#--agent=}" ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d'
      exit 0
      ;;
    *)
      echo "unknown argument: $1 ($USAGE)" >&2
      exit 2
      ;;
  esac
  shift
done
case "$AGENT" in
  "" | es | cx) ;;
  *)
    echo "--agent must be es or cx ($USAGE)" >&2
    exit 2
    ;;
esac
# shellcheck source=packages/dev/src/lib/gcloud.sh
source "$DFF_ROOT/src/lib/gcloud.sh"
# This package's CLI, for the agent zip.
dff() { node "$DFF_ROOT/bin/dff.js" "$@"; }

PROJECT="${GOOGLE_CLOUD_PROJECT:-}"
[ -n "$PROJECT" ] || fail "GOOGLE_CLOUD_PROJECT is required (the project id)"
[[ $PROJECT =~ ^[a-z][a-z0-9-]{4,29}$ ]] || fail "GOOGLE_CLOUD_PROJECT must be a project id (got '$PROJECT')"
command -v node >/dev/null 2>&1 || fail "node is required"
if [ "$AGENT" = cx ] && ! [[ ${DIALOGFLOW_AGENT:-} =~ ^projects/[^/]+/locations/[^/]+/agents/[^/]+$ ]]; then
  fail "--agent cx restores into DIALOGFLOW_AGENT: set it to projects/P/locations/L/agents/A (create the agent first)"
fi

REGION="${TASKS_LOCATION:-asia-east1}"
QUEUE="${TASKS_QUEUE:-fulfillment-jobs}"
FIRESTORE_LOCATION="${FIRESTORE_LOCATION:-$REGION}"
WEBHOOK_MIN_INSTANCES="${WEBHOOK_MIN_INSTANCES:-0}"
WEBHOOK_MAX_INSTANCES="${WEBHOOK_MAX_INSTANCES:-20}"
WORKER_MAX_INSTANCES="${WORKER_MAX_INSTANCES:-5}"
SWEEP_JOB=fulfillment-sweep
SWEEP_SCHEDULE='*/5 * * * *'
for n in WEBHOOK_MIN_INSTANCES WEBHOOK_MAX_INSTANCES WORKER_MAX_INSTANCES; do
  [[ ${!n} =~ ^[0-9]+$ ]] || fail "$n must be a whole number (got '${!n}')"
done

# Identities: one per function, one that Cloud Tasks and Cloud Scheduler call the worker as,
# and one that builds the code (so the default compute account is used for nothing).
SA_DOMAIN="$PROJECT.iam.gserviceaccount.com"
WEBHOOK_SA="fulfillment-webhook@$SA_DOMAIN"
WORKER_SA="fulfillment-worker@$SA_DOMAIN"
TASKS_SA="${TASKS_SERVICE_ACCOUNT:-fulfillment-tasks@$SA_DOMAIN}"
BUILD_SA="fulfillment-build@$SA_DOMAIN"

# The checks the functions make at start (shared/config.ts), made before anything is deployed.
if [ -n "${WEBHOOK_TOKEN:-}" ] && [ "${#WEBHOOK_TOKEN}" -lt 16 ]; then
  fail "WEBHOOK_TOKEN must be at least 16 characters"
fi
if [ -n "${WEBHOOK_BASIC_AUTH:-}" ] && ! [[ $WEBHOOK_BASIC_AUTH =~ ^[^:]+:.+$ ]]; then
  fail "WEBHOOK_BASIC_AUTH must be user:password"
fi
if [ "${WEBHOOK_AUTH:-}" = none ] && [ -n "${WEBHOOK_TOKEN:-}${WEBHOOK_BASIC_AUTH:-}${WEBHOOK_OIDC_AUDIENCE:-}" ]; then
  fail "WEBHOOK_AUTH=none contradicts the webhook auth variables that are set"
fi
if [ -n "${WEBHOOK_OIDC_EMAILS:-}" ] && [ -z "${WEBHOOK_OIDC_AUDIENCE:-}" ]; then
  fail "WEBHOOK_OIDC_AUDIENCE must be set when WEBHOOK_OIDC_EMAILS is set"
fi
# A shell set up for npm start points these at local stand-ins: never deploy that.
for n in WEATHER_API_BASE_URL LINE_API_BASE_URL NOTIFY_WEBHOOK_URL SLACK_WEBHOOK_URL SMTP_URL MYSQL_URL; do
  # (A MySQL URL with a socketPath connects through the socket, whatever host it names.)
  if [[ ${!n:-} =~ ://([^@/]*@)?(127\.|localhost|\[::1\]) ]] && [[ ${!n} != *socketPath=* ]]; then
    fail "$n points at this machine (127.0.0.1/localhost): unset it, or set it to the real service"
  fi
done

# The chat function: the origins whose pages may call it (it refuses to start in production
# without them, core's config.ts). By default only the project's own Firebase Hosting sites.
CHAT_SA="fulfillment-chat@$SA_DOMAIN"
CHAT_MAX_INSTANCES="${CHAT_MAX_INSTANCES:-10}"
CHAT_ALLOWED_ORIGINS="${CHAT_ALLOWED_ORIGINS:-https://$PROJECT.web.app,https://$PROJECT.firebaseapp.com}"
IFS=',' read -r -a CHAT_ORIGINS <<<"$CHAT_ALLOWED_ORIGINS"
for origin in "${CHAT_ORIGINS[@]}"; do
  origin="${origin// /}"
  [ -z "$origin" ] || [[ $origin =~ ^https?://[^/[:space:]]+/?$ ]] \
    || fail "CHAT_ALLOWED_ORIGINS must be comma-separated origins like https://shop.example (got '$origin')"
done
[[ $CHAT_MAX_INSTANCES =~ ^[0-9]+$ ]] || fail "CHAT_MAX_INSTANCES must be a whole number (got '$CHAT_MAX_INSTANCES')"
if [ -n "${CHAT_SESSION_SECRET:-}" ] && [ "${#CHAT_SESSION_SECRET}" -lt 32 ]; then
  fail "CHAT_SESSION_SECRET must be at least 32 characters"
fi

# MYSQL_URL=mysql://user:pass@localhost/db?socketPath=/cloudsql/P:R:I names the instance.
if [ -z "${CLOUD_SQL_INSTANCE:-}" ] && [[ ${MYSQL_URL:-} =~ socketPath=(/|%2[Ff])cloudsql(/|%2[Ff])([^&]+) ]]; then
  CLOUD_SQL_INSTANCE=${BASH_REMATCH[3]//%3[Aa]/:}
fi

$DRY_RUN && note "dry run: commands that change something are printed, none is run"
probe_gcloud "$PROJECT"
P="--project=$PROJECT"

# ---------------------------------------------------------------------------------------------
note "APIs"
APIS="cloudfunctions.googleapis.com cloudbuild.googleapis.com run.googleapis.com \
cloudtasks.googleapis.com firestore.googleapis.com secretmanager.googleapis.com \
artifactregistry.googleapis.com iam.googleapis.com iamcredentials.googleapis.com \
cloudscheduler.googleapis.com dialogflow.googleapis.com"
$WITH_ALERTS && APIS+=" monitoring.googleapis.com logging.googleapis.com"
[ -n "${CLOUD_SQL_INSTANCE:-}" ] && APIS+=" sqladmin.googleapis.com"
lookup gcloud services list --enabled "$P" --format='value(config.name)' || true
TO_ENABLE=$(missing_apis "$APIS" "$LOOKUP")
# shellcheck disable=SC2086 # one argument per API
[ -z "$TO_ENABLE" ] || run gcloud services enable $TO_ENABLE "$P"

if [ -z "${PROJECT_NUMBER:-}" ]; then
  PROJECT_NUMBER=PROJECT_NUMBER # a dry run that could not read it: a placeholder
fi

# ---------------------------------------------------------------------------------------------
note "Service accounts"
CREATED_SAS=" "
ensure_service_account() { # EMAIL DISPLAY-NAME DESCRIPTION
  lookup gcloud iam service-accounts describe "$1" "$P" --format='value(email)' && return 0
  [[ $1 == *"@$SA_DOMAIN" ]] || fail "service account $1 does not exist (and is not one this project can create)"
  run gcloud iam service-accounts create "${1%%@*}" --display-name="$2" --description="$3" "$P"
  CREATED_SAS+="$1 "
}
ensure_service_account "$WEBHOOK_SA" "Fulfillment webhook" "Runtime identity of the webhook function"
ensure_service_account "$WORKER_SA" "Fulfillment worker" "Runtime identity of the worker function"
ensure_service_account "$TASKS_SA" "Fulfillment tasks" "Cloud Tasks and Cloud Scheduler call the worker as this identity"
ensure_service_account "$BUILD_SA" "Fulfillment build" "Cloud Build builds the functions as this identity"
ensure_service_account "$CHAT_SA" "Fulfillment chat" "Runtime identity of the chat function (DetectIntent only)"

note "Project roles: Firestore for both functions; logs, images and sources for the build"
read_policy gcloud projects get-iam-policy "$PROJECT"
PROJECT_POLICY=$POLICY
grant_project() { # ROLE MEMBER
  ensure_binding "$PROJECT_POLICY" "$1" "$2" gcloud projects add-iam-policy-binding "$PROJECT" --condition=None
}
grant_project roles/datastore.user "serviceAccount:$WEBHOOK_SA"
grant_project roles/datastore.user "serviceAccount:$WORKER_SA"
grant_project roles/logging.logWriter "serviceAccount:$BUILD_SA"
grant_project roles/artifactregistry.writer "serviceAccount:$BUILD_SA"
grant_project roles/storage.objectAdmin "serviceAccount:$BUILD_SA"
[ -z "${CLOUD_SQL_INSTANCE:-}" ] || grant_project roles/cloudsql.client "serviceAccount:$WEBHOOK_SA"
# The chat calls DetectIntent and nothing else: no Firestore, no queue.
grant_project roles/dialogflow.client "serviceAccount:$CHAT_SA"

# ---------------------------------------------------------------------------------------------
note "Firestore (native mode, database (default))"
if lookup gcloud firestore databases describe --database='(default)' "$P" --format='value(type)'; then
  [ "$LOOKUP" = FIRESTORE_NATIVE ] \
    || fail "the project's (default) database is in $LOOKUP, not Firestore native mode: use another project"
else
  run gcloud firestore databases create --database='(default)' --location="$FIRESTORE_LOCATION" --type=firestore-native "$P"
fi

# ---------------------------------------------------------------------------------------------
note "Cloud Tasks queue $QUEUE (@dialogflow-functions/dev's queue.json, the settings npm start gives the emulator)"
# (One node for all seven settings.)
QUEUE_SETTINGS=$(node -p "const { retryConfig: r, rateLimits: l } = require(process.env.DFF_ROOT + '/src/queue.json');
[r.maxAttempts, r.minBackoffSeconds, r.maxBackoffSeconds, r.maxDoublings, r.maxRetryDurationSeconds,
  l.maxDispatchesPerSecond, l.maxConcurrentDispatches].join(' ')") || fail "could not read queue.json"
read -r Q_ATTEMPTS Q_MIN_BACKOFF Q_MAX_BACKOFF Q_DOUBLINGS Q_RETRY Q_RATE Q_CONCURRENT <<<"$QUEUE_SETTINGS"
QUEUE_FLAGS=(
  "--location=$REGION"
  "--max-attempts=$Q_ATTEMPTS"
  "--min-backoff=${Q_MIN_BACKOFF}s"
  "--max-backoff=${Q_MAX_BACKOFF}s"
  "--max-doublings=$Q_DOUBLINGS"
  "--max-retry-duration=${Q_RETRY}s"
  "--max-dispatches-per-second=$Q_RATE"
  "--max-concurrent-dispatches=$Q_CONCURRENT"
)
if lookup gcloud tasks queues describe "$QUEUE" --location="$REGION" "$P" --format='value(name)'; then
  run gcloud tasks queues update "$QUEUE" "${QUEUE_FLAGS[@]}" "$P"
else
  run gcloud tasks queues create "$QUEUE" "${QUEUE_FLAGS[@]}" "$P"
fi
note "Both functions enqueue (the worker schedules its own follow-ups and re-creates lost tasks)"
read_policy gcloud tasks queues get-iam-policy "$QUEUE" --location="$REGION" "$P"
for sa in "$WEBHOOK_SA" "$WORKER_SA"; do
  ensure_binding "$POLICY" roles/cloudtasks.enqueuer "serviceAccount:$sa" \
    gcloud tasks queues add-iam-policy-binding "$QUEUE" --location="$REGION" "$P"
done
note "...as the tasks identity: both may act as it, nothing else"
POLICY="" # (a service account created just now has no bindings, and IAM may not show it yet)
[[ $CREATED_SAS == *" $TASKS_SA "* ]] || read_policy gcloud iam service-accounts get-iam-policy "$TASKS_SA" "$P"
for sa in "$WEBHOOK_SA" "$WORKER_SA"; do
  ensure_binding "$POLICY" roles/iam.serviceAccountUser "serviceAccount:$sa" \
    gcloud iam service-accounts add-iam-policy-binding "$TASKS_SA" "$P"
done

# ---------------------------------------------------------------------------------------------
note "Secrets (Secret Manager; each function may read only its own)"
WEBHOOK_SECRETS=(WEATHER_API_KEY WEBHOOK_TOKEN WEBHOOK_BASIC_AUTH MYSQL_URL)
WORKER_SECRETS=(LINE_CHANNEL_ACCESS_TOKEN SLACK_WEBHOOK_URL NOTIFY_WEBHOOK_SECRET SMTP_URL)
NEW_WEBHOOK_TOKEN=false
# REF_<NAME> holds NAME:VERSION for each secret in use (no associative arrays: macOS has bash 3.2).
secret_ref() { local v="REF_$1"; printf '%s' "${!v:-}"; }

# Brings secret NAME up to date from the variable of that name (when set) and records it as in
# use when it has a version. $2 = generate: create it with a random value when it does not exist.
ensure_secret() { # NAME SA [generate]
  local name=$1 sa=$2 generate=${3:-} exists=false version="" added=false
  lookup gcloud secrets describe "$name" "$P" --format='value(name)' && exists=true
  if [ -n "${!name:-}" ]; then
    $exists || run gcloud secrets create "$name" --replication-policy=automatic "$P"
    local current=""
    if $exists && lookup gcloud secrets versions access latest --secret="$name" "$P"; then
      current=$LOOKUP
    fi
    if ! $exists || [ "$current" != "${!name}" ]; then
      run_with_value_of "$name" gcloud secrets versions add "$name" --data-file=- "$P"
      added=true
    fi
  elif ! $exists && [ "$generate" = generate ]; then
    run gcloud secrets create "$name" --replication-policy=automatic "$P"
    run_with_random_token gcloud secrets versions add "$name" --data-file=- "$P"
    added=true
    NEW_WEBHOOK_TOKEN=true
  elif ! $exists; then
    return 0 # not configured
  fi
  # Pin the version: a deploy (or a rollback to an older revision) always means one value.
  if { ! $added || ! $DRY_RUN; } \
    && lookup gcloud secrets versions describe latest --secret="$name" "$P" --format='value(name)'; then
    version=${LOOKUP##*/}
  fi
  printf -v "REF_$name" '%s' "$name:${version:-latest}"
  local policy=""
  if $exists; then
    read_policy gcloud secrets get-iam-policy "$name" "$P"
    policy=$POLICY
  fi
  ensure_binding "$policy" roles/secretmanager.secretAccessor "serviceAccount:$sa" \
    gcloud secrets add-iam-policy-binding "$name" "$P"
}

secret_exists() { lookup gcloud secrets describe "$1" "$P" --format='value(name)'; }
# With no webhook auth configured at all, the webhook gets a random token (created once, reused).
TOKEN_MODE=""
if [ "${WEBHOOK_AUTH:-}" = none ]; then
  for s in WEBHOOK_TOKEN WEBHOOK_BASIC_AUTH; do
    if secret_exists "$s"; then
      fail "WEBHOOK_AUTH=none, but secret $s exists and would be required: delete it (gcloud secrets delete $s $P) or drop WEBHOOK_AUTH=none"
    fi
  done
elif [ -z "${WEBHOOK_TOKEN:-}${WEBHOOK_BASIC_AUTH:-}${WEBHOOK_OIDC_AUDIENCE:-}" ] \
  && ! secret_exists WEBHOOK_BASIC_AUTH && ! secret_exists WEBHOOK_TOKEN; then
  TOKEN_MODE=generate
fi
for s in "${WEBHOOK_SECRETS[@]}"; do
  if [ "$s" = WEBHOOK_TOKEN ]; then
    ensure_secret "$s" "$WEBHOOK_SA" "$TOKEN_MODE"
  else
    ensure_secret "$s" "$WEBHOOK_SA"
  fi
done
for s in "${WORKER_SECRETS[@]}"; do ensure_secret "$s" "$WORKER_SA"; done
# The key that signs the chat's session tokens: random, created once (unless given), kept.
KEEP_NEW_WEBHOOK_TOKEN=$NEW_WEBHOOK_TOKEN
ensure_secret CHAT_SESSION_SECRET "$CHAT_SA" generate
NEW_WEBHOOK_TOKEN=$KEEP_NEW_WEBHOOK_TOKEN
if [ -n "${NOTIFY_WEBHOOK_URL:-}" ] && [ -z "$(secret_ref NOTIFY_WEBHOOK_SECRET)" ]; then
  fail "NOTIFY_WEBHOOK_SECRET must be set when NOTIFY_WEBHOOK_URL is set (it signs the notifications)"
fi
if [ "${INVENTORY_SOURCE:-}" = mysql ] && [ -z "$(secret_ref MYSQL_URL)" ]; then
  fail "MYSQL_URL must be set when INVENTORY_SOURCE=mysql"
fi

secrets_flag() { # NAME...: --set-secrets=ENV=SECRET:VERSION,... or --clear-secrets
  local out="" s ref
  for s in "$@"; do
    ref=$(secret_ref "$s")
    [ -z "$ref" ] || out+="$s=$ref,"
  done
  if [ -n "$out" ]; then printf -- '--set-secrets=%s' "${out%,}"; else printf -- '--clear-secrets'; fi
}

# Plain settings: only those a function reads, `|`-delimited (gcloud's ^|^ syntax) as values
# such as WEBHOOK_OIDC_EMAILS contain commas. Never a secret: those go through --set-secrets.
env_flag() { # NAME=VALUE... then NAME... passed through when set
  local out="^|^NODE_ENV=production|GOOGLE_CLOUD_PROJECT=$PROJECT|TASKS_LOCATION=$REGION|TASKS_QUEUE=$QUEUE"
  out+="|WORKER_URL=$WORKER_URL|TASKS_SERVICE_ACCOUNT=$TASKS_SA"
  local item
  for item in "$@"; do
    if [[ $item == *=* ]]; then
      out+="|$item"
    elif [ -n "${!item:-}" ]; then
      out+="|$item=${!item}"
    fi
  done
  printf -- '--set-env-vars=%s' "$out"
}

# ---------------------------------------------------------------------------------------------
# The invoker bindings of a function's Cloud Run service: sets PUBLIC (true/false) and POLICY.
read_invokers() { # FUNCTION
  PUBLIC=false
  read_policy gcloud run services get-iam-policy "$1" --region="$REGION" "$P"
  if has_binding "$POLICY" roles/run.invoker allUsers || has_binding "$POLICY" roles/run.invoker allAuthenticatedUsers; then
    PUBLIC=true
  fi
}
function_uri() { # FUNCTION: sets LOOKUP to its URL; 1 when it does not exist
  lookup gcloud functions describe "$1" --region="$REGION" "$P" --format='value(serviceConfig.uri)'
}
# --serve-all-traffic-latest-revision: a deploy goes live even after a rollback pinned the traffic
# to an older revision (README "Operations").
# What is uploaded: the project, or in a workspace a staged copy with the workspace's packages
# packed into it (Cloud Build installs the upload's dependencies from the registry).
if $DRY_RUN; then SOURCE=$(node "$DFF_ROOT/src/lib/deploy-source.js" --dry-run); else SOURCE=$(node "$DFF_ROOT/src/lib/deploy-source.js"); fi
[ -n "$SOURCE" ] || fail "could not prepare the upload (see above)"
[ "$SOURCE" = . ] || note "Upload: $SOURCE (this workspace project, its workspace packages packed into it)"
COMMON_DEPLOY=(--gen2 --runtime=nodejs22 --region="$REGION" "$P" --source="$SOURCE" --trigger-http
  --build-service-account="projects/$PROJECT/serviceAccounts/$BUILD_SA" --serve-all-traffic-latest-revision)

note "Worker: private; only the tasks identity may call it (Cloud Tasks, and the sweep)"
# (WORKER_URL in the environment is ignored: locally it names the local worker.)
WORKER_EXISTS=false
WORKER_POLICY=""
if function_uri worker; then
  WORKER_EXISTS=true
  WORKER_URL=$LOOKUP
else
  # A new service's deterministic run.app URL; checked once the worker exists.
  WORKER_URL="https://worker-$PROJECT_NUMBER.$REGION.run.app"
fi
# Setting access rewrites the IAM policy (a permission the CI deployer does not have): done
# when the worker is created or found public, else left alone.
WORKER_ACCESS=--no-allow-unauthenticated
if $WORKER_EXISTS; then
  read_invokers worker
  WORKER_POLICY=$POLICY
  $PUBLIC || WORKER_ACCESS=""
fi
deploy_worker() {
  run gcloud functions deploy worker "${COMMON_DEPLOY[@]}" --entry-point=worker \
    --service-account="$WORKER_SA" ${WORKER_ACCESS:+"$WORKER_ACCESS"} \
    --memory=512Mi --cpu=1 --concurrency=10 --timeout=300s \
    --min-instances=0 --max-instances="$WORKER_MAX_INSTANCES" \
    "$(env_flag WORKER_AUTH=iam WORKER_OIDC_AUDIENCE LINE_API_BASE_URL NOTIFY_WEBHOOK_URL \
      NOTIFY_EMAIL_FROM RESERVATION_SLOT_CAPACITY WATCH_ORDER_CHECK_SECONDS)" \
    "$(secrets_flag "${WORKER_SECRETS[@]}")"
}
deploy_worker
if ! $DRY_RUN && function_uri worker && [ "$LOOKUP" != "$WORKER_URL" ]; then
  # The new service got another URL than the deterministic one: give the worker its real URL.
  note "the worker's URL is $LOOKUP: deploying it once more with that URL"
  WORKER_URL=$LOOKUP
  WORKER_ACCESS=""
  deploy_worker
fi
has_binding "$WORKER_POLICY" roles/run.invoker "serviceAccount:$TASKS_SA" \
  || run_settling gcloud functions add-invoker-policy-binding worker --region="$REGION" "$P" --member="serviceAccount:$TASKS_SA"
others=$(awk -F '\t' -v me="serviceAccount:$TASKS_SA" '$1 == "roles/run.invoker" && $2 != me { print $2 }' <<<"$WORKER_POLICY")
if [ -n "$others" ]; then
  warn "the worker has other invokers than $TASKS_SA: $(tr '\n' ' ' <<<"$others")(remove them: gcloud functions remove-invoker-policy-binding worker --region=$REGION --member=...)"
fi

# ---------------------------------------------------------------------------------------------
WEBHOOK_PUBLIC=true
[ "${WEBHOOK_AUTH:-}" = none ] && WEBHOOK_PUBLIC=false
if $WEBHOOK_PUBLIC; then
  note "Webhook: reachable by Dialogflow, checks the webhook auth itself"
  WEBHOOK_ACCESS=--allow-unauthenticated
else
  note "Webhook: WEBHOOK_AUTH=none, so IAM checks every call (CX with service agent auth)"
  WEBHOOK_ACCESS=--no-allow-unauthenticated
fi
if function_uri webhook; then
  read_invokers webhook
  [ "$PUBLIC" != "$WEBHOOK_PUBLIC" ] || WEBHOOK_ACCESS=""
fi
run gcloud functions deploy webhook "${COMMON_DEPLOY[@]}" --entry-point=webhook \
  --service-account="$WEBHOOK_SA" ${WEBHOOK_ACCESS:+"$WEBHOOK_ACCESS"} \
  --memory=512Mi --cpu=1 --concurrency=80 --timeout=30s \
  --min-instances="$WEBHOOK_MIN_INSTANCES" --max-instances="$WEBHOOK_MAX_INSTANCES" \
  "$(env_flag WORKER_OIDC_AUDIENCE WEBHOOK_DEADLINE_MS WEATHER_API_BASE_URL WEBHOOK_TOKEN_HEADER \
    WEBHOOK_OIDC_AUDIENCE WEBHOOK_OIDC_EMAILS WEBHOOK_AUTH INVENTORY_SOURCE RESERVATION_SLOT_CAPACITY)" \
  "$(secrets_flag "${WEBHOOK_SECRETS[@]}")"

# Startup CPU boost (Cloud Run): an instance gets twice its CPU while it starts and for 10 s
# after, so a cold start's load and compile work (single-threaded, but with the GC and the
# compiler's background threads beside it) is not squeezed into the one vCPU the function has.
# `gcloud functions deploy` has no flag for it: it is set on the function's Cloud Run service,
# and checked after every deploy (a function deploy writes the service's revision template).
# Billed: the boosted CPU during the boost only. For the functions someone waits on.
cpu_boost() { # SERVICE
  lookup gcloud run services describe "$1" --region="$REGION" "$P" \
    --format='value(spec.template.metadata.annotations."run.googleapis.com/startup-cpu-boost")' || true
  [ "$LOOKUP" = true ] || run gcloud run services update "$1" --region="$REGION" "$P" --cpu-boost
}
cpu_boost webhook

if [ -n "${CLOUD_SQL_INSTANCE:-}" ]; then
  note "Cloud SQL: the webhook's service mounts /cloudsql/$CLOUD_SQL_INSTANCE"
  lookup gcloud run services describe webhook --region="$REGION" "$P" \
    --format='value(spec.template.metadata.annotations."run.googleapis.com/cloudsql-instances")' || true
  [[ ",$LOOKUP," == *",$CLOUD_SQL_INSTANCE,"* ]] \
    || run gcloud run services update webhook --region="$REGION" "$P" --add-cloudsql-instances="$CLOUD_SQL_INSTANCE"
fi

# ---------------------------------------------------------------------------------------------
note "Chat: public (browsers call it); answers only CHAT_ALLOWED_ORIGINS (CORS), as its own identity"
CHAT_ACCESS=--allow-unauthenticated
if function_uri chat; then
  read_invokers chat
  ! $PUBLIC || CHAT_ACCESS=""
fi
run gcloud functions deploy chat "${COMMON_DEPLOY[@]}" --entry-point=chat \
  --service-account="$CHAT_SA" ${CHAT_ACCESS:+"$CHAT_ACCESS"} \
  --memory=512Mi --cpu=1 --concurrency=80 --timeout=10s \
  --min-instances=0 --max-instances="$CHAT_MAX_INSTANCES" \
  "$(env_flag "CHAT_ALLOWED_ORIGINS=$CHAT_ALLOWED_ORIGINS" DIALOGFLOW_AGENT)" \
  "$(secrets_flag CHAT_SESSION_SECRET)"
cpu_boost chat

# ---------------------------------------------------------------------------------------------
note "Sweep: every 5 minutes, finds jobs stuck between their record and their task"
SWEEP_FLAGS=(--location="$REGION" "$P" --schedule="$SWEEP_SCHEDULE" --uri="${WORKER_URL%/}/sweep"
  --http-method=POST --message-body='{}' --oidc-service-account-email="$TASKS_SA"
  --oidc-token-audience="${WORKER_URL%/}" --attempt-deadline=300s)
if lookup gcloud scheduler jobs describe "$SWEEP_JOB" --location="$REGION" "$P" --format='value(name)'; then
  run gcloud scheduler jobs update http "$SWEEP_JOB" "${SWEEP_FLAGS[@]}" --update-headers=Content-Type=application/json
else
  run gcloud scheduler jobs create http "$SWEEP_JOB" "${SWEEP_FLAGS[@]}" --headers=Content-Type=application/json
fi

# ---------------------------------------------------------------------------------------------
if $WITH_ALERTS; then
  # shellcheck source=packages/dev/src/lib/monitoring.sh
  source "$DFF_ROOT/src/lib/monitoring.sh"
  apply_monitoring
fi

# ---------------------------------------------------------------------------------------------
if function_uri webhook && [ -n "$LOOKUP" ]; then
  WEBHOOK_URL=$LOOKUP
else
  WEBHOOK_URL="https://webhook-$PROJECT_NUMBER.$REGION.run.app"
fi
echo
note "Webhook URL (paste it into Dialogflow): $WEBHOOK_URL"
note "  ES: Fulfillment > Webhook > URL.  CX: Manage > Webhooks > Create > Webhook URL."
if [ -n "$(secret_ref WEBHOOK_TOKEN)" ]; then
  HEADER="${WEBHOOK_TOKEN_HEADER:-x-webhook-token}"
  $NEW_WEBHOOK_TOKEN && note "No webhook auth was configured: the webhook now requires a random token (secret WEBHOOK_TOKEN)."
  note "Every call must carry header '$HEADER' with the token. Read it (never printed here) with:"
  note "  gcloud secrets versions access latest --secret=WEBHOOK_TOKEN --project=$PROJECT"
  note "  ES: Fulfillment > Webhook > HEADERS: key '$HEADER', value the token."
  note "  CX: Manage > Webhooks > (the webhook) > Authentication > Add header: key '$HEADER', value the token."
fi
if function_uri chat && [ -n "$LOOKUP" ]; then
  CHAT_URL=$LOOKUP
else
  CHAT_URL="https://chat-$PROJECT_NUMBER.$REGION.run.app"
fi
note "Chat URL (the widget's endpoint, for $CHAT_ALLOWED_ORIGINS): $CHAT_URL"
note "  <dialogflow-chat endpoint=\"$CHAT_URL\" language=\"en\"></dialogflow-chat> (docs/chat.md)"
if [ -n "$(secret_ref WEBHOOK_BASIC_AUTH)" ]; then
  note "Basic auth (secret WEBHOOK_BASIC_AUTH): ES: Fulfillment > Webhook > BASIC AUTH; CX: the webhook's Authentication > username and password."
fi

# ---------------------------------------------------------------------------------------------
if [ -n "$AGENT" ]; then
  if [ "$AGENT" = es ]; then
    RESTORE_URL="https://dialogflow.googleapis.com/v2/projects/$PROJECT/agent:restore"
  else
    AGENT_LOCATION=${DIALOGFLOW_AGENT#projects/*/locations/}
    AGENT_LOCATION=${AGENT_LOCATION%%/*}
    AGENT_HOST=dialogflow.googleapis.com
    [ "$AGENT_LOCATION" = global ] || AGENT_HOST="$AGENT_LOCATION-$AGENT_HOST"
    RESTORE_URL="https://$AGENT_HOST/v3/$DIALOGFLOW_AGENT:restore"
  fi
  note "Agent: agent/$AGENT with this webhook, restored into the ${AGENT^^} agent"
  # The zip carries the header the webhook requires: the token in use (read from Secret Manager
  # when it is not in the environment; never printed).
  if [ -z "${WEBHOOK_TOKEN:-}" ] && [ -n "$(secret_ref WEBHOOK_TOKEN)" ] &&
    lookup gcloud secrets versions access latest --secret=WEBHOOK_TOKEN "$P"; then
    WEBHOOK_TOKEN=$LOOKUP
  fi
  if [ -z "${WEBHOOK_BASIC_AUTH:-}" ] && [ -n "$(secret_ref WEBHOOK_BASIC_AUTH)" ] &&
    lookup gcloud secrets versions access latest --secret=WEBHOOK_BASIC_AUTH "$P"; then
    WEBHOOK_BASIC_AUTH=$LOOKUP
  fi
  WEBHOOK_TOKEN="${WEBHOOK_TOKEN:-}" WEBHOOK_BASIC_AUTH="${WEBHOOK_BASIC_AUTH:-}" \
    run dff agent "$AGENT" --webhook-url "$WEBHOOK_URL" --out "$LIB_TMP/agent.zip"
  run node -e 'const fs = require("fs"); fs.writeFileSync(process.argv[2], JSON.stringify({ agentContent: fs.readFileSync(process.argv[1]).toString("base64") }))' \
    "$LIB_TMP/agent.zip" "$LIB_TMP/restore.json"
  # The access token goes in a header file, not on the command line.
  $DRY_RUN || printf 'Authorization: Bearer %s\n' "$(gcloud auth print-access-token)" >"$LIB_TMP/auth-header"
  run curl --fail-with-body -sS -X POST "$RESTORE_URL" -H "@$LIB_TMP/auth-header" \
    -H "x-goog-user-project: $PROJECT" -H "Content-Type: application/json" \
    --data-binary "@$LIB_TMP/restore.json"
fi
if $DRY_RUN; then note "dry run: nothing was changed"; else note "deployed"; fi
