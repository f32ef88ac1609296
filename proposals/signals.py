"""Signals the proposal pipeline sends for apps that build on it (proposals import nothing
from them).

``proposal_replied(sender=Proposal, proposal_id=…)`` — sent on commit by
``proposals.services.proposal_reply``; ``activities`` connects it to enqueue the
"proposal reply feedback" must-visit reminders.
"""

from django.dispatch import Signal

proposal_replied = Signal()
