"""The version of a council's figures, by which the dashboard's cache is keyed.

The dashboard caches its figures for ``DASHBOARD_CACHE_SECONDS``. A service whose write
changes them (a contact logged, a proposal's step, a constituent or member added or changed,
an activity) calls ``figures_changed(council_id)`` in its transaction: once the write is
committed, the council's version becomes a new token. The dashboard's key names the
versions of every council it covers (``figures_versions``), so its next request misses and
computes the new figures; entries under the old versions are never read again and expire.

Here, in members (the lowest app), so that every app's services may call it; the cache key
is liaison's. A cache that fails costs the invalidation, never the write: the entries then
expire by their age, as before.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable
from functools import partial

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

PREFIX = "figures:version:"


def _key(council_id: int) -> str:
    return f"{PREFIX}{council_id}"


def _token() -> str:
    return uuid.uuid4().hex[:16]


def figures_changed(council_id: int | None) -> None:
    """The figures of ``council_id`` change with this transaction: a new version after the
    commit (nothing on a rollback). Cheap: one cache write per commit and council."""
    if council_id is None:
        return
    transaction.on_commit(partial(_bump, council_id))


def _bump(council_id: int) -> None:
    try:
        cache.set(_key(council_id), _token(), timeout=None)
    except Exception:
        log.warning("Figures version not bumped; cached figures expire by age", exc_info=True)


def figures_versions(council_ids: Iterable[int]) -> str:
    """One digest of the versions of ``council_ids`` (one cache read). A council without a
    version is given a new one: an entry keyed before a version was lost is never matched."""
    keys = [_key(pk) for pk in sorted(set(council_ids))]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _token(), timeout=None)  # a concurrent bump wins
        found = cache.get_many(keys)
    raw = "|".join(f"{key}={found.get(key, '')}" for key in keys)
    return hashlib.sha1(raw.encode()).hexdigest()[:16]
