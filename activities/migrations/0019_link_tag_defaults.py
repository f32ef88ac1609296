"""The eight default "四联四助" tags for every existing council. New councils get the same
tags from ``activities.tags.services.link_tags_install_defaults`` (``council_added``).

The tags are copied here (not imported) so that this migration keeps doing what it did when
later code changes the defaults.
"""

from django.db import migrations

DEFAULT_LINK_TAGS = [
    (1, "联系界别群众", "link", "委员联系本界别群众，听取意见建议。"),
    (2, "联系基层组织", "link", "联系街道（乡镇）、社区（村）等基层组织。"),
    (3, "联系企业", "link", "联系企业、商会和新经济组织。"),
    (4, "联系困难群众", "link", "联系生活困难或遇到难题的群众。"),
    (5, "助力经济发展", "help", "为企业纾困解难、为发展建言献策。"),
    (6, "助推民生改善", "help", "协调解决群众急难愁盼问题。"),
    (7, "助解矛盾纠纷", "help", "协助理顺情绪、化解矛盾。"),
    (8, "助促社会和谐", "help", "宣传政策、凝聚共识，促进和谐稳定。"),
]


def install(apps, schema_editor):
    Council = apps.get_model("members", "Council")
    LinkTag = apps.get_model("activities", "LinkTag")
    for council in Council.objects.all():
        for order, name, kind, description in DEFAULT_LINK_TAGS:
            LinkTag.objects.get_or_create(
                council=council, name=name,
                defaults={"order": order, "kind": kind, "description": description},
            )


def uninstall(apps, schema_editor):
    pass  # the tags stay: removing them would take the councils' edits with them


class Migration(migrations.Migration):
    dependencies = [("activities", "0018_link_and_help_tags")]

    operations = [migrations.RunPython(install, uninstall)]
