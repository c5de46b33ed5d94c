#!/usr/bin/env bash
# Check what of deploy/ cannot run on a machine without a Docker engine or systemd as init:
#   - the systemd units with `systemd-analyze verify` (paths pointed at this checkout);
#   - deploy/nginx.conf with `nginx -t` (upstream names and TLS files stubbed);
#   - docker-compose.yml with `docker-compose config` if a docker-compose is on the PATH
#     (or DOCKER_COMPOSE names one); the Dockerfile is not built here.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0

echo "== systemd units"
mkdir -p "$work/units"
for unit in deploy/systemd/*; do
    sed -e "s#/opt/helpdesk/.venv#$PWD/.venv#g" -e "s#/opt/helpdesk#$PWD#g" \
        -e "s#^EnvironmentFile=.*#EnvironmentFile=-$work/helpdesk.env#" \
        -e "s#^User=.*#User=root#" -e "s#^Group=.*#Group=root#" "$unit" >"$work/units/$(basename "$unit")"
done
for instance in rasa@5005 actions@5055; do
    cp "$work/units/helpdesk-${instance%@*}@.service" "$work/units/helpdesk-$instance.service"
done
(cd "$work/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
    helpdesk-rasa@5005.service helpdesk-actions@5055.service helpdesk-console.service \
    helpdesk-migrate.service helpdesk-ingest.service helpdesk-worker.service helpdesk.target 2>&1 | grep -v "not found\|nginx.service\|postgresql.service\|redis-server.service" || true) \
    | tee "$work/systemd.out"
[[ -s "$work/systemd.out" ]] && status=1

echo "== nginx -t deploy/nginx.conf"
mkdir -p "$work/nginx/tls" "$work/nginx/conf.d"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=test -days 1 \
    -keyout "$work/nginx/tls/privkey.pem" -out "$work/nginx/tls/fullchain.pem" 2>/dev/null
sed -e "s#/etc/nginx/tls#$work/nginx/tls#g" -e "s#server rasa:#server 127.0.0.1:#" \
    -e "s#server actions:#server 127.0.0.1:#" -e "s#server console:#server 127.0.0.1:#" -e "s#server ingest:#server 127.0.0.1:#" \
    -e "s#listen 80;#listen 127.0.0.1:25980;#" -e "s#listen 443 ssl http2;#listen 127.0.0.1:25943 ssl http2;#" \
    -e "s#listen 5050;#listen 127.0.0.1:25950;#" deploy/nginx.conf >"$work/nginx/conf.d/default.conf"
cat >"$work/nginx/nginx.conf" <<CONF
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events {}
http { include $work/nginx/conf.d/*.conf; }
CONF
nginx -t -p "$work/nginx" -c "$work/nginx/nginx.conf" || status=1

echo "== docker-compose config"
compose="${DOCKER_COMPOSE:-$(command -v docker-compose || true)}"
if [[ -n "$compose" ]]; then
    cp deploy/production.env.example "$work/production.env"
    cp deploy/docker-compose.yml deploy/postgres-init.sql deploy/nginx.conf "$work/"
    (cd "$work" && POSTGRES_PASSWORD=x MINIO_PASSWORD=x "$compose" -f docker-compose.yml config -q) \
        && echo "docker-compose.yml: valid" || status=1
else
    echo "docker-compose not installed: compose file NOT validated"
fi
exit $status
