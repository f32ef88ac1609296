"""A stateless web tier: nothing a request needs lives on the web machine's disk. Uploads go
through the storage API only (so shared storage is a setting), sessions live in the database,
and downloads that stream are passed on by nginx as they come (README, "Several machines")."""

import ast
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.urls import reverse

from activities.models import ContactLogPhoto
from members.common.storage import kept_in_sendfile_root
from tests.factories import ConstituentFactory, ContactLogFactory

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "https://bucket.example.invalid/liaison/"

# --- uploads in storage that is not this machine's folder ----------------------------------


@pytest.fixture
def object_storage(settings):
    """Uploads in a storage with no local path (Django's in-memory storage: its ``path()``
    raises), whose own ``url()`` points at a bucket — as object storage would."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.InMemoryStorage",
            "OPTIONS": {"base_url": BUCKET},
        },
    }
    assert not kept_in_sendfile_root()
    yield
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing written to this machine's disk


@pytest.fixture
def photo(object_storage, member_a):
    log = ContactLogFactory(member=member_a, constituents=[ConstituentFactory(member=member_a)])
    item = ContactLogPhoto(contact_log=log)
    item.image.save("visit.png", ContentFile(b"\x89PNG in the bucket"), save=True)
    return item


def test_a_photo_in_object_storage_is_streamed_by_the_portal(photo, client_for, member_a, staff):
    for who in (member_a, staff):
        response = client_for(who).get(f"/media/{photo.image.name}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"\x89PNG in the bucket"
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, no-cache"
        assert response["Content-Disposition"].startswith("inline")
        assert "X-Accel-Redirect" not in response


@pytest.mark.parametrize("who", ["member_b", "other_staff", "other_member"])
def test_outsiders_get_404_from_object_storage_too(photo, client_for, who, request):
    response = client_for(request.getfixturevalue(who)).get(f"/media/{photo.image.name}")
    assert response.status_code == 404


def test_a_row_whose_file_is_gone_is_404(photo, client_for, member_a):
    photo.image.storage.delete(photo.image.name)
    assert client_for(member_a).get(f"/media/{photo.image.name}").status_code == 404


def test_attachments_in_object_storage_are_downloads(object_storage, client_for, staff, member_a):
    from proposals.models import ProposalAttachment
    from tests.proposals.factories import ProposalFactory

    item = ProposalAttachment(proposal=ProposalFactory(proposer=member_a), name="附件", uploaded_by=staff)
    item.file.save("note.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    response = client_for(staff).get(f"/media/{item.file.name}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_pages_link_to_the_portal_never_to_the_bucket(photo, client_for, member_a):
    """The storage's own ``url()`` would send browsers past the portal's check."""
    photo.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8 thumb"), save=True)
    page = client_for(member_a).get(reverse("activities:contactlog-detail", args=[photo.contact_log_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/media/{photo.image.name}"' in html
    assert f'src="/media/{photo.thumbnail.name}"' in html
    assert "bucket.example.invalid" not in html


def test_uploading_through_the_form_writes_nothing_locally(object_storage, client_for, member_a):
    """The log-contact form's photo (checked, thumbnailed) lands in the storage."""
    from tests.activities.contacts.test_contacts import form_data, png

    person = ConstituentFactory(member=member_a)
    response = client_for(member_a).post(
        reverse("activities:contactlog-create"), form_data([person], photos=[png("visit.png")])
    )
    assert response.status_code == 302
    stored = ContactLogPhoto.objects.get(contact_log__member=member_a)
    assert stored.image.storage.exists(stored.image.name)
    assert stored.thumbnail.storage.exists(stored.thumbnail.name)


# --- the local folder: sendfile, as before --------------------------------------------------


def test_the_local_folder_is_sent_by_the_sendfile_backend(settings):
    assert kept_in_sendfile_root()  # the default: MEDIA_ROOT is SENDFILE_ROOT
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(Path(settings.MEDIA_ROOT) / "elsewhere")}},
    }
    assert not kept_in_sendfile_root()  # a folder sendfile does not serve: streamed instead


# --- sessions and the streamed downloads ---------------------------------------------------


def test_sessions_live_in_the_database_or_the_cache():
    assert django_settings.SESSION_ENGINE in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.cached_db",
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_streamed_exports_tell_nginx_not_to_buffer(client_for, staff, fmt):
    ConstituentFactory(member__council=staff.council)
    response = client_for(staff).get(reverse("members:constituent-export"), {"format": fmt})
    assert response.status_code == 200
    assert response.streaming
    assert response["X-Accel-Buffering"] == "no"
    b"".join(response.streaming_content)


