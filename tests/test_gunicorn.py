"""gunicorn as production starts it (deploy/gunicorn.conf.py) lets a download stream for
longer than its --timeout: a province-wide export runs for minutes, and gunicorn's sync
workers were killed at --timeout mid-file."""

import http.client
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import gunicorn_stream_app as stream_app

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
TIMEOUT = 3  # seconds; the stream lasts CHUNKS × PAUSE = 8 s, more than twice as long


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(*extra: str):
    """gunicorn with the production config and the test app, one worker, TIMEOUT seconds."""
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "-c", str(CONFIG),
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", str(TIMEOUT),
        "--no-control-socket", *extra, "tests.gunicorn_stream_app:app",
    ]
    env = {**os.environ, "GUNICORN_CMD_ARGS": ""}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    _stop(process)
    pytest.fail(f"gunicorn did not start: {process.stdout.read().decode(errors='replace')}")


def _stop(process) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.stdout.read().decode(errors="replace")


def _download(port: int) -> tuple[bytes, float]:
    """The whole body as received (a cut-off chunked body: what arrived), and how long."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/export.csv")
        response = connection.getresponse()
        assert response.status == 200
        try:
            body = response.read()
        except http.client.IncompleteRead as cut:
            body = cut.partial
    finally:
        connection.close()
    return body, time.monotonic() - started


EXPECTED = b"".join(stream_app.chunk(i) for i in range(stream_app.CHUNKS))


def test_the_production_config_uses_threaded_workers():
    """The config production runs is what this file tests (and .ci/production passes it)."""
    namespace = runpy.run_path(str(CONFIG))
    assert namespace["worker_class"] == "gthread"
    assert namespace["threads"] > 1
    assert "-c deploy/gunicorn.conf.py" in (ROOT / ".ci" / "production").read_text()


def test_a_stream_longer_than_the_timeout_arrives_whole():
    process, port = _gunicorn()
    try:
        body, took = _download(port)
    finally:
        log = _stop(process)
    assert took > 2 * TIMEOUT  # it did outlast the timeout
    assert body == EXPECTED, log
    assert "WORKER TIMEOUT" not in log
    assert "Using worker: gthread" in log


def test_the_sync_worker_cuts_the_same_stream_at_the_timeout():
    """The other side of the test above: with gunicorn's default workers the same download is
    cut short, so the test above would catch a return to them."""
    # One thread: gunicorn turns "sync" with more threads into gthread.
    process, port = _gunicorn("--worker-class", "sync", "--threads", "1")
    try:
        body, took = _download(port)
    finally:
        log = _stop(process)
    assert EXPECTED.startswith(body)
    assert len(body) < len(EXPECTED)
    assert took < 2 * TIMEOUT + 2
    assert "WORKER TIMEOUT" in log
    assert "Using worker: sync" in log


def test_a_worker_hides_the_loaded_portal_from_the_garbage_collector():
    """The config's ``post_worker_init`` freezes what the worker has loaded (gc.freeze):
    full collections stop walking it."""
    import gc

    hook = runpy.run_path(str(CONFIG))["post_worker_init"]
    before = gc.get_freeze_count()
    try:
        hook(worker=None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
