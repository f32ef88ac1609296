"""Real Celery workers for the ``worker`` tests (the PostgreSQL + Redis pass of ``.ci/run``):
the environment that points a worker at the test's database, waiting, and stopping one."""

import os
import subprocess
import time

from django.db import connection


def worker_env(**extra: str) -> dict:
    """This process's environment with ``DATABASE_URL`` naming the test database, so that a
    worker started with it reads and writes what the test sees."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env.update(extra)
    return env


def wait_for(check, seconds=60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def stop(worker: subprocess.Popen) -> None:
    """Stop a worker the test started (by its PID): warm shutdown, else killed."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
