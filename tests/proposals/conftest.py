import pytest

from tests.proposals.factories import CategoryFactory, SessionFactory


@pytest.fixture
def session(council):
    return SessionFactory(council=council, term=10, number=4, name="十届四次", is_current=True)


@pytest.fixture
def category(council):
    return CategoryFactory(council=council, name="经济")
