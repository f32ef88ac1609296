"""Uploaded files leave the portal through here, and only here is their storage asked where
it keeps them.

Every upload is written and read through Django's storage API (``STORAGES["default"]``), so
the files may live in a folder of this machine (a laptop, one server), a volume every web
machine mounts, or object storage — chosen by settings alone (``MEDIA_STORAGE``; README,
"Several machines"). Nothing else in the portal opens a path under ``MEDIA_ROOT``
(tests/test_web_tier.py checks the source).

Sending an authorised file's bytes:

- the storage is the local folder ``SENDFILE_ROOT`` (one machine, or a shared volume mounted
  at the same place on the web machines): the sendfile backend sends it — behind nginx an
  ``X-Accel-Redirect`` to its internal location, so no Python thread carries the bytes;
- any other storage: the portal streams the file through the storage API, a block at a time.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404
from django.urls import reverse
from django_sendfile import sendfile


def file_url(name: str) -> str:
    """The portal's own address of a stored file (``liaison.views.media``, which checks who
    asks). Not the storage's ``url()``: object storage would hand out a link past that check."""
    return reverse("media", kwargs={"path": name})


def kept_in_sendfile_root(storage=None) -> bool:
    """Whether ``storage`` is the local folder the sendfile backend sends from."""
    storage = storage if storage is not None else default_storage
    if not isinstance(storage, FileSystemStorage):
        return False
    return Path(storage.location).resolve() == Path(settings.SENDFILE_ROOT).resolve()


def stored_file_response(request, name: str, *, attachment: bool):
    """The response that sends the stored file ``name`` (already authorised)."""
    if kept_in_sendfile_root():
        return sendfile(request, name, attachment=attachment)
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=attachment, filename=posixpath.basename(name))
    # As nginx's internal location says for the same files: personal data, the browser's
    # copy only, checked again before it is reused.
    response["Cache-Control"] = "private, no-cache"
    return response
