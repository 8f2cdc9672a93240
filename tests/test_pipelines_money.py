"""The price calculation: each line's net and VAT rounded to tiyn/kopecks half up, the deal's total
their sum; checked against an independent computation in integers of ten-thousandths."""

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from crmkit.core.pipelines import money


@dataclass
class Line:
    quantity: Decimal
    price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers (all inputs are >= 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def independent_line(line: Line) -> tuple[int, int]:
    """Net and VAT in tiyn, in exact integer arithmetic: quantity has 3 places, price and percents 2."""
    q, p = int(line.quantity * 1000), int(line.price * 100)
    d, r = int(line.discount_percent * 100), int(line.vat_rate * 100)
    # q/1000 * p/100 * (10000 - d)/10000, in tiyn (x100)
    net = half_up(q * p * (10000 - d) * 100, 1000 * 100 * 10000)
    vat = half_up(net * r, 100 * 100)
    return net, vat


quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("10000000"), places=2)
percents = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
lines = st.builds(Line, quantities, prices, percents, percents)


@given(st.lists(lines, max_size=20))
def test_totals_equal_an_independent_integer_computation(items):
    expected = [independent_line(line) for line in items]
    totals = money.totals(items)
    assert totals.net == Decimal(sum(net for net, _vat in expected)) / 100
    assert totals.vat == Decimal(sum(vat for _net, vat in expected)) / 100
    assert totals.total == totals.net + totals.vat


@given(lines)
def test_every_figure_has_exactly_two_places(line):
    figures = money.of_line(line)
    assert figures.net.as_tuple().exponent == -2 and figures.vat.as_tuple().exponent == -2


def test_half_a_tiyn_rounds_up():
    line = money.line_total(Decimal("1"), Decimal("0.25"), Decimal("50"), Decimal("0"))  # 0.125
    assert line.net == Decimal("0.13")


def test_vat_is_rounded_on_the_rounded_net_of_each_line():
    # net 33.33; VAT 12% of it is 3.9996 -> 4.00; three such lines total 111.99, not 100 * 1.12
    three = [Line(Decimal("1"), Decimal("100"), Decimal("66.67"), Decimal("12"))] * 3
    totals = money.totals(three)
    assert (totals.net, totals.vat, totals.total) == (Decimal("99.99"), Decimal("12.00"), Decimal("111.99"))


def test_a_deal_without_lines_totals_zero():
    assert money.totals([]).total == Decimal("0.00")
