"""Run by test_crash.py as a process of its own: attach a file and stop at a given moment, saying
so on stdout, so the test can kill it with SIGKILL right there.

    python upload_and_wait.py '<settings as JSON>' <record id> <moment>

moment: ``writing`` (half the bytes are in the temporary file), ``stored`` (the blob is under its
key and the row is flushed, the transaction not yet committed) or ``committing`` (inside the commit,
after the row is written but before the transaction ends).
"""

from __future__ import annotations

import io
import json
import sys
import time

from sqlalchemy import event


def wait(what: str) -> None:
    print(what, flush=True)
    while True:
        time.sleep(60)


class SlowStream(io.RawIOBase):
    """Two megabytes, and a halt halfway."""

    def __init__(self):
        self.sent, self.total = 0, 2 * 1024 * 1024

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        self.sent = offset
        return offset

    def readinto(self, buffer):
        if self.sent >= self.total // 2 and self.sent > 8192 * 2:
            wait("writing")
        size = min(len(buffer), self.total - self.sent)
        buffer[:size] = bytes([self.sent % 251]) * size
        self.sent += size
        return size


def main() -> None:
    settings, record_id, moment = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    from crmkit import db
    from crmkit.app import create_app
    from crmkit.core.files import attach

    app = create_app(settings)
    with app.app_context():
        session = db.session()
        if moment == "writing":
            attach("person", record_id, io.BufferedReader(SlowStream(), 8192), "big.bin")
        attach("person", record_id, b"stored, never committed " * 1000, "stored.txt")
        if moment == "stored":
            wait("stored")
        event.listen(session.connection(), "commit", lambda *_: wait("committing"))
        session.commit()


if __name__ == "__main__":
    main()
