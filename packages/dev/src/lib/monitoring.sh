# shellcheck shell=bash
# Applies monitoring/ for `dff deploy --with-alerts` (sourced by it; uses its helpers and
# PROJECT, P): the log-based metric, the notification channels (email, Slack) and the alert
# policies, each created when missing and updated when it exists.

METRIC=fulfillment_degraded_turns

# The displayName of a monitoring/ file.
display_name() {
  sed -n "s/^displayName: *['\"]\{0,1\}\([^'\"]*\)['\"]\{0,1\} *\$/\1/p" "$1" | head -n 1
}

# Creates the channel of FILE (or updates it when its settings changed) and adds its name to
# CHANNELS. LABEL is the label that tells whether the existing one is already right; NEEDS, a
# variable only creating or updating needs (the Slack token: CI can keep an existing channel).
ensure_channel() { # FILE LABEL VALUE [NEEDS]
  local file=$1 label=$2 value=$3 needs=${4:-} name
  name=$(display_name "$file")
  needs_value() {
    [ -z "$needs" ] || [ -n "${!needs:-}" ] || fail "$needs must be set to create or change the channel '$name'"
  }
  lookup gcloud beta monitoring channels list "$P" --filter="displayName=\"$name\"" \
    --format="value(name,labels.$label)" || true
  local existing=${LOOKUP%%$'\n'*}
  if [ -z "$existing" ]; then
    needs_value
    printf 'node %s/src/lib/fill-template.js %s | %s\n' "$DFF_ROOT" "$file" \
      "$(show gcloud beta monitoring channels create --channel-content-from-file=- "$P")"
    if ! $DRY_RUN; then
      node "$DFF_ROOT/src/lib/fill-template.js" "$file" \
        | gcloud beta monitoring channels create --channel-content-from-file=- "$P" >&2 \
        || command_failed $? gcloud beta monitoring channels create "$P"
      lookup gcloud beta monitoring channels list "$P" --filter="displayName=\"$name\"" --format='value(name)' || true
      existing=${LOOKUP%%$'\n'*}
    else
      existing="CHANNEL-CREATED-ABOVE($name)"
    fi
  elif [ "${existing#*$'\t'}" != "$value" ]; then
    existing=${existing%%$'\t'*}
    needs_value
    printf 'node %s/src/lib/fill-template.js %s | %s\n' "$DFF_ROOT" "$file" \
      "$(show gcloud beta monitoring channels update "$existing" --channel-content-from-file=- "$P")"
    if ! $DRY_RUN; then
      node "$DFF_ROOT/src/lib/fill-template.js" "$file" \
        | gcloud beta monitoring channels update "$existing" --channel-content-from-file=- "$P" >&2 \
        || command_failed $? gcloud beta monitoring channels update "$existing" "$P"
    fi
  fi
  CHANNELS+="${CHANNELS:+,}${existing%%$'\t'*}"
}

ensure_alert_policy() { # FILE
  local file=$1 name channels=()
  name=$(display_name "$file")
  [ -z "$CHANNELS" ] || channels=("--notification-channels=$CHANNELS")
  lookup gcloud alpha monitoring policies list "$P" --filter="displayName=\"$name\"" --format='value(name)' || true
  if [ -n "$LOOKUP" ]; then
    [ -z "$CHANNELS" ] || channels=("--set-notification-channels=$CHANNELS")
    run gcloud alpha monitoring policies update "${LOOKUP%%$'\n'*}" --policy-from-file="$file" \
      ${channels[@]+"${channels[@]}"} "$P"
  else
    run gcloud alpha monitoring policies create --policy-from-file="$file" \
      ${channels[@]+"${channels[@]}"} "$P"
  fi
}

apply_monitoring() {
  note "Monitoring (monitoring/): log-based metric, notification channels, alert policies"
  local file=$DFF_ROOT/monitoring/degraded-turns.metric.yaml
  if lookup gcloud logging metrics describe "$METRIC" "$P" --format='value(name)'; then
    run gcloud logging metrics update "$METRIC" --config-from-file="$file" "$P"
  else
    run gcloud logging metrics create "$METRIC" --config-from-file="$file" "$P"
  fi

  CHANNELS=${ALERT_NOTIFICATION_CHANNELS:-}
  if [ -n "${ALERT_EMAIL:-}" ]; then
    ensure_channel "$DFF_ROOT"/monitoring/email.channel.yaml email_address "$ALERT_EMAIL"
  fi
  if [ -n "${ALERT_SLACK_CHANNEL:-}" ]; then
    # ALERT_SLACK_AUTH_TOKEN: a Slack bot token with chat:write, in the channel.
    ensure_channel "$DFF_ROOT"/monitoring/slack.channel.yaml channel_name "$ALERT_SLACK_CHANNEL" ALERT_SLACK_AUTH_TOKEN
  fi
  if [ -z "$CHANNELS" ]; then
    warn "no notification channel (ALERT_EMAIL, ALERT_SLACK_CHANNEL or ALERT_NOTIFICATION_CHANNELS): alerts only show in the console"
  fi

  for file in "$DFF_ROOT"/monitoring/*.policy.yaml; do ensure_alert_policy "$file"; done
}
