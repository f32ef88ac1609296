"""Where every table of the portal would live in a distributed PostgreSQL (Citus) whose
distribution key is the top-level council (the root of a council tree: a province, or a
city or district that stands alone): the one list of it (docs/SCALING.md, "Distributing by
the top-level council", shows it as a table; ``tests/test_distribution.py`` checks both
against the models).

- ``DISTRIBUTED``: a tenant table that carries its council (``key``, a foreign key to
  ``Council``). At the move it gets the root council's id, derived from that council, as
  its distribution column. Every unique constraint holds ``key`` — but those listed in
  ``without_key``, each with the reason it still does not.
- ``CO_LOCATED``: a tenant table without a council column of its own: its rows follow the
  row named by ``follows`` (a foreign-key path to a distributed table), whose root council
  it must be given at the move. Its unique constraints are all in ``without_key``.
- ``REFERENCE``: small data every shard joins (the councils, their editable lists, logins):
  copied to every node; any unique constraint works there.
- ``LOCAL``: stays on the coordinator alone (sessions, the scheduler, the security audit):
  read and written without a tenant.

Labels are ``app_label.ModelName`` (auto-created many-to-many tables included, e.g.
``members.Platform_members``). A model added without an entry here fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DISTRIBUTED = "distributed"
CO_LOCATED = "co-located"
REFERENCE = "reference"
LOCAL = "local"


@dataclass(frozen=True)
class Placement:
    kind: str
    key: str | None = None  # DISTRIBUTED: the field naming the row's council
    follows: str | None = None  # CO_LOCATED: the foreign-key path to the distributed parent
    # Unique constraints still without the council ("name" of a UniqueConstraint,
    # "field:x" for unique=True / a one-to-one, "together:a,b" for unique_together): why.
    without_key: dict[str, str] = field(default_factory=dict)


def distributed(key: str = "council", **without_key: str) -> Placement:
    return Placement(DISTRIBUTED, key=key, without_key=dict(without_key))


def co_located(follows: str, *unique: str, why: str = "") -> Placement:
    return Placement(CO_LOCATED, follows=follows, without_key=dict.fromkeys(unique, why))


REF = Placement(REFERENCE)
LOC = Placement(LOCAL)

# Reasons shared by several tables.
_NO_COLUMN = "no council column yet: it gets the root council with its parent's at the move"
_HISTORY = ("a big history table (partitioned by month): no new column now; the root council "
            "is added per partition at the move (docs/SCALING.md)")
_REMINDER = ("the sweep's ON CONFLICT target, on the biggest partitioned table: widened with "
             "the root council at the move (the rule implies the council)")
_M2M = "Django's own pair table: the pair implies the council"

PLACEMENTS: dict[str, Placement] = {
    # --- members: councils and logins (reference), rosters (distributed) ---------------
    "members.Council": REF,
    "members.User": REF,
    "members.User_groups": REF,
    "members.User_user_permissions": REF,
    "members.Sector": REF,
    "members.Committee": REF,
    "members.Member": distributed(**{
        "field:user": "a one-to-one with the login (user.member everywhere): the login's "
                      "council already is the member's; widened at the move",
    }),
    "members.HistoricalMember": distributed(),
    "members.Platform": distributed(),
    "members.Platform_sectors": co_located("platform", "together:platform,sector", why=_M2M),
    "members.Platform_members": co_located("platform", "together:platform,member", why=_M2M),
    "members.Constituent": distributed(),
    "members.HistoricalConstituent": distributed(),
    "members.RosterTally": distributed(),
    "members.Notification": LOC,
    "members.AuditEntry": LOC,
    "members.PasswordHistory": LOC,
    "members.LoginSession": LOC,
    # --- proposals ------------------------------------------------------------------------
    "proposals.Session": distributed(),
    "proposals.Category": REF,
    "proposals.HandlingUnit": REF,
    "proposals.HandlingUnit_users": REF,
    "proposals.Proposal": distributed(),
    "proposals.CoSigner": co_located("proposal", "cosigner_unique_member", why=_NO_COLUMN),
    "proposals.ProposalAttachment": co_located("proposal"),
    "proposals.Assignment": co_located(
        "proposal", "assignment_one_active_lead", "assignment_unit_once", why=_NO_COLUMN
    ),
    "proposals.Reply": co_located("proposal", "reply_one_per_round", why=_NO_COLUMN),
    "proposals.Rating": co_located(
        "proposal", "rating_once_per_round", "rating_collective_once_per_round", why=_NO_COLUMN
    ),
    "proposals.ProposalEvent": co_located("proposal"),
    "proposals.ProposalTally": distributed(),
    "proposals.ProposalTerm": distributed(
        proposalterm_unique_term="(proposal, word): the proposal carries its council, so the "
        "rule becomes (proposal, word, root) at the move"
    ),
    "proposals.ProposalTermCount": distributed(),
    # --- activities: contacts --------------------------------------------------------------
    "activities.ContactLog": distributed(),
    "activities.ContactLogConstituent": co_located(
        "contact_log", "contactlog_constituent_unique", why=_HISTORY
    ),
    "activities.ContactLogPhoto": co_located("contact_log"),
    "activities.ContactLogKey": co_located("member", "contactlogkey_member_key_unique", why=_NO_COLUMN),
    "activities.ContactLogTag": co_located("contact_log", "contactlogtag_unique", why=_HISTORY),
    "activities.ContactDay": distributed(),
    "activities.ContactTally": distributed(),
    "activities.ContactDayMark": distributed(),
    "activities.LinkTag": REF,
    # --- activities: events ------------------------------------------------------------------
    "activities.ActivityKind": REF,
    "activities.ActivitySeries": REF,
    "activities.Activity": distributed(),
    "activities.Activity_sectors": co_located("activity", "together:activity,sector", why=_M2M),
    "activities.Activity_constituents": co_located(
        "activity", "together:activity,constituent", why=_M2M
    ),
    "activities.Activity_tags": co_located("activity", "together:activity,linktag", why=_M2M),
    "activities.Attendance": co_located("activity", "attendance_unique", why=_NO_COLUMN),
    "activities.ActivityPhoto": co_located("activity"),
    "activities.Consultation": distributed(),
    "activities.Consultation_members": co_located(
        "consultation", "together:consultation,member", why=_M2M
    ),
    "activities.Consultation_sectors": co_located(
        "consultation", "together:consultation,sector", why=_M2M
    ),
    "activities.ConsultationPhoto": co_located("consultation"),
    "activities.Problem": co_located("consultation"),
    # --- activities: reminders -------------------------------------------------------------
    "activities.MustVisitRule": REF,
    "activities.MustVisitRule_sectors": REF,
    "activities.Campaign": REF,
    "activities.Campaign_sectors": REF,
    "activities.SweepMark": REF,
    "activities.Reminder": distributed(
        reminder_unique_occasion=_REMINDER, reminder_unique_member_occasion=_REMINDER
    ),
    "activities.ReminderTally": distributed(),
    # --- opinions (社情民意信息) ---------------------------------------------------------------
    "opinions.Report": distributed(),
    # Each level's handling names its council, in the report's tree (same root).
    "opinions.ReportRouting": distributed(),
    "opinions.Instruction": co_located("routing"),
    # --- liaison ---------------------------------------------------------------------------
    "liaison.DutyScheme": REF,
    "liaison.IntakeLink": REF,
    "liaison.Submission": distributed(),
    "liaison.BlockedPhone": distributed(),
    # --- Django and the libraries: no tenant ------------------------------------------------
    "admin.LogEntry": LOC,
    "auth.Permission": REF,
    "auth.Group": REF,
    "auth.Group_permissions": REF,
    "contenttypes.ContentType": REF,
    "sessions.Session": LOC,
    "django_celery_beat.SolarSchedule": LOC,
    "django_celery_beat.IntervalSchedule": LOC,
    "django_celery_beat.ClockedSchedule": LOC,
    "django_celery_beat.CrontabSchedule": LOC,
    "django_celery_beat.PeriodicTasks": LOC,
    "django_celery_beat.PeriodicTask": LOC,
    "axes.AccessAttempt": LOC,
    "axes.AccessAttemptExpiration": LOC,
    "axes.AccessLog": LOC,
    "axes.AccessFailureLog": LOC,
    "otp_totp.TOTPDevice": LOC,
    "otp_static.StaticDevice": LOC,
    "otp_static.StaticToken": LOC,
    "captcha.CaptchaStore": LOC,
}

# Foreign keys Citus cannot keep as database constraints — from a replicated or local table
# into a sharded one (or from a sharded table to a local one) — and why each is there.
CROSS_PLACEMENT_KEYS: dict[str, str] = {
    "liaison.IntakeLink.platform": (
        "the public QR page finds a platform by its token alone, knowing no tenant, so the links "
        "stay one replicated table with a globally unique token; at the move the constraint "
        "to the platform is dropped (db_constraint=False) and Django keeps the cascade"
    ),
}
