"""How a plugin declares an entity as inventory (``inventory_entities`` hook)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Inventory:
    """Records of ``entity`` are things calls, leads, showings and deals can be about.

    :param entity: the entity's key (``"real_estate.property"``); its ``title_field`` should be
        unique (a listing number): it is what the subjects' forms show and read back.
    :param number_fields: numeric columns (a price) that typed digits also find, within
        ``tolerance`` (0.1: 10 % either side); the entity's ``search_fields`` find the rest
        (an address, a listing number).
    :param describe: ``describe(record) -> str``, what a suggestion and a link show beside the
        record's title (an address and a price); None shows the title alone.
    :param tolerance: how far from a typed number a ``number_fields`` value may be.
    """

    entity: str
    number_fields: tuple[str, ...] = ()
    describe: Any = None
    tolerance: float = 0.1
