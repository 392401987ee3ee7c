#!/usr/bin/env bash
# `make run`: migrate, seed the demo, and start web, Celery worker and beat together.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var/mail

redis_answers() { "$BIN/python" -c 'import redis, sys; redis.Redis.from_url(sys.argv[1], socket_timeout=1).ping()' "$1" 2>/dev/null; }

REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
if redis_answers "$REDIS_URL"; then
  echo "Using Redis at $REDIS_URL"
elif command -v redis-server >/dev/null; then
  echo "Starting a local redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$PWD/var" --logfile "$PWD/var/redis.log"
  for _ in $(seq 50); do redis_answers "$REDIS_URL" && break; sleep 0.1; done
  REDIS_URL=redis://127.0.0.1:6379/0
else
  echo "WARNING: no Redis found; using an embedded broker (kombu's filesystem transport under var/)."
  echo "WARNING: this is for trying the portal on one machine only: production needs Redis."
  REDIS_URL=""
  export CELERY_BROKER_URL=filesystem://
  export CACHE_URL="filecache://$PWD/var/cache"
fi
export REDIS_URL
# Emails are written as files a person can read, one per message.
export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}
export EMAIL_FILE_PATH=${EMAIL_FILE_PATH:-$PWD/var/mail}

"$BIN/python" manage.py migrate --no-input -v 0
if "$BIN/python" manage.py help seed_demo >/dev/null 2>&1; then
  "$BIN/python" manage.py seed_demo
fi

cat <<BANNER

  ASM Care Portal: http://127.0.0.1:8000/        back office: http://127.0.0.1:8000/admin/
  Emails sent by the portal are written to var/mail/ (one .log file per message).
  Demo logins are listed in the README ("Demo data"). Stop with Ctrl-C.

BANNER
exec "$BIN/honcho" start -f Procfile.dev
