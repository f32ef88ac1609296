"""The rules: the eight editable defaults every council starts with, and saving a rule."""

from __future__ import annotations

from django.db import transaction

from activities.reminders.models import MustVisitRule, TriggerType
from members.models import Council, User

DEFAULT_RULES = [
    # Editable defaults, not the official wording: the UI says so ("默认规则，可修改").
    # (order, name, trigger, period_days, within_days, windows, description)
    (1, "定期走访", TriggerType.PERIODIC, 90, None, [], "每位联系群众至少每季度走访一次（距上次联系90天内）。"),
    (2, "新联系人首访", TriggerType.FIRST_VISIT, None, 30, [], "新增联系群众后30天内完成首次走访。"),
    (3, "重要会议精神传达", TriggerType.CAMPAIGN, None, 30, [], "全会或重要会议后，30天内向联系群众传达会议精神。"),
    (4, "重大政策出台", TriggerType.CAMPAIGN, None, 30, [], "涉及界别的重大政策出台后，30天内走访相关界别群众。"),
    (5, "重要节日走访", TriggerType.CALENDAR, None, None, [
        {"label": "春节", "start": "01-15", "end": "02-15"},
        {"label": "中秋、人民政协成立纪念日", "start": "09-10", "end": "09-30"},
    ], "春节、中秋为农历节日，请每年按当年日期调整窗口。"),
    (6, "群众遇到困难", TriggerType.DIFFICULTY, None, 7, [], "联系记录标记群众遇到困难后，7天内再次走访。"),
    (7, "协商议事前", TriggerType.CONSULTATION, None, None, [], "协商议事活动举行前，参加委员走访联系群众听取意见。"),
    (8, "提案办理反馈", TriggerType.PROPOSAL_REPLIED, None, 15, [], "源自群众意见的提案答复后，15天内向提出意见的群众反馈。"),
]


def rules_install_defaults(*, council: Council) -> list[MustVisitRule]:
    """The eight default rules for ``council`` (idempotent: existing names are kept)."""
    rules = []
    with transaction.atomic():
        for order, name, trigger, period, within, windows, description in DEFAULT_RULES:
            rule, _created = MustVisitRule.objects.get_or_create(
                council=council, name=name,
                defaults={"order": order, "trigger_type": trigger, "period_days": period,
                          "within_days": within, "windows": windows, "description": description},
            )
            rules.append(rule)
    return rules


def rule_save(*, rule: MustVisitRule, sectors=None, by: User) -> MustVisitRule:
    """Create or change a rule (validated: parameters its trigger needs, unique name)."""
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        if sectors is not None:
            rule.sectors.set(sectors)
    return rule
