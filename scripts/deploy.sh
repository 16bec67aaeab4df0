#!/usr/bin/env bash
# Deploys the worker, its Cloud Tasks queue and the webhook to Google Cloud (Cloud Functions
# gen2, nodejs22). `--dry-run` prints every command instead of running it (no gcloud needed).
#
# Required: GOOGLE_CLOUD_PROJECT, TASKS_SERVICE_ACCOUNT (the identity tasks use to call the
# worker), and one webhook auth setting: WEBHOOK_OIDC_AUDIENCE (+ WEBHOOK_OIDC_EMAILS),
# WEBHOOK_BASIC_AUTH, WEBHOOK_TOKEN, or WEBHOOK_AUTH=none (IAM protects the webhook).
# Optional: TASKS_LOCATION (asia-east1, also the functions' region), TASKS_QUEUE,
# WEBHOOK_DEADLINE_MS, WEATHER_API_*, LINE_*, SLACK_WEBHOOK_URL, NOTIFY_WEBHOOK_*,
# RESERVATION_SLOT_CAPACITY, EXTRA_DEPLOY_FLAGS (e.g. --set-secrets=...).
set -euo pipefail
cd "$(dirname "$0")/.."

DRY_RUN=false
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=true ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (usage: scripts/deploy.sh [--dry-run])" >&2; exit 2 ;;
  esac
done

fail() { echo "deploy: $*" >&2; exit 1; }
run() {
  if $DRY_RUN; then printf '%q ' "$@"; echo; else "$@"; fi
}

PROJECT="${GOOGLE_CLOUD_PROJECT:-}"
[ -n "$PROJECT" ] || fail "GOOGLE_CLOUD_PROJECT is required"
[ -n "${TASKS_SERVICE_ACCOUNT:-}" ] || fail "TASKS_SERVICE_ACCOUNT is required (the identity Cloud Tasks uses to call the worker)"
if [ -z "${WEBHOOK_OIDC_AUDIENCE:-}${WEBHOOK_BASIC_AUTH:-}${WEBHOOK_TOKEN:-}" ] && [ "${WEBHOOK_AUTH:-}" != "none" ]; then
  fail "set WEBHOOK_OIDC_AUDIENCE, WEBHOOK_BASIC_AUTH or WEBHOOK_TOKEN, or WEBHOOK_AUTH=none when IAM protects the webhook"
fi
REGION="${TASKS_LOCATION:-asia-east1}"
QUEUE="${TASKS_QUEUE:-fulfillment-jobs}"

# The queue's settings: the same file npm start applies to the local emulator.
q() { node -p "require('./scripts/queue.json').$1"; }
QUEUE_FLAGS=(
  "--location=$REGION"
  "--max-attempts=$(q retryConfig.maxAttempts)"
  "--min-backoff=$(q retryConfig.minBackoffSeconds)s"
  "--max-backoff=$(q retryConfig.maxBackoffSeconds)s"
  "--max-doublings=$(q retryConfig.maxDoublings)"
  "--max-retry-duration=$(q retryConfig.maxRetryDurationSeconds)s"
  "--max-dispatches-per-second=$(q rateLimits.maxDispatchesPerSecond)"
  "--max-concurrent-dispatches=$(q rateLimits.maxConcurrentDispatches)"
)

SECRETS="WEATHER_API_KEY LINE_CHANNEL_ACCESS_TOKEN SLACK_WEBHOOK_URL NOTIFY_WEBHOOK_SECRET WEBHOOK_BASIC_AUTH WEBHOOK_TOKEN"
# Variables passed through to the functions when set, `|`-delimited (gcloud's ^|^ syntax), as
# values such as WEBHOOK_OIDC_EMAILS contain commas.
env_list() {
  local out="^|^NODE_ENV=production|GOOGLE_CLOUD_PROJECT=$PROJECT|TASKS_LOCATION=$REGION|TASKS_QUEUE=$QUEUE"
  local name value
  for name in "$@"; do
    value="${!name:-}"
    [ -n "$value" ] || continue
    # A dry run prints the commands: never the secrets in them.
    if $DRY_RUN && [[ " $SECRETS " == *" $name "* ]]; then value="***"; fi
    out="$out|$name=$value"
  done
  printf '%s' "$out"
}
# shellcheck disable=SC2206
EXTRA=(${EXTRA_DEPLOY_FLAGS:-})

