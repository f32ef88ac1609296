import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_logs_in_on_a_phone(phone, live_server, member_a):
    log_in(phone, live_server, "member_a")
    assert phone.url.endswith("/members/me/")
    assert "张委员" in phone.content()
