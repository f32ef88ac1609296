"""Password reset by e-mail: Django's flow in Chinese, limited per address and per client
address, the same answer whether or not the address belongs to anyone."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse

from members.audit import Action
from members.models import AuditEntry, User

RESET = reverse("password_reset")
SENT = reverse("password_reset_done")


def ask(client, email, **extra):
    return client.post(RESET, {"email": email}, **extra)


def link_in(message) -> str:
    return re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)


def test_the_login_page_links_to_the_reset(anonymous, db):
    assert RESET in anonymous.get(reverse("login")).content.decode()


def test_the_whole_flow(member_a):
    client = Client()
    assert "重置密码" in client.get(RESET).content.decode()
    response = ask(client, member_a.user.email)
    assert response.status_code == 302
    assert response["Location"] == SENT
    assert "请查收电子邮件" in client.get(SENT).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member_a.user.email]
    assert "重置" in message.subject
    form_page = client.get(link_in(message), follow=True)
    assert form_page.status_code == 200
    assert "设置新密码" in form_page.content.decode()
    response = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "My-Own-pw9", "new_password2": "My-Own-pw9",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert Client().post(reverse("login"), {"username": "member_a", "password": "My-Own-pw9"}).status_code == 302
    stages = list(AuditEntry.objects.filter(action=Action.PASSWORD_RESET).order_by("pk").values_list("detail__stage", flat=True))
    assert stages == ["requested", "completed"]
    # The link works once.
    assert "该链接已过期或已使用" in client.get(link_in(message), follow=True).content.decode()


def test_the_new_password_follows_the_rules(member_a):
    client = Client()
    ask(client, member_a.user.email)
    page = client.get(link_in(mail.outbox[0]), follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "abcdefgh", "new_password2": "abcdefgh"})
    assert response.status_code == 200
    assert "大写字母、小写字母、数字和符号中的至少 3 种" in response.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db):
    response = ask(Client(), "nobody@example.org")
    assert response.status_code == 302
    assert response["Location"] == SENT
    assert mail.outbox == []


def test_an_imported_member_without_a_password_can_choose_one(member_a):
    User.objects.filter(pk=member_a.user.pk).update(password=make_password(None), must_change_password=True)
    client = Client()
    ask(client, member_a.user.email)
    assert len(mail.outbox) == 1
    page = client.get(link_in(mail.outbox[0]), follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": "My-Own-pw9", "new_password2": "My-Own-pw9"})
    member_a.user.refresh_from_db()
    assert member_a.user.has_usable_password()
    assert not member_a.user.must_change_password


def test_an_address_is_limited_and_the_limit_does_not_tell_if_it_exists(member_a, settings):
    assert settings.PASSWORD_RESET_RATE_EMAIL == 3
    for n in range(3):
        assert ask(Client(), member_a.user.email, REMOTE_ADDR=f"198.51.100.{n}").status_code == 302
        assert ask(Client(), "nobody@example.org", REMOTE_ADDR=f"198.51.100.{n}").status_code == 302
    known = ask(Client(), member_a.user.email, REMOTE_ADDR="198.51.100.50")
    unknown = ask(Client(), "nobody@example.org", REMOTE_ADDR="198.51.100.51")
    assert known.status_code == unknown.status_code == 429
    assert "重置密码的请求过于频繁，请 60 分钟后再试。" in known.content.decode()
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert len(mail.outbox) == 3
    assert AuditEntry.objects.filter(action=Action.PASSWORD_RESET, result="refused").count() == 2


def test_a_client_address_is_limited(db, settings):
    settings.PASSWORD_RESET_RATE_IP = 4
    client = Client()
    for n in range(4):
        assert ask(client, f"someone{n}@example.org", REMOTE_ADDR="203.0.113.77").status_code == 302
    assert ask(client, "someone9@example.org", REMOTE_ADDR="203.0.113.77").status_code == 429
    assert ask(client, "someone9@example.org", REMOTE_ADDR="203.0.113.78").status_code == 302


@pytest.mark.parametrize("url", [RESET, SENT, reverse("password_reset_complete")])
def test_query_budgets(url, anonymous, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert anonymous.get(url).status_code == 200
