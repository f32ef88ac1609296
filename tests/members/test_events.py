"""members.events: explicit domain events with handlers connected once."""

from members.events import DomainEvent


def test_handlers_run_in_order_once_each_with_the_payload():
    event, calls = DomainEvent("thing_added"), []

    def first(**payload):
        calls.append(("first", payload))

    def second(**payload):
        calls.append(("second", payload))

    event.connect(first)
    event.connect(second)
    event.connect(first)  # connecting twice calls it once
    event.send(thing=1)
    assert calls == [("first", {"thing": 1}), ("second", {"thing": 1})]
    event.disconnect(first)
    event.send(thing=2)
    assert calls[-1] == ("second", {"thing": 2})
    assert len(calls) == 3


def test_a_failing_handler_is_not_swallowed():
    import pytest

    event = DomainEvent("thing_added")

    def broken(**payload):
        raise RuntimeError("handler failed")

    event.connect(broken)
    with pytest.raises(RuntimeError):
        event.send(thing=1)
