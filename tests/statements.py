"""The SQL statements a block of code sends that name a table: how tests show that a change does
no work it does not need (no re-index of an unsearched field, no look at a deal's competitors)."""

from __future__ import annotations

import re

from sqlalchemy import event

from crmkit import db


class statements_on:
    """Collects the statements naming ``table`` (or a table whose name starts with it) sent on the
    app's engine while the block runs."""

    def __init__(self, app, table: str):
        self.engine, self.pattern, self.found = db.engine_of(app), re.compile(rf"\b{table}"), []

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self.seen)
        return self.found

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self.seen)

    def seen(self, _conn, _cursor, statement, *_args) -> None:
        if self.pattern.search(statement):
            self.found.append(statement)
