"""The storage contract, on the instance folder and on an S3-compatible bucket alike: the same bytes
are stored once; a blob is there before its row commits and gone when the transaction rolls back;
a failed write leaves nothing under a real key; a deleted row's blob goes unless another row uses it."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.files import attach, attachments_of, detach, files_storage, open_blob
from crmkit.core.files.models import Attachment
from crmkit.core.files.storage import TooLarge, blob_path
from tests.files.conftest import blob_names, new_person

TEXT = "Договор аренды, 3 этаж\n".encode() * 100


def rows() -> int:
    return db.session().execute(select(func.count()).select_from(Attachment)).scalar_one()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_committed_attachment_reads_back_its_bytes(files_app):
    record_id = new_person(files_app)
    with files_app.app_context():
        row = attach("person", record_id, TEXT, "contract.txt")
        db.session().commit()
        with open_blob(row) as stream:
            assert stream.read() == TEXT
        assert row.sha256 == sha(TEXT) and row.size == len(TEXT)
    assert blob_path(sha(TEXT)) in blob_names(files_app)


def test_the_same_bytes_are_stored_once(files_app):
    first, second = new_person(files_app), new_person(files_app, "Dana")
    with files_app.app_context():
        attach("person", first, TEXT, "a.txt")
        attach("person", second, io.BytesIO(TEXT), "b.txt")
        db.session().commit()
        assert len(attachments_of("person", first)) == len(attachments_of("person", second)) == 1
    assert [name for name in blob_names(files_app) if not name.startswith("tmp/")] == [blob_path(sha(TEXT))]


def test_a_rolled_back_attachment_leaves_no_blob(files_app):
    record_id = new_person(files_app)
    with files_app.app_context():
        attach("person", record_id, TEXT, "draft.txt")
        assert files_storage().exists(sha(TEXT))  # written before the commit
        db.session().rollback()
        assert not files_storage().exists(sha(TEXT))
        assert rows() == 0


def test_a_session_closed_without_a_commit_leaves_no_blob(files_app):
    record_id = new_person(files_app)
    with files_app.app_context():
        attach("person", record_id, TEXT, "draft.txt")
    with files_app.app_context():  # the first context closed its session, uncommitted
        assert not files_storage().exists(sha(TEXT))


def test_a_rollback_keeps_a_blob_another_row_uses(files_app):
    record_id = new_person(files_app)
    with files_app.app_context():
        attach("person", record_id, TEXT, "kept.txt")
        db.session().commit()
        attach("person", record_id, TEXT, "again.txt")
        db.session().rollback()
        assert files_storage().exists(sha(TEXT))


def test_deleting_the_last_row_removes_its_blob_after_the_commit(files_app):
    record_id = new_person(files_app)
    with files_app.app_context():
        one, two = attach("person", record_id, TEXT, "one.txt"), attach("person", record_id, TEXT, "two.txt")
        db.session().commit()
        detach(one)
        db.session().commit()
        assert files_storage().exists(sha(TEXT))
        detach(two)
        assert files_storage().exists(sha(TEXT))  # not before the commit: it could still roll back
        db.session().commit()
        assert not files_storage().exists(sha(TEXT))


def test_a_write_that_fails_midway_leaves_nothing_under_a_real_key(files_app):
    class Broken(io.RawIOBase):
        chunks = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            self.chunks += 1
            if self.chunks > 3:
                raise OSError("the client went away")
            buffer[:10] = b"x" * 10
            return 10

    with files_app.app_context(), pytest.raises(OSError):
        files_storage().save(io.BufferedReader(Broken()))
    assert blob_names(files_app) == set()


def test_a_write_over_the_limit_stops_and_leaves_nothing(files_app):
    with files_app.app_context(), pytest.raises(TooLarge):
        files_storage().save(io.BytesIO(b"y" * 5000), limit=4096)
    assert blob_names(files_app) == set()


def test_a_commit_whose_blob_vanished_fails_instead_of_keeping_a_row_without_a_file(files_app):
    record_id = new_person(files_app)
    with files_app.app_context():
        attach("person", record_id, TEXT, "raced.txt")
        files_storage().delete(sha(TEXT))  # as a cleanup running at the worst moment would
        with pytest.raises(RuntimeError, match="vanished"):
            db.session().commit()
        db.session().rollback()
        assert rows() == 0


def test_files_are_listed_in_their_order_by_kind(files_app):
    record_id = new_person(files_app)
    with files_app.app_context():
        for name in ("a.txt", "b.txt"):
            attach("person", record_id, name.encode(), name, kind="document")
        attach("person", record_id, b"c", "c.txt")
        db.session().commit()
        assert [a.original_name for a in attachments_of("person", record_id, kind="document")] == ["a.txt", "b.txt"]
        assert [a.position for a in attachments_of("person", record_id, kind="document")] == [0, 1]
        assert [a.original_name for a in attachments_of("person", record_id)] == ["a.txt", "b.txt", "c.txt"]


def test_a_stream_that_cannot_seek_is_attached_too(files_app):
    import os

    record_id = new_person(files_app)
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        writer.write(TEXT)
    with files_app.app_context(), os.fdopen(read_end, "rb") as pipe:
        row = attach("person", record_id, pipe, "piped.txt")
        db.session().commit()
        with open_blob(row) as stream:
            assert stream.read() == TEXT
