"""The price calculation agents did by hand: a deal's lines and its total, in Decimal.

One rule, rounded to tiyn/kopecks (two places) with ROUND_HALF_UP at each step, per line:

    net   = round(quantity * price * (1 - discount / 100), 2)
    vat   = round(net * vat_rate / 100, 2)
    total = net + vat

and the deal's total is the sum of its lines' totals (net and VAT summed the same way). Rounding
per line, not on the sum, is what an invoice shows: every printed line adds up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineTotal:
    net: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    total: Decimal


def line_total(quantity: Any, price: Any, discount_percent: Any = 0, vat_rate: Any = 0) -> LineTotal:
    """One line's net (after the discount) and VAT, each rounded to two places."""
    quantity, price = Decimal(quantity), Decimal(price)
    discount, rate = Decimal(discount_percent or 0), Decimal(vat_rate or 0)
    net = cents(quantity * price * (1 - discount / HUNDRED))
    return LineTotal(net, cents(net * rate / HUNDRED))


def of_line(item: Any) -> LineTotal:
    """The totals of a line item (anything with quantity, price, discount_percent and vat_rate)."""
    return line_total(item.quantity, item.price, item.discount_percent, item.vat_rate)


def totals(items: Iterable[Any]) -> Totals:
    """A deal's net, VAT and total: the sums of its lines' rounded figures."""
    lines = [of_line(item) for item in items]
    net = sum((line.net for line in lines), Decimal("0.00"))
    vat = sum((line.vat for line in lines), Decimal("0.00"))
    return Totals(net, vat, net + vat)
