"""A WSGI app for tests/test_gunicorn.py only: one response that streams for longer than the
gunicorn timeout under test, the way an export streams (a chunk every half second)."""

import os
import time

CHUNKS = int(os.environ.get("STREAM_CHUNKS", "16"))
PAUSE = float(os.environ.get("STREAM_PAUSE", "0.5"))


def chunk(i: int) -> bytes:
    return f"row {i:04d}\n".encode()


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])

    def rows():
        for i in range(CHUNKS):
            yield chunk(i)
            time.sleep(PAUSE)

    return rows()
