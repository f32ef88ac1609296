"""Must-visit reminders ("8个必访"): the rules (data staff edit), the campaigns staff start,
the reminders the rules make for each member, how a logged contact closes them, and the
notices (a member's daily digest, the weekly escalation to staff).

``services`` writes: ``sweep`` (the daily set-based generation and the per-event runs),
``triggers`` (what other parts of the portal call when something happens), ``closing``,
``campaigns``, ``rules`` and ``notices``.
"""
