"""With DEBUG off, errors are the portal's own pages, in Chinese — not Django's bare English."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from liaison.urls import urlpatterns as portal_urls


def _refuse(request):
    raise PermissionDenied


def _break(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test-refuse/", _refuse), path("test-break/", _break), *portal_urls]


@pytest.fixture
def errors_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_not_found_page(client_for, staff):
    page = client_for(staff).get("/no-such-page/")
    assert page.status_code == 404
    assert "页面不存在" in page.content.decode()


def test_forbidden_page(client_for, staff, errors_urls):
    page = client_for(staff).get("/test-refuse/")
    assert page.status_code == 403
    assert "无权" in page.content.decode()


def test_server_error_page(db, errors_urls):
    client = Client(raise_request_exception=False)
    page = client.get("/test-break/")
    assert page.status_code == 500
    assert "服务器出错" in page.content.decode()
