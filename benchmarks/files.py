"""The CSV of people the import measurement reads: phones typed the ways people type them,
emails, roles in Russian (да/нет), IINs with their control digit, a few second phones."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from benchmarks.data import POSITIONS, SEGMENTS, SOURCES, person_values, phone_of, typed
from crmkit.core.contacts.kz_ids import calc_check_digit

HEADER = ["name", "phone", "other_phones", "email", "is_client", "is_prospect", "segment", "source", "position", "tags", "iin"]
OFFSET = 7_000_000  # numbers apart from the generated contacts'


def iin_of(index: int) -> str | None:
    """A valid IIN (born 1950-1999) for about every second index; None where no control digit fits."""
    first11 = f"{50 + index % 50:02d}{1 + index % 12:02d}{1 + index % 28:02d}{3 + index % 2}{index % 10_000:04d}"
    check = calc_check_digit(first11)
    return None if check is None else f"{first11}{check}"


def rows(count: int, seed: int = 11) -> list[list[str]]:
    """``count`` rows as the file holds them (text cells)."""
    rng = random.Random(seed)
    found = []
    for index in range(OFFSET, OFFSET + count):
        person = person_values(index, rng)
        other = typed(phone_of(index + 1_000_000), index + 1) if index % 10 == 0 else ""
        iin = iin_of(index) if index % 2 == 0 else None
        found.append([
            person.name, person.typed_phone, other, person.email.replace(str(index), str(index - OFFSET)),
            "да" if index % 3 == 0 else "нет", "yes" if index % 5 == 1 else "", SEGMENTS[index % 4] or "",
            SOURCES[index % len(SOURCES)] or "", POSITIONS[index % len(POSITIONS)] or "", "vip" if index % 50 == 0 else "",
            iin or "",
        ])
    return found


def write_csv(path: Path, count: int) -> list[list[str]]:
    found = rows(count)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(found)
    return found
