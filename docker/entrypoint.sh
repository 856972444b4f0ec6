#!/bin/sh
# Container entrypoint for guidance-bot.
#
# No arguments: apply the database migrations, then serve on 0.0.0.0:3978.
#   GUIDANCE_SKIP_DB_UPGRADE=1 skips the migration step (for replicas when a separate one-shot
#   job runs `guidance-bot db upgrade`, as docker-compose.yml does; the server still checks
#   the schema at start).
# Arguments: run `guidance-bot ARGS…` (e.g. `about`, `knowledge check`, `report misses`).
set -eu

if [ "$#" -gt 0 ]; then
    exec guidance-bot "$@"
fi

if [ "${GUIDANCE_SKIP_DB_UPGRADE:-0}" != "1" ]; then
    guidance-bot db upgrade
fi

# exec: the server becomes PID 1 and receives SIGTERM directly for its graceful stop.
exec guidance-bot serve --host 0.0.0.0 --port 3978
