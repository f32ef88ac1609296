"""Domain events of members: what apps built on members do when a council or a constituent is
added, without members importing them (``members`` ← ``proposals`` ← ``activities`` ←
``liaison``).

A service raises an event explicitly, in its transaction, right after the write::

    events.constituent_added.send(constituent=constituent)

An app that builds on members connects its handler once, in its ``AppConfig.ready()``::

    events.constituent_added.connect(reminders.on_constituent_added)

Unlike Django's model signals, nothing fires on a bare ``save()`` (a fixture, a migration, a
bulk import): only the services that mean "a council / a constituent was added" raise them,
so every path that adds one goes through those services (the admin included). Handlers run
in the sender's transaction, in the order connected; an exception rolls the write back.
Side effects outside the database (tasks, e-mail) go behind ``transaction.on_commit``.

| event | raised by | payload |
| --- | --- | --- |
| ``council_added`` | ``services.council_create`` | ``council`` |
| ``constituent_added`` | ``services.constituent_create`` | ``constituent`` |
| ``member_changed`` | ``services.member_update``, when the sector or special committee changed | ``member`` (as saved), ``sector_id`` and ``committee_id`` (before; ``0``: none) |
"""

from __future__ import annotations

from collections.abc import Callable


class DomainEvent:
    """Something that happened, and the handlers to call when a service says it did."""

    def __init__(self, name: str):
        self.name = name
        self._handlers: list[Callable[..., None]] = []

    def connect(self, handler: Callable[..., None]) -> None:
        """Call ``handler(**payload)`` on every ``send``; connecting it twice calls it once."""
        if handler not in self._handlers:
            self._handlers.append(handler)

    def disconnect(self, handler: Callable[..., None]) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    def send(self, **payload) -> None:
        for handler in list(self._handlers):
            handler(**payload)

    def __repr__(self) -> str:
        return f"<DomainEvent {self.name}: {len(self._handlers)} handlers>"


council_added = DomainEvent("council_added")
constituent_added = DomainEvent("constituent_added")
member_changed = DomainEvent("member_changed")
