#!/usr/bin/env bash
# One-time setup for deploying from GitHub Actions with no service account key: a Workload
# Identity pool and provider that trust GitHub's OIDC tokens from one repository's main branch,
# and a deployer service account those tokens may act as, with only the roles
# dff deploy needs to update a deployment that exists. Prints the repository variables
# .github/workflows/deploy.yml reads. Idempotent: a second run creates nothing.
#
# Usage: GOOGLE_CLOUD_PROJECT=my-project dff setup-ci [--dry-run] [--repo OWNER/NAME] [--with-alerts]
#   --repo         the GitHub repository (default: $GITHUB_REPOSITORY, else the `origin` remote)
#   --with-alerts  also let the deployer apply monitoring/ (deploy.sh --with-alerts)
#   --dry-run      print the commands that would change something and run none of them
#
# Run it as a project owner after the first dff deploy from your machine: that run
# creates the identities and grants the roles, which the deployer is not allowed to do.
# Optional: TASKS_LOCATION (asia-east1), TASKS_SERVICE_ACCOUNT (as for deploy.sh).
set -euo pipefail
# Run in the project (dff runs it there); this package's own files are under DFF_ROOT.
DFF_ROOT="${DFF_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
export DFF_ROOT

SCRIPT_NAME=setup-ci.sh
DRY_RUN=false
WITH_ALERTS=false
REPO="${GITHUB_REPOSITORY:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=true ;;
    --with-alerts) WITH_ALERTS=true ;;
    --repo=*) REPO=${1#--repo=} ;;
    --repo)
      [ $# -ge 2 ] || { echo "--repo needs OWNER/NAME" >&2; exit 2; }
      REPO=$2
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d'
      exit 0
      ;;
    *)
      echo "unknown argument: $1 (usage: dff setup-ci [--dry-run] [--repo OWNER/NAME] [--with-alerts])" >&2
      exit 2
      ;;
  esac
  shift
done
# shellcheck source=packages/dev/src/lib/gcloud.sh
source "$DFF_ROOT/src/lib/gcloud.sh"

PROJECT="${GOOGLE_CLOUD_PROJECT:-}"
[ -n "$PROJECT" ] || fail "GOOGLE_CLOUD_PROJECT is required (the project id)"
[[ $PROJECT =~ ^[a-z][a-z0-9-]{4,29}$ ]] || fail "GOOGLE_CLOUD_PROJECT must be a project id (got '$PROJECT')"

