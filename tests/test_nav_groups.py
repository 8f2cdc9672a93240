"""Where the top bar puts a navigation item: its group, given or taken from its order."""

from __future__ import annotations

import pytest

from crmkit import NavItem


ORDERS = [(-10, "main"), (799, "main"), (800, "tools"), (899, "tools"), (900, "admin")]


@pytest.mark.parametrize(("order", "group"), ORDERS)
def test_an_item_without_a_group_takes_it_from_its_order(order, group):
    assert NavItem("Item", url="https://example.com/", order=order).group == group


def test_a_given_group_wins_over_the_order():
    assert NavItem("Calendar", endpoint="myday.calendar", order=50, group="tools").group == "tools"


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError, match="group"):
        NavItem("Item", url="https://example.com/", group="sidebar")
