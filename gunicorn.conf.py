"""gunicorn settings for production: `gunicorn asm_portal.wsgi` reads this file."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Restart workers now and then so that a slow leak never grows without bound. Each
# restart costs a second or so of CPU (importing Django) and cold caches, so not
# too often; GUNICORN_MAX_REQUESTS=0 turns it off (the load benchmark's steady state).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - heartbeat files, not data
accesslog = "-"
# Sign-in links carry a token in their query string: the access log writes it as [removed].
logger_class = "asm_portal.access_log.TokenFreeAccessLogger"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
