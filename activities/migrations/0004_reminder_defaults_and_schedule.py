"""The eight default must-visit rules for every existing council. New councils get the same rules from ``activities.reminders.rules_install_defaults``.

The rules are copied here (not imported) so that this migration keeps doing what it did
when later code changes the defaults.
"""

from django.db import migrations

DEFAULT_RULES = [
    # (order, name, trigger, period_days, within_days, windows, description)
    (1, "定期走访", "periodic", 90, None, [], "每位联系群众至少每季度走访一次（距上次联系90天内）。"),
    (2, "新联系人首访", "first_visit", None, 30, [], "新增联系群众后30天内完成首次走访。"),
    (3, "重要会议精神传达", "campaign", None, 30, [], "全会或重要会议后，30天内向联系群众传达会议精神。"),
    (4, "重大政策出台", "campaign", None, 30, [], "涉及界别的重大政策出台后，30天内走访相关界别群众。"),
    (5, "重要节日走访", "calendar", None, None, [
        {"label": "春节", "start": "01-15", "end": "02-15"},
        {"label": "中秋、人民政协成立纪念日", "start": "09-10", "end": "09-30"},
    ], "春节、中秋为农历节日，请每年按当年日期调整窗口。"),
    (6, "群众遇到困难", "difficulty", None, 7, [], "联系记录标记群众遇到困难后，7天内再次走访。"),
    (7, "协商议事前", "consultation", None, None, [], "协商议事活动举行前，参加委员走访联系群众听取意见。"),
    (8, "提案办理反馈", "proposal_replied", None, 15, [], "源自群众意见的提案答复后，15天内向提出意见的群众反馈。"),
]

# The jobs' schedule that used to be created here is declared in liaison/schedule.py and
# put in place by `manage.py schedule_sync`, which migrate runs.


def install(apps, schema_editor):
    Council = apps.get_model("members", "Council")
    MustVisitRule = apps.get_model("activities", "MustVisitRule")
    for council in Council.objects.all():
        for order, name, trigger, period, within, windows, description in DEFAULT_RULES:
            MustVisitRule.objects.get_or_create(
                council=council, name=name,
                defaults={"order": order, "trigger_type": trigger, "period_days": period,
                          "within_days": within, "windows": windows, "description": description},
            )


def uninstall(apps, schema_editor):
    pass  # the rules stay: removing them would take the councils' edits with them


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