run gcloud services enable cloudfunctions.googleapis.com cloudbuild.googleapis.com run.googleapis.com \
  cloudtasks.googleapis.com firestore.googleapis.com artifactregistry.googleapis.com --project="$PROJECT"

if $DRY_RUN || ! gcloud tasks queues describe "$QUEUE" --location="$REGION" --project="$PROJECT" >/dev/null 2>&1; then
  run gcloud tasks queues create "$QUEUE" "${QUEUE_FLAGS[@]}" --project="$PROJECT"
else
  run gcloud tasks queues update "$QUEUE" "${QUEUE_FLAGS[@]}" --project="$PROJECT"
fi

# The worker: private; Cloud Tasks calls it with an OIDC token of TASKS_SERVICE_ACCOUNT and
# Cloud Run IAM checks it (WORKER_AUTH=iam).
run gcloud functions deploy worker --gen2 --runtime=nodejs22 --region="$REGION" --project="$PROJECT" \
  --source=. --entry-point=worker --trigger-http --no-allow-unauthenticated --timeout=600s \
  --set-env-vars="$(env_list RESERVATION_SLOT_CAPACITY LINE_API_BASE_URL LINE_CHANNEL_ACCESS_TOKEN SLACK_WEBHOOK_URL NOTIFY_WEBHOOK_URL NOTIFY_WEBHOOK_SECRET TASKS_SERVICE_ACCOUNT WORKER_OIDC_AUDIENCE)|WORKER_AUTH=iam|WEBHOOK_AUTH=none" \
  "${EXTRA[@]}"

if $DRY_RUN; then
  WORKER_URL="https://WORKER-URL-FROM-THE-DEPLOY-ABOVE"
else
  WORKER_URL="$(gcloud functions describe worker --gen2 --region="$REGION" --project="$PROJECT" --format='value(serviceConfig.uri)')"
fi
run gcloud functions add-invoker-policy-binding worker --region="$REGION" --project="$PROJECT" \
  --member="serviceAccount:$TASKS_SERVICE_ACCOUNT"
# The webhook creates tasks that act as TASKS_SERVICE_ACCOUNT: its runtime identity needs
# roles/cloudtasks.enqueuer and roles/iam.serviceAccountUser on that account (see README).

WEBHOOK_ACCESS="--allow-unauthenticated"
if [ "${WEBHOOK_AUTH:-}" = "none" ]; then WEBHOOK_ACCESS="--no-allow-unauthenticated"; fi
run gcloud functions deploy webhook --gen2 --runtime=nodejs22 --region="$REGION" --project="$PROJECT" \
  --source=. --entry-point=webhook --trigger-http "$WEBHOOK_ACCESS" --timeout=30s --min-instances="${WEBHOOK_MIN_INSTANCES:-0}" \
  --set-env-vars="$(env_list WEBHOOK_DEADLINE_MS WEATHER_API_BASE_URL WEATHER_API_KEY WEBHOOK_BASIC_AUTH WEBHOOK_TOKEN WEBHOOK_TOKEN_HEADER WEBHOOK_OIDC_AUDIENCE WEBHOOK_OIDC_EMAILS WEBHOOK_AUTH TASKS_SERVICE_ACCOUNT WORKER_OIDC_AUDIENCE)|WORKER_URL=$WORKER_URL|WORKER_AUTH=iam" \
  "${EXTRA[@]}"

if $DRY_RUN; then echo "# dry run: nothing was changed"; else echo "deploy: done"; fi