# The repository: given, or from the `origin` remote (https://github.com/O/N(.git) or git@github.com:O/N(.git)).
if [ -z "$REPO" ] && command -v git >/dev/null 2>&1; then
  origin=$(git remote get-url origin 2>/dev/null || true)
  if [[ $origin =~ github\.com[:/]([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)$ ]]; then
    REPO=${BASH_REMATCH[1]%.git}
  fi
fi
[ -n "$REPO" ] || fail "which GitHub repository? pass --repo OWNER/NAME (or set GITHUB_REPOSITORY)"
[[ $REPO =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || fail "--repo must be OWNER/NAME (got '$REPO')"

REGION="${TASKS_LOCATION:-asia-east1}"
POOL=github
PROVIDER=fulfillment-deploy
SA_DOMAIN="$PROJECT.iam.gserviceaccount.com"
DEPLOYER_SA="fulfillment-deployer@$SA_DOMAIN"
RUNTIME_SAS=("fulfillment-webhook@$SA_DOMAIN" "fulfillment-worker@$SA_DOMAIN"
  "${TASKS_SERVICE_ACCOUNT:-fulfillment-tasks@$SA_DOMAIN}" "fulfillment-build@$SA_DOMAIN")

$DRY_RUN && note "dry run: commands that change something are printed, none is run"
probe_gcloud "$PROJECT"
P="--project=$PROJECT"
[ -n "${PROJECT_NUMBER:-}" ] || PROJECT_NUMBER=PROJECT_NUMBER

note "APIs for keyless authentication"
lookup gcloud services list --enabled "$P" --format='value(config.name)' || true
TO_ENABLE=$(missing_apis "iam.googleapis.com iamcredentials.googleapis.com sts.googleapis.com cloudresourcemanager.googleapis.com" "$LOOKUP")
# shellcheck disable=SC2086 # one argument per API
[ -z "$TO_ENABLE" ] || run gcloud services enable $TO_ENABLE "$P"

note "The identities dff deploy creates (the deployer may act as them, nothing more)"
for sa in "${RUNTIME_SAS[@]}"; do
  if ! lookup gcloud iam service-accounts describe "$sa" "$P" --format='value(email)'; then
    if $DRY_RUN; then
      note "$sa does not exist yet: run dff deploy first (this plan assumes it has)"
    else
      fail "$sa does not exist: run dff deploy once from your machine first (it creates it)"
    fi
  fi
done

note "Workload Identity pool $POOL and provider $PROVIDER: GitHub tokens of $REPO, branch main only"
if ! lookup gcloud iam workload-identity-pools describe "$POOL" --location=global "$P" --format='value(name)'; then
  run gcloud iam workload-identity-pools create "$POOL" --location=global \
    --display-name="GitHub Actions" --description="Tokens of GitHub Actions workflows" "$P"
fi
CONDITION="assertion.repository == '$REPO' && assertion.ref == 'refs/heads/main'"
PROVIDER_FLAGS=(--location=global --workload-identity-pool="$POOL" "$P"
  --display-name="Fulfillment deploy" --issuer-uri=https://token.actions.githubusercontent.com
  '--attribute-mapping=google.subject=assertion.sub,attribute.repository=assertion.repository,attribute.ref=assertion.ref'
  --attribute-condition="$CONDITION")
if lookup gcloud iam workload-identity-pools providers describe "$PROVIDER" --location=global \
  --workload-identity-pool="$POOL" "$P" --format='value(name)'; then
  run gcloud iam workload-identity-pools providers update-oidc "$PROVIDER" "${PROVIDER_FLAGS[@]}"
else
  run gcloud iam workload-identity-pools providers create-oidc "$PROVIDER" "${PROVIDER_FLAGS[@]}"
fi
PROVIDER_NAME="projects/$PROJECT_NUMBER/locations/global/workloadIdentityPools/$POOL/providers/$PROVIDER"
PRINCIPALS="principalSet://iam.googleapis.com/projects/$PROJECT_NUMBER/locations/global/workloadIdentityPools/$POOL/attribute.repository/$REPO"

note "Deployer service account: only $REPO's workflows on main may act as it"
CREATED=false
if ! lookup gcloud iam service-accounts describe "$DEPLOYER_SA" "$P" --format='value(email)'; then
  run gcloud iam service-accounts create "${DEPLOYER_SA%%@*}" --display-name="Fulfillment deployer" \
    --description="GitHub Actions of $REPO deploy as this identity (dff deploy)" "$P"
  CREATED=true
fi
POLICY=""
$CREATED || read_policy gcloud iam service-accounts get-iam-policy "$DEPLOYER_SA" "$P"
ensure_binding "$POLICY" roles/iam.workloadIdentityUser "$PRINCIPALS" \
  gcloud iam service-accounts add-iam-policy-binding "$DEPLOYER_SA" "$P"

note "The deployer's roles: what dff deploy does to a deployment that exists"
# - deploy and describe the functions          roles/cloudfunctions.developer
# - read the functions' services (invokers, Cloud SQL)  roles/run.viewer
# - read the IAM policies it checks, change none    roles/iam.securityReviewer
# - read the project, its APIs, identities, database   roles/browser, serviceusage.serviceUsageViewer,
#                                                     iam.serviceAccountViewer, datastore.viewer
# - update the queue from @dialogflow-functions/dev's queue.json     roles/cloudtasks.queueAdmin
# - create/update the sweep job                  roles/cloudscheduler.admin
# - add secret versions, give a function its secret   roles/secretmanager.admin
# Anyone who can deploy the functions can make them do what their identities may; none of
# these roles can grant project roles, create identities or keys, or enable APIs.
ROLES=(roles/cloudfunctions.developer roles/run.viewer roles/iam.securityReviewer roles/browser
  roles/serviceusage.serviceUsageViewer roles/iam.serviceAccountViewer roles/datastore.viewer
  roles/cloudtasks.queueAdmin roles/cloudscheduler.admin roles/secretmanager.admin)
if $WITH_ALERTS; then
  ROLES+=(roles/logging.configWriter roles/monitoring.alertPolicyEditor roles/monitoring.notificationChannelEditor)
fi
read_policy gcloud projects get-iam-policy "$PROJECT"
PROJECT_POLICY=$POLICY
for role in "${ROLES[@]}"; do
  ensure_binding "$PROJECT_POLICY" "$role" "serviceAccount:$DEPLOYER_SA" \
    gcloud projects add-iam-policy-binding "$PROJECT" --condition=None
done
note "...and may deploy functions that run as the runtime identities (act as them, no more)"
for sa in "${RUNTIME_SAS[@]}"; do
  POLICY=""
  lookup gcloud iam service-accounts describe "$sa" "$P" --format='value(email)' \
    && read_policy gcloud iam service-accounts get-iam-policy "$sa" "$P"
  ensure_binding "$POLICY" roles/iam.serviceAccountUser "serviceAccount:$DEPLOYER_SA" \
    gcloud iam service-accounts add-iam-policy-binding "$sa" "$P"
done

echo
note "Repository variables for .github/workflows/deploy.yml (GitHub: Settings > Secrets and"
note "variables > Actions > Variables), e.g. with the GitHub CLI:"
note "  gh variable set GCP_PROJECT_ID --repo $REPO --body $PROJECT"
note "  gh variable set GCP_WORKLOAD_IDENTITY_PROVIDER --repo $REPO --body $PROVIDER_NAME"
note "  gh variable set GCP_DEPLOYER_SERVICE_ACCOUNT --repo $REPO --body $DEPLOYER_SA"
note "  gh variable set GCP_REGION --repo $REPO --body $REGION"
$WITH_ALERTS && note "  gh variable set DEPLOY_WITH_ALERTS --repo $REPO --body true"
note "Settings you deploy with (WEBHOOK_MIN_INSTANCES, ALERT_EMAIL, ...) go there too, by the same"
note "names; secret values stay in Secret Manager (set them once with dff deploy)."
note "New bindings can take a few minutes to work. A push to main then tests and deploys."
if $DRY_RUN; then note "dry run: nothing was changed"; else note "done"; fi
