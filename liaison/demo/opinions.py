"""Demo part: a handful of 社情民意信息 at every stage of their way up the council tree — awaiting
新兴区政协's office, not used (with the reason), adopted by the district, forwarded to
七台河市政协 and awaiting it, adopted by the city with a leader's instruction (the demo member
张建华's, so the ``member`` login sees it come back), and one the city passed on to the province.

For that last step the city gets a parent, 黑龙江省政协 (no members of its own), and the city and
province offices a staff login each (``city_staff``, ``province_staff``). Every step goes
through the services, dated in the last weeks; the seed article's figures are not touched.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.hashers import make_password

from activities.models import ContactLog
from activities.reminders.services.rules import rules_install_defaults
from activities.tags.services import link_tags_install_defaults
from liaison.demo.members import CITY
from liaison.demo.moments import past_at
from members.common import clock
from members.models import Council, Member, User
from opinions import services
from opinions.models import Report

PROVINCE = "黑龙江省政协"

# (days ago, title, text, what happens: a list of (office, step) after the submission).
REPORTS = [
    (3, "关于增设兴安街道早市周边公共卫生间的建议",
     "兴安街道早市每天清晨聚集大量老年群众，周边没有公共卫生间，群众反映强烈。建议由街道牵头，"
     "利用早市旁闲置用房改建一处公共卫生间，并安排专人保洁。", []),
    (5, "关于加强城区老旧小区路灯维护的建议",
     "多个老旧小区周边路灯损坏时间较长，学生晚间放学和居民出行存在安全隐患。建议明确路灯维护责任"
     "主体，建立报修和限时修复机制。", []),
    (20, "关于个别商户反映营业执照变更手续繁琐的情况",
     "有商户反映营业执照地址变更需多次往返。经了解，相关事项已纳入“一网通办”，可全程网上办理。",
     [("district", "not_use", "相关事项已可网上办理，已向反映人说明。")]),
    (25, "关于乡村学校冬季取暖设施改造的建议",
     "部分乡村学校取暖设施老化，冬季教室温度偏低。建议将乡村学校取暖设施改造纳入年度民生实事。",
     [("district", "adopt", "")]),
    (12, "关于中小企业稳岗补贴政策宣传不到位的情况反映",
     "走访中发现，不少中小企业不了解稳岗补贴的申请条件和流程，部分企业错过申请时限。建议人社部门"
     "通过工商联、行业协会开展政策宣讲，并简化申请材料。",
     [("district", "forward", "")]),
    (40, "关于规范城区校外培训机构收费的建议",
     "群众反映部分校外培训机构预收费用周期过长、退费难。建议建立预收费资金监管账户，定期开展联合检查。",
     [("district", "forward", ""), ("city", "adopt", ""),
      ("city", "instruct", ("市政府副市长 王某某", "请市教育局会同市场监管局研究落实，月底前报送工作方案。"))]),
    (35, "关于煤矿塌陷区群众搬迁后就业帮扶的建议",
     "塌陷区搬迁群众中中老年人较多，再就业困难。建议将其纳入就业援助对象，开发公益性岗位，开展订单式"
     "技能培训。",
     [("district", "forward", ""), ("city", "forward", "")]),
]



def _office(username: str, display_name: str, council: Council) -> User:
    from liaison.demo import DEMO_PASSWORD

    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"display_name": display_name, "role": User.Role.STAFF, "council": council,
                  "email": f"{username}@opinions.example", "password": make_password(DEMO_PASSWORD)},
    )
    return user


def build(council: Council, rng, today: date) -> None:
    city = Council.objects.get(name=CITY)
    province, _ = Council.objects.get_or_create(
        name=PROVINCE, defaults={"level": Council.Level.PROVINCE, "short_name": "黑龙江省"}
    )
    rules_install_defaults(council=province)
    link_tags_install_defaults(council=province)
    if city.parent_id is None:
        city.parent = province
        city.save(update_fields=["parent"])
    if Report.objects.filter(council=council).exists():
        return
    offices = {
        "district": User.objects.filter(username="staff").first(),
        "city": _office("city_staff", "七台河市政协办公室工作人员", city),
        "province": _office("province_staff", "黑龙江省政协办公室工作人员", province),
    }
    members = list(Member.objects.filter(council=council, status=Member.Status.ACTIVE)
                   .select_related("user").order_by("pk")[:len(REPORTS)])
    if offices["district"] is None or len(members) < len(REPORTS):
        return
    author_of = {5: next((m for m in members if m.user.username == "member"), members[0])}
    for i, (days, title, body, steps) in enumerate(REPORTS):
        member = author_of.get(i) or members[(i + 1) % len(members)]
        log = (ContactLog.objects.filter(member=member).exclude(opinions="")
               .order_by("-contacted_at").first())
        day = today - timedelta(days=days)
        with clock.frozen_at(past_at(day, 9)):
            report = services.report_submit(member=member, by=member.user, title=title,
                                             body=body, contact_log=log)
        for n, (office, step, extra) in enumerate(steps, start=1):
            by = offices[office]
            with clock.frozen_at(past_at(day + timedelta(days=2 * n), 10)):
                if step == "forward":
                    report = services.report_forward(report=report, by=by)
                elif step == "adopt":
                    report = services.report_adopt(report=report, by=by)
                elif step == "not_use":
                    report = services.report_not_use(report=report, by=by, reason=extra)
                else:
                    leader, text = extra  # given the day before the office records it
                    services.instruction_record(report=report, by=by, leader=leader, text=text,
                                                given_on=clock.localdate() - timedelta(days=1))
