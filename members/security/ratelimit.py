"""Counters in the cache: at most ``limit`` hits per ``window`` seconds for a key.

Used by the password-reset form (per address and per client IP). A fixed window that
starts at the first hit; with the cache down (django-redis ignoring the outage) nothing is
counted and nothing is refused — the reset mail still goes to the account's own address.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.casefold().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def hit(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one hit; False once the key has had more than ``limit`` in its window."""
    if limit <= 0:
        return True
    key = _key(scope, value)
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit
