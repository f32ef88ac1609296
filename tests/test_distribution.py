"""The schema stays ready to be distributed by the top-level council (docs/SCALING.md):
every table is placed in ``liaison.distribution``, every tenant table's unique constraints
hold its council (or are listed, with the reason, as still without it), no foreign key
crosses from a replicated or local table into the sharded ones unnoticed, and the document
shows the same placements. Runs on SQLite and PostgreSQL alike (it reads the models).

The two rules widened for it stay exactly as strict: the duplicates are still refused."""

import re
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction

from liaison import distribution
from liaison.distribution import CO_LOCATED, DISTRIBUTED, LOCAL, PLACEMENTS, REFERENCE
from members import services
from members.models import Constituent, Council
from proposals.models import Proposal
from tests.factories import ConstituentFactory
from tests.proposals.factories import ProposalFactory, SessionFactory

SHARDED = {DISTRIBUTED, CO_LOCATED}
PORTAL_APPS = {"members", "proposals", "activities", "opinions", "liaison"}


def all_models():
    return [
        model for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def unique_sets(model) -> dict[str, tuple[str, ...]]:
    """Every uniqueness rule of ``model`` but its primary key, by the name
    ``liaison.distribution`` lists it under, with the fields it holds."""
    rules = {}
    for field in model._meta.local_concrete_fields:
        if field.unique and not field.primary_key:
            rules[f"field:{field.name}"] = (field.name,)
    for fields in model._meta.unique_together:
        rules["together:" + ",".join(fields)] = tuple(fields)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert not constraint.expressions, f"{constraint.name}: say which fields it holds"
            rules[constraint.name] = tuple(constraint.fields)
    return rules


def holds_key(model, fields: tuple[str, ...], key: str) -> bool:
    return key in fields or (len(fields) == 1 and model._meta.get_field(fields[0]).primary_key)


def test_every_table_is_placed():
    labels = {model._meta.label for model in all_models()}
    assert sorted(labels - set(PLACEMENTS)) == [], "place the new tables in liaison.distribution"
    assert sorted(set(PLACEMENTS) - labels) == [], "tables gone: take them out of the list"


@pytest.mark.parametrize("label", sorted(
    label for label, placement in PLACEMENTS.items() if placement.kind == DISTRIBUTED
))
def test_a_distributed_table_holds_its_council_in_every_unique_rule(label):
    model = apps.get_model(label)
    placement = PLACEMENTS[label]
    key = model._meta.get_field(placement.key)
    assert key.is_relation, f"{label}.{placement.key}"
    assert key.related_model is Council, f"{label}.{placement.key}"
    rules = unique_sets(model)
    if key.primary_key:  # one row per council (ContactDayMark): the key is the whole rule
        rules = {name: fields for name, fields in rules.items() if name != f"field:{key.name}"}
    missing = {name for name, fields in rules.items() if not holds_key(model, fields, key.name)}
    assert missing == set(placement.without_key), (
        f"{label}: unique rules without the council {sorted(missing)}; listed as such "
        f"{sorted(placement.without_key)} — widen the new rule, or list it with the reason"
    )
    assert all(placement.without_key.values())


@pytest.mark.parametrize("label", sorted(
    label for label, placement in PLACEMENTS.items() if placement.kind == CO_LOCATED
))
def test_a_co_located_table_follows_a_distributed_one(label):
    model = apps.get_model(label)
    placement = PLACEMENTS[label]
    parent = model
    for step in placement.follows.split("__"):
        parent = parent._meta.get_field(step).related_model
    assert PLACEMENTS[parent._meta.label].kind == DISTRIBUTED, f"{label} → {parent._meta.label}"
    assert not any(
        f.is_relation and f.related_model is Council for f in model._meta.concrete_fields
    ), f"{label} has a council column now: make it distributed"
    assert set(unique_sets(model)) == set(placement.without_key), (
        f"{label}: its unique rules are all without the council; list each with the reason"
    )


def cross_placement_keys():
    """Foreign keys with a database constraint that Citus cannot keep: from a replicated or
    local table into a sharded one, or from a sharded table to a local one."""
    found = set()
    for model in all_models():
        kind = PLACEMENTS[model._meta.label].kind
        for field in model._meta.concrete_fields:
            if not (field.is_relation and field.db_constraint):
                continue
            target = PLACEMENTS[field.related_model._meta.label].kind
            if (kind not in SHARDED and target in SHARDED) or (kind in SHARDED and target == LOCAL):
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_no_foreign_key_crosses_from_a_replicated_table_into_the_shards_unlisted():
    assert cross_placement_keys() == set(distribution.CROSS_PLACEMENT_KEYS)
    assert all(distribution.CROSS_PLACEMENT_KEYS.values())


# --- The document ---------------------------------------------------------------------------

ROW = re.compile(r"^\| `([^`]+)` \| ([a-z-]+)")


def documented_rows() -> list[tuple[str, str]]:
    text = (Path(settings.BASE_DIR) / "docs" / "SCALING.md").read_text(encoding="utf-8")
    section = text.split("## Distributing by the top-level council", 1)[1].split("\n## ", 1)[0]
    return [match.groups() for line in section.splitlines() if (match := ROW.match(line))]


def test_the_document_shows_every_table_where_the_list_places_it():
    rows = documented_rows()
    wrong = []
    for model in all_models():
        table, kind = model._meta.db_table, PLACEMENTS[model._meta.label].kind
        shown = [k for pattern, k in rows if fnmatch(table, pattern)]
        if shown[:1] != [kind]:
            wrong.append(f"{table}: {kind} in the list, {shown or 'absent'} in docs/SCALING.md")
    assert wrong == []
    # Each portal table on a row of its own (the libraries' tables may share one).
    own = [pattern for pattern, _ in rows if "*" not in pattern]
    portal = {m._meta.db_table for m in all_models() if m._meta.app_label in PORTAL_APPS}
    assert portal <= set(own)
    assert len(own) == len(set(own))


def test_the_placement_kinds_are_the_four():
    assert {p.kind for p in PLACEMENTS.values()} == {DISTRIBUTED, CO_LOCATED, REFERENCE, LOCAL}


# --- The widened rules are as strict as before ---------------------------------------------

# The one-phone-per-roster rule, (member, phone hash, council) since members.0015, refuses the
# same duplicates as before: tests/members/test_phone_sealing.py,
# test_one_phone_per_roster_still_holds (the service's message and the database's refusal).


def test_a_constituents_council_is_its_members(member_a, staff):
    """What makes the widened rule as strict: the services write the member's council."""
    person = services.constituent_create(by=staff, member=member_a, name="李四",
                                         phone="13900001111")
    assert person.council_id == member_a.council_id
    assert not Constituent.objects.exclude(council_id=models.F("member__council_id")).exists()


def test_a_number_twice_in_a_session_is_still_refused(member_a):
    """(session, number, council): the session implies the council."""
    first = ProposalFactory(proposer=member_a, number=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalFactory(proposer=member_a, session=first.session, number=7)
    # Another session (of the same council) may use the number.
    ProposalFactory(proposer=member_a, session=SessionFactory(council=first.council), number=7)
    assert Proposal.objects.filter(number=7).count() == 2


def test_a_proposals_council_is_its_sessions(member_a):
    from proposals import services as proposal_services

    session = SessionFactory(council=member_a.council, is_current=True)
    proposal = proposal_services.proposal_create(
        session=session, by=member_a.user, title="关于加强社区养老服务的提案",
    )
    assert proposal.council_id == session.council_id
    assert not Proposal.objects.exclude(council_id=models.F("session__council_id")).exists()


def test_the_migrations_refuse_to_widen_over_rows_that_break_the_implication(
    member_a, other_council
):
    """Each migration checks that the council is implied before it widens the rule: a row
    whose council is not its member's (or its session's) stops it, saying which."""
    from importlib import import_module

    members_0015 = import_module("members.migrations.0015_constituent_phone_rule_names_the_council")
    proposals_0010 = import_module("proposals.migrations.0010_proposal_number_names_the_council")
    person = ConstituentFactory(member=member_a)
    proposal = ProposalFactory(proposer=member_a)
    members_0015.check_council_is_the_members(apps, None)  # consistent rows pass
    proposals_0010.check_council_is_the_sessions(apps, None)

    Constituent.objects.filter(pk=person.pk).update(council=other_council)
    with pytest.raises(RuntimeError, match=str(person.pk)):
        members_0015.check_council_is_the_members(apps, None)
    Proposal.objects.filter(pk=proposal.pk).update(council=other_council)
    with pytest.raises(RuntimeError, match=str(proposal.pk)):
        proposals_0010.check_council_is_the_sessions(apps, None)
