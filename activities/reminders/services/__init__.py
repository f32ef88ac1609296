"""Writes of the must-visit reminders, one module per job: ``sweep`` (generation), ``triggers``
(the events other services report), ``closing``, ``campaigns``, ``rules``, ``notices``,
``tally`` (the dashboards' must-visit tally recounted); and ``sql``, the set-based INSERT
they build on."""
