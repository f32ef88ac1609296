"""gunicorn's settings for the portal: the one place production, .ci/production and the
regression test (tests/test_gunicorn.py) read them from.

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py                      # one machine, behind nginx
    .venv/bin/gunicorn -c deploy/gunicorn.conf.py -b 10.0.0.11:8000    # one of several (README)

A flag on the command line overrides the value here (``-w``, ``-b``, ``--threads``), and so
does ``GUNICORN_CMD_ARGS``.

Threaded workers (``gthread``), not gunicorn's default sync workers. A sync worker serves one
request in its only thread and tells the master it is alive only between requests, so the
master kills it ``timeout`` seconds into any response — a streamed export included, cut off
mid-file (a province's contact logs stream for 86-108 s on a quiet machine, minutes under
load). A gthread worker's main thread tells the master it is alive every second while its
threads serve: ``timeout`` is a heartbeat of the process (a worker stuck whole is still
replaced), not a limit on one request. How long a request may take is nginx's business
(``proxy_read_timeout``: between two reads from the portal, deploy/nginx.conf), and a
download that streams sends something every few hundred milliseconds.
"""

wsgi_app = "liaison.wsgi:application"
bind = "127.0.0.1:8000"

worker_class = "gthread"
# Processes: they share the CPUs (Python runs one thread at a time per process).
workers = 4
# Threads per process: a request waiting on PostgreSQL, or a download waiting on a slow
# client, leaves the process free for the others. Each thread keeps its own database
# connection (CONN_MAX_AGE): workers × threads connections per machine, to count against
# PostgreSQL's max_connections when adding machines.
threads = 4
# The worker process's heartbeat (see above), not a request's limit.
timeout = 30
# A stop or reload lets running requests finish for this long (a long export is cut after it).
graceful_timeout = 30
# nginx opens a connection per request (no upstream keepalive in deploy/nginx.conf); a few
# seconds serve a client that talks to gunicorn directly (the monitoring probe of /health/).
keepalive = 5


def post_worker_init(worker):
    """Once a worker has loaded the portal, its objects (Django, the apps, the URL patterns,
    the settings: several hundred thousand, never freed) move out of the garbage collector's
    sight (``gc.freeze``). A full collection then walks only what requests allocate: on the
    province's data the slowest requests of a list were full collections of 150-220 ms that
    walked them all, and set its p95."""
    import gc

    gc.freeze()
