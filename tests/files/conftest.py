"""Fixtures of the files tests: the same tests run against the instance folder and against a local
S3-compatible server (moto in server mode on a free port, one per test session and worker)."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from tests.browser.conftest import (  # noqa: F401 - the browser fixtures and hooks, for test_files_browser.py
    browser_locale,
    browser_page,
    chromium,
    live_server,
    new_page,
    pytest_runtest_makereport,
    pytest_runtest_setup,
)
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

S3_KEYS = {"FILES_S3_ACCESS_KEY": "testing", "FILES_S3_SECRET_KEY": "testing", "FILES_S3_REGION": "us-east-1"}


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_settings(endpoint: str) -> dict:
    """Settings of a new bucket of its own on the test server."""
    import boto3

    bucket = f"crmkit-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(Bucket=bucket)
    return {"FILES_URL": f"s3://{bucket}/files", "FILES_S3_ENDPOINT_URL": endpoint, **S3_KEYS}


@pytest.fixture(params=["folder", "s3"])
def storage_settings(request) -> dict:
    """The files settings of one storage: the instance folder's default, or a bucket."""
    if request.param == "folder":
        return {}
    return s3_settings(request.getfixturevalue("s3_server"))


@pytest.fixture
def files_app(make_app, storage_settings):
    app = make_app(DEFAULT_LOCALE="en", **storage_settings)
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    return app


def new_person(app, name="Aigerim Bekova", user_id=1, **fields) -> int:
    with app.app_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get("person")
        return Records(entity, session.get(User, user_id), session).create({"name": name, **fields}).id


def png(width=40, height=30, color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg(width=40, height=30, color=(40, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG")
    return out.getvalue()


def blob_names(app) -> set[str]:
    """Every name in the app's storage (blobs, thumbnails, temporary files)."""
    from crmkit.core.files.service import files_storage

    with app.app_context():
        return {item.name for item in files_storage().listing()}


def admin_client(app):
    """A client of ``app`` logged in as its admin (made by ``files_app``)."""
    from crmkit.testing import login

    client = app.test_client()
    assert login(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 302
    return client
