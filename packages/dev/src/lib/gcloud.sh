# shellcheck shell=bash
# Helpers shared by dff deploy and dff setup-ci (sourced, never run on its own).
#
# What they print is a shell script: every command that changes something, in order, with
# secret values referenced by variable name and never written out. Read-only look-ups are not
# printed. With DRY_RUN=true nothing that changes anything is run; look-ups still run when
# gcloud can read the project, else the plan assumes nothing exists yet.

: "${SCRIPT_NAME:=gcloud.sh}"
DRY_RUN=${DRY_RUN:-false}
# Never wait for an answer: CI has no terminal, and a prompt would hang the deploy.
export CLOUDSDK_CORE_DISABLE_PROMPTS=1

LIB_TMP=$(mktemp -d)
trap 'rm -rf "$LIB_TMP"' EXIT

note() { printf '# %s\n' "$*"; }
warn() { printf '%s: warning: %s\n' "$SCRIPT_NAME" "$*" >&2; }
fail() {
  printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

# One argument as a shell reads it back: bare when that is safe, else single-quoted.
quote() {
  local s=$1
  if [[ $s =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then
    printf '%s' "$s"
  else
    printf "'%s'" "${s//\'/\'\\\'\'}"
  fi
}

# A command line as it would be typed.
show() {
  local out="" arg
  for arg in "$@"; do out+="$(quote "$arg") "; done
  printf '%s\n' "${out% }"
}

command_failed() {
  local rc=$1
  shift
  fail "this step failed (exit $rc): $(show "$@")
  gcloud's message is above. A step that creates something or grants a role needs more than
  the CI deployer may do (it only updates what exists): run the script once as a project owner."
}

# A command that changes something: printed, then run (not with --dry-run). What gcloud prints
# goes to stderr, so that stdout stays the list of commands.
run() {
  show "$@"
  $DRY_RUN && return 0
  "$@" >&2 || command_failed $? "$@"
}

# Like run, but tries again for a minute while the service does not know yet what was just
# created (IAM is eventually consistent: a new service account is not usable at once).
run_settling() {
  show "$@"
  $DRY_RUN && return 0
  local attempt rc=0
  for attempt in 1 2 3 4 5; do
    rc=0
    "$@" 2>"$LIB_TMP/run-stderr" >&2 || rc=$?
    cat "$LIB_TMP/run-stderr" >&2
    [ "$rc" -eq 0 ] && return 0
    grep -qiE 'does not exist|NOT_FOUND' "$LIB_TMP/run-stderr" || break
    [ "$attempt" -eq 5 ] || sleep $((attempt * 5))
  done
  command_failed "$rc" "$@"
}

# `printf %s "$VAR" | command`: the value reaches gcloud on stdin (never in argv, never printed).
run_with_value_of() {
  local var=$1
  shift
  printf 'printf %%s "$%s" | %s\n' "$var" "$(show "$@")"
  $DRY_RUN && return 0
  printf '%s' "${!var}" | "$@" >&2 || command_failed $? "$@"
}

# A random 32-byte token (base64url, 43 characters) piped to a command; never printed.
RANDOM_TOKEN_COMMAND="node -e \"process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))\""
run_with_random_token() {
  printf '%s | %s\n' "$RANDOM_TOKEN_COMMAND" "$(show "$@")"
  $DRY_RUN && return 0
  node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))" | "$@" >&2 \
    || command_failed $? "$@"
}

GCLOUD_READS=true
command -v gcloud >/dev/null 2>&1 || GCLOUD_READS=false

# A read-only gcloud call. Sets LOOKUP to its output and returns 0 when the thing exists,
# 1 when gcloud says it does not. Any other failure stops a real run; a dry run notes it and
# plans as if the thing were missing.
LOOKUP=""
lookup() {
  LOOKUP=""
  $GCLOUD_READS || return 1
  local rc=0
  LOOKUP=$("$@" 2>"$LIB_TMP/stderr") || rc=$?
  [ "$rc" -eq 0 ] && return 0
  LOOKUP=""
  if grep -qiE 'NOT_FOUND|not found|does not exist|was not found|404' "$LIB_TMP/stderr"; then
    return 1
  fi
  if $DRY_RUN; then
    note "could not read ($(head -n 1 "$LIB_TMP/stderr")): planned as missing: $(show "$@")"
    return 1
  fi
  cat "$LIB_TMP/stderr" >&2
  fail "could not read: $(show "$@")"
}

# A dry run reads the project only when gcloud can: otherwise it plans from nothing.
probe_gcloud() {
  local project=$1
  if ! $GCLOUD_READS; then
    $DRY_RUN || fail "gcloud is required (https://cloud.google.com/sdk/docs/install); --dry-run works without it"
    note "gcloud is not installed: planning as if nothing existed yet"
    return 0
  fi
  local rc=0
  PROJECT_NUMBER=$(gcloud projects describe "$project" --format='value(projectNumber)' 2>"$LIB_TMP/stderr") || rc=$?
  if [ "$rc" -ne 0 ] || [ -z "$PROJECT_NUMBER" ]; then
    if $DRY_RUN; then
      note "gcloud cannot read project $project ($(head -n 1 "$LIB_TMP/stderr")): planning as if nothing existed yet"
      GCLOUD_READS=false
      PROJECT_NUMBER=""
      return 0
    fi
    cat "$LIB_TMP/stderr" >&2
    fail "cannot read project $project: is it the project id, and is gcloud logged in (gcloud auth login)?"
  fi
}

# Sets POLICY to the bindings of an IAM policy as "ROLE<TAB>MEMBER" lines (empty when there is
# none yet). Not for $(...): a dry run's notes must reach the output, not the variable.
# shellcheck disable=SC2034 # read by the scripts that source this file
POLICY=""
read_policy() {
  POLICY=""
  if lookup "$@" --flatten='bindings[].members' --format='value(bindings.role,bindings.members)'; then
    # shellcheck disable=SC2034
    POLICY=$LOOKUP
  fi
}

has_binding() { # POLICY ROLE MEMBER
  grep -qxF "$2"$'\t'"$3" <<<"$1"
}

# Grants ROLE to MEMBER with `COMMAND... --member=M --role=R` unless POLICY already has it.
ensure_binding() { # POLICY ROLE MEMBER COMMAND...
  local policy=$1 role=$2 member=$3
  shift 3
  has_binding "$policy" "$role" "$member" && return 0
  run_settling "$@" --member="$member" --role="$role"
}

# The API names in $1 (space-separated) not listed in $2 (one per line).
missing_apis() {
  local api out=""
  for api in $1; do grep -qxF "$api" <<<"$2" || out+="$api "; done
  printf '%s' "${out% }"
}
