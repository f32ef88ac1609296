"""Writes of activities (``activities``) and of consultations and their problems
(``consultations``). Views, the admin and the demo call these. Each runs in one transaction:
bad input raises a ``ValidationError`` with a translatable message and nothing is written."""