# --- nothing opens MEDIA_ROOT but the storage layer ----------------------------------------

# Where the source may name the local media folder, and why.
MAY_NAME_THE_FOLDER = {
    "liaison/settings.py": "defines MEDIA_ROOT and SENDFILE_ROOT",
    "members/common/storage.py": "the storage layer: sendfile from the local folder only",
}
# Where a storage's location may be read: operator commands run on one machine, by hand.
MAY_READ_A_LOCATION = {
    "members/common/storage.py": "the storage layer: is the storage the local folder?",
    "liaison/management/commands/portal_backup.py": "says where backups go; creates the folder",
    "liaison/management/commands/portal_restore.py": "creates the media folder to restore into",
}


def _portal_sources():
    for package in ("members", "proposals", "activities", "liaison"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


def _file_fields() -> set[str]:
    """The names of the models' file fields (``image``, ``thumbnail``, ``file``, ...)."""
    from django.apps import apps
    from django.db.models import FileField

    return {f.name for m in apps.get_models() for f in m._meta.get_fields() if isinstance(f, FileField)}


def _direct_paths(name: str, tree: ast.AST, file_fields: set[str]) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name):
            ident = node.attr if isinstance(node, ast.Attribute) else node.id
            if ident in {"MEDIA_ROOT", "SENDFILE_ROOT"} and name not in MAY_NAME_THE_FOLDER:
                found.append(f"{name}:{node.lineno} {ident}")
        if isinstance(node, ast.Attribute) and node.attr == "location" and name not in MAY_READ_A_LOCATION:
            found.append(f"{name}:{node.lineno} .location")
        # A stored file's local path: photo.image.path
        if (
            isinstance(node, ast.Attribute) and node.attr == "path"
            and isinstance(node.value, ast.Attribute) and node.value.attr in file_fields
        ):
            found.append(f"{name}:{node.lineno} .{node.value.attr}.path")
        # A storage's: storage.path(name) (env.path in the settings reads a variable)
        if (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "path"
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "env")
        ):
            found.append(f"{name}:{node.lineno} .path()")
        if (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sendfile"
            and name not in MAY_NAME_THE_FOLDER
        ):
            found.append(f"{name}:{node.lineno} sendfile()")
    return found


def test_only_the_storage_layer_opens_the_media_folder():
    """Code that joins MEDIA_ROOT with a name, or asks a file or storage for its ``path``,
    works on one machine and breaks with shared storage: it must go through the storage API
    (``storage.open``, ``.save``, ``.delete``, ``members.common.storage``)."""
    fields = _file_fields()
    assert {"image", "thumbnail", "file", "attachment"} <= fields
    found = [hit for name, tree in _portal_sources() for hit in _direct_paths(name, tree, fields)]
    assert found == []


def test_the_source_check_finds_a_direct_path():
    """The check above is not blind: each kind of code it forbids, in a file of the portal."""
    fields = _file_fields()
    for code in ("open(settings.MEDIA_ROOT / name)", "open(photo.image.path)", "storage.path(name)",
                 "Path(default_storage.location)", "sendfile(request, name)",
                 "shutil.copy(item.attachment.path, target)"):
        assert _direct_paths("activities/contacts/views.py", ast.parse(code), fields), code
    assert _direct_paths("liaison/views.py", ast.parse("request.path; env.path('X')"), fields) == []


# --- check --deploy: nothing kept per process or per machine -------------------------------


def test_the_deploy_check_wants_a_shared_cache(settings):
    from liaison.checks import cache_is_shared

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in cache_is_shared()] == ["liaison.W001"]
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://x/1"}}
    assert cache_is_shared() == []


def test_the_deploy_check_wants_a_database_server(settings, monkeypatch):
    from liaison.checks import database_is_a_server

    default = settings.DATABASES["default"]
    monkeypatch.setitem(default, "ENGINE", "django.db.backends.sqlite3")
    assert [w.id for w in database_is_a_server()] == ["liaison.W002"]
    monkeypatch.setitem(default, "ENGINE", "django.db.backends.postgresql")
    assert database_is_a_server() == []


def test_check_deploy_runs_them_and_not_the_plain_check():
    from django.core.checks import registry

    from liaison.checks import cache_is_shared, database_is_a_server

    deploy = registry.registry.get_checks(include_deployment_checks=True)
    plain = registry.registry.get_checks(include_deployment_checks=False)
    for check in (cache_is_shared, database_is_a_server):
        assert check in deploy
        assert check not in plain
