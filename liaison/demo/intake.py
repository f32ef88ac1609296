"""Demo part: a few messages left by QR code at the platforms, so that the staff's queue
(扫码留言) and the dashboard's QR figures show something. Through the public page's own
service, dated in the last days; one merged as a duplicate and one closed. None is passed to
a member: the demo's rosters reproduce the seed article's figures (582 constituents)."""

from __future__ import annotations

from datetime import date, timedelta

from liaison.demo.moments import past_at
from liaison.intake import services
from liaison.intake.models import Submission
from members.common import clock
from members.models import Platform, User

# (days ago, hour, category, name, phone, text) — every person fictional.
MESSAGES = [
    (6, 9, "difficulty", "王秀兰", "13904640101", "老伴卧床三年，家里只靠我一个人照顾，医药费负担很重，想问问有没有救助政策。"),
    (5, 15, "opinion", "", "", "建议在兴安街道增设公共卫生间，早市附近老年人多，很不方便。"),
    (4, 10, "contact", "赵志刚", "13504640202", "我们厂想了解今年的稳岗补贴怎么申请，请委员联系我。"),
    (3, 19, "opinion", "孙丽", "13604640303", "小区周边路灯坏了很久，晚上孩子放学不安全，希望尽快修好。"),
    (2, 11, "opinion", "孙丽", "13604640303", "再反映一次：小区周边路灯还没修，晚上很黑。"),
    (1, 8, "difficulty", "", "15804640404", "孩子今年考上大学，家里困难，学费还差一些，不知道找谁。"),
    (1, 16, "opinion", "", "", "测试一下这个二维码能不能用。"),
]



def build(council, rng, today: date) -> None:
    if Submission.objects.filter(council=council).exists():
        return
    platforms = list(Platform.objects.filter(council=council, active=True).order_by("kind", "name"))
    if not platforms:
        return
    staff = User.objects.filter(username="staff").first()
    made = []
    for i, (days, hour, category, name, phone, text) in enumerate(MESSAGES):
        link = services.intake_link_for(platform=platforms[i % len(platforms)])
        with clock.frozen_at(past_at(today - timedelta(days=days), hour)):
            made.append(services.submission_create(
                link=link, category=category, name=name, phone=phone, text=text, consent=True,
            ))
    if staff is None:
        return
    with clock.frozen_at(past_at(today, 8)):
        # The second street-light message says the first again; the test message is closed.
        first, again = made[3], made[4]
        services.submission_merge(by=staff, submission=again, into=first)
        services.submission_close(by=staff, submission=made[-1], reason="spam",
                                  note="测试内容")
