#!/usr/bin/env bash
# Start/stop the real engines of the production topology on this machine, from Debian
# packages (postgresql, redis-server) and moto's S3 server, for tests and benchmarks:
#
#   scripts/services.sh start [DIR]   # PostgreSQL, Redis, S3 under DIR (default var/services)
#   scripts/services.sh stop [DIR]
#   scripts/services.sh env [DIR]     # the settings that point the product at them
#
# Ports come from SERVICES_PG_PORT / SERVICES_REDIS_PORT / SERVICES_S3_PORT (25432, 25379,
# 25900 by default). Data lives in DIR and is thrown away by `stop` only if SERVICES_WIPE=1;
# `start` with SERVICES_FRESH=1 begins from empty databases.
# nginx is started by the topology itself (helpdesk.deploy.topology), not here.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTION="${1:-start}"
DIR="$(realpath -m "${2:-var/services}")"
PG_PORT="${SERVICES_PG_PORT:-25432}"
REDIS_PORT="${SERVICES_REDIS_PORT:-25379}"
S3_PORT="${SERVICES_S3_PORT:-25900}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
# moto's server mode needs Flask; the project's .venv has moto without it, so any
# moto_server on the PATH that can run is used (MOTO_SERVER overrides).
MOTO="${MOTO_SERVER:-}"
if [[ -z "$MOTO" ]]; then
    if .venv/bin/python -c "import flask" 2>/dev/null; then MOTO=.venv/bin/moto_server
    else MOTO="$(PATH="${PATH//$PWD\/.venv\/bin:/}" command -v moto_server || echo moto_server)"; fi
fi
# PostgreSQL refuses to run as root: run it as the postgres user then.
AS_PG=()
PG_DIR="$DIR/pg"
if [[ $(id -u) -eq 0 ]]; then
    AS_PG=(runuser -u postgres --)
    mkdir -p "$DIR"
    # The postgres user may not reach DIR (e.g. under pytest's private /tmp folder).
    runuser -u postgres -- test -x "$DIR" || PG_DIR="/tmp/helpdesk-services-pg-$PG_PORT"
fi

need() {
    command -v "$1" >/dev/null || [[ -x "$1" ]] || {
        echo "services: $1 is missing; install the Debian packages: apt-get install -y $2" >&2
        exit 1
    }
}

start_postgres() {
    need "$PG_BIN/pg_ctl" postgresql
    mkdir -p "$PG_DIR"
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$PG_DIR"; fi
    if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
        "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U helpdesk --auth=trust -E UTF8 >/dev/null
    fi
    if ! "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        # Loopback only; the socket in our own folder so nothing clashes with a system server.
        # fsync off: test data, thrown away (never do this with data you keep).
        "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o \
            "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" \
            start >/dev/null
    fi
    for database in helpdesk tracker; do
        "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U helpdesk -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname='$database'" | grep -q 1 \
            || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U helpdesk "$database"
    done
}

start_redis() {
    need redis-server redis-server
    mkdir -p "$DIR/redis"
    if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DIR/redis" --save "" \
            --appendonly no --daemonize yes --pidfile "$DIR/redis/redis.pid" \
            --logfile "$DIR/redis/log"
    fi
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
    echo "services: Redis did not start, see $DIR/redis/log" >&2
    exit 1
}

start_s3() {
    need "$MOTO" "moto (pip, in requirements/lock.txt)"
    mkdir -p "$DIR/s3"
    if ! curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"; then
        nohup "$MOTO" -H 127.0.0.1 -p "$S3_PORT" >"$DIR/s3/log" 2>&1 &
        echo $! >"$DIR/s3/moto.pid"
    fi
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break
        sleep 0.1
    done
    # The bucket the media store writes to (moto keeps it in memory).
    curl -s -o /dev/null -X PUT "http://127.0.0.1:$S3_PORT/helpdesk-media"
}

stop_all() {
    if [[ -f "$PG_DIR/data/PG_VERSION" ]]; then
        "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    fi
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    if [[ -f "$DIR/s3/moto.pid" ]]; then
        kill "$(cat "$DIR/s3/moto.pid")" 2>/dev/null || true
        rm -f "$DIR/s3/moto.pid"
    fi
    if [[ "${SERVICES_WIPE:-0}" == 1 ]]; then rm -rf "$DIR" "$PG_DIR"; fi
    return 0
}

print_env() {
    cat <<EOF
HELPDESK_DATABASE_URL=postgresql+psycopg2://helpdesk@127.0.0.1:$PG_PORT/helpdesk
HELPDESK_TRACKER_STORE_URL=postgresql+psycopg2://helpdesk@127.0.0.1:$PG_PORT/tracker
HELPDESK_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
HELPDESK_MEDIA_STORE=s3://helpdesk-media/media
AWS_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
AWS_ACCESS_KEY_ID=test
AWS_SECRET_ACCESS_KEY=test
AWS_DEFAULT_REGION=us-east-1
EOF
}

case "$ACTION" in
start)
    if [[ "${SERVICES_FRESH:-0}" == 1 ]]; then SERVICES_WIPE=1 stop_all; fi
    start_postgres
    start_redis
    start_s3
    print_env
    ;;
stop) stop_all ;;
env) print_env ;;
*)
    echo "usage: $0 start|stop|env [DIR]" >&2
    exit 2
    ;;
esac
