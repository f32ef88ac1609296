"""Writes of the must-visit reminders, one module per job: ``sweep`` (generation), ``triggers``
(the events other services report), ``closing``, ``campaigns``, ``rules``, ``notices``; and
``sql``, the set-based INSERT they build on."""
