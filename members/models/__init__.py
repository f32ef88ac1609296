"""Who and where: councils (tenants), sectors, committees, members, platforms, constituents.

Every record belongs to one ``Council``; every read goes through a ``visible_to(user)``
QuerySet method so that permission is part of the lookup (see ``members.permissions``).
Modules: ``council`` (councils, logins, sectors, committees), ``member`` (members and the
platforms they serve on), ``constituent`` (the rosters), ``notification`` (notices),
``rollups`` (the roster tally the dashboards read), ``security`` (earlier passwords,
login sessions), ``audit`` (the security audit).
"""

from members.models.audit import AuditEntry
from members.models.constituent import Constituent, mask_phone
from members.models.council import Committee, Council, Sector, User
from members.models.member import Member, Platform
from members.models.notification import Notification
from members.models.rollups import RosterTally
from members.models.security import LoginSession, PasswordHistory

__all__ = [
    "AuditEntry",
    "Committee",
    "Constituent",
    "Council",
    "LoginSession",
    "Member",
    "Notification",
    "PasswordHistory",
    "Platform",
    "RosterTally",
    "Sector",
    "User",
    "mask_phone",
]
