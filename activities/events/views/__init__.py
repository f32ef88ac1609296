"""Pages of activities (``activities``) and of consultations and their problems
(``consultations``)."""
