"""gunicorn's configuration for production mode (`gunicorn -c python:deltaregio.gunicorn_config`).

Values come from deltaregio.config like every other setting: DELTAREGIO_WEB_BIND and
DELTAREGIO_WEB_WORKERS. The application is loaded once in the master (preload), so a setting that
refuses to start (debug on, the default secret key) stops the server with one line before any
worker forks.
"""

from __future__ import annotations

import multiprocessing as _multiprocessing

from deltaregio import config as _deltaregio_config

wsgi_app = "deltaregio.wsgi:application"
bind = _deltaregio_config.get("DELTAREGIO_WEB_BIND")
workers = _deltaregio_config.get("DELTAREGIO_WEB_WORKERS") or _multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"
preload_app = True
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then, with jitter so they do not restart together
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
