"""Every redirect to a place the request names (``next``, the referrer) stays on this site, however
the browser reads the value: crmkit.redirects.local_url, used by every such view."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crmkit import db
from crmkit.core.activities.models import Activity
from crmkit.core.auth.service import find_user
from crmkit.entities.service import Records
from crmkit.redirects import local_url
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user, csrf_token

SITE = "http://localhost/"
FALLBACK = "/fallback"
HOSTILE = [
    "/\t/evil.example/", "/\\evil.example", "\t//evil.example", "/%09/evil.example", "//evil.example",
    "/\n/evil.example", "/\r\n/evil.example", " //evil.example", "\x00//evil.example", "/\\/evil.example",
    "\\\\evil.example", "/%5Cevil.example", "/%2F/evil.example", "/%2f%2fevil.example", "///evil.example",
    "https://evil.example/", "http:evil.example", "https:/evil.example", "javascript:alert(1)",
    "http://localhost@evil.example/", "http://localhost.evil.example/", "evil.example", "", "/" * 3000,
]
LOCAL = ["/person/5", "/person/?q=a%20b&sort=name", "/timeline/person/5?kind=calls#top", "/"]


def as_browser_reads(location: str) -> str:
    """What a browser makes of a Location before resolving it: leading and trailing control
    characters and spaces stripped, tabs and newlines dropped, backslashes read as slashes."""
    location = location.strip("".join(map(chr, range(0x21))))
    return re.sub(r"[\t\n\r]", "", location).replace("\\", "/")


def lands_on(location: str) -> str:
    """The origin a browser on SITE goes to when sent to ``location``."""
    target = urlsplit(urljoin(SITE + "timeline/person/1", as_browser_reads(location)))
    return f"{target.scheme}://{target.netloc}/"


BARE = Flask(__name__)  # the rule needs a request (whose site it is) and nothing else


@pytest.fixture
def in_request():
    with BARE.test_request_context(base_url=SITE):
        yield


@pytest.mark.parametrize("target", HOSTILE)
def test_a_target_a_browser_could_read_as_another_site_gives_the_fallback(in_request, target):
    assert local_url(target, FALLBACK) == FALLBACK


@pytest.mark.parametrize("target", LOCAL)
def test_a_path_of_this_site_is_kept(in_request, target):
    assert local_url(target, FALLBACK) == target


def test_a_referrer_of_this_site_counts_as_its_path(in_request):
    assert local_url(SITE + "person/?sort=name", FALLBACK) == "/person/?sort=name"
    assert local_url(SITE + "/evil.example/", FALLBACK) == FALLBACK


def test_a_path_with_letters_beyond_ascii_is_sent_percent_encoded(in_request):
    assert local_url("/person/?q=Асель", FALLBACK) == "/person/?q=%D0%90%D1%81%D0%B5%D0%BB%D1%8C"


TRICKY = st.sampled_from(["/", "\\", "\t", "\n", "\r", " ", "\x00", "\x0b", "%", "09", "2F", "5C", ":", "@", ".", "?", "#",
                          "evil.example", "localhost", "http", "https:", "//", "javascript:"])
PREFIXES = st.sampled_from(["", "/", "//", "\\", "/\\", SITE, "http://localhost", "https://evil.example/"])


@settings(max_examples=300)  # about one in ten is accepted
@given(prefix=PREFIXES, rest=st.lists(TRICKY | st.text(max_size=3), max_size=12).map("".join))
@example(prefix="/", rest="\t/evil.example/")
@example(prefix="", rest="/%09/evil")
def test_whatever_is_accepted_stays_on_this_site_as_a_browser_reads_it(prefix, rest):
    with BARE.test_request_context(base_url=SITE):
        accepted = local_url(prefix + rest, FALLBACK)
    assert accepted.startswith("/") and not accepted.startswith("//")
    assert lands_on(accepted) == SITE


# the views


@pytest.fixture
def person_and_task(app, admin_client):
    """A person, and an open task about them; with their ids, the task's version."""
    with app.test_request_context():
        session = db.session()
        admin = find_user(session, ADMIN_EMAIL)
        entities = app.extensions["crmkit"].entities
        person = Records(entities.get("person"), admin, session).create({"name": "Асель"})
        task = Records(entities.get("activity"), admin, session).create(
            {"kind": "task", "subject": "Call back", "happened_at": "2026-01-05T10:00:00+00:00",
             "about_entity": "person", "about_id": person.id})
        return person.id, task.id


def test_logging_on_a_timeline_never_sends_the_browser_off_site(admin_client, person_and_task):
    person_id, _task_id = person_and_task
    token = csrf_token(admin_client, f"/timeline/person/{person_id}")
    for target in HOSTILE:
        response = admin_client.post(f"/timeline/person/{person_id}/log",
                                     data={"csrf_token": token, "kind": "note", "body": "Hello", "next": target})
        assert (response.status_code, response.location) == (302, f"/person/{person_id}"), repr(target)
    response = admin_client.post(f"/timeline/person/{person_id}/log",
                                 data={"csrf_token": token, "kind": "note", "body": "Hi", "next": f"/timeline/person/{person_id}"})
    assert response.location == f"/timeline/person/{person_id}"


def test_marking_a_task_done_never_sends_the_browser_off_site(app, admin_client, person_and_task):
    person_id, task_id = person_and_task
    token = csrf_token(admin_client, f"/timeline/person/{person_id}")
    for target in HOSTILE:
        with app.app_context():
            version = db.session().get(Activity, task_id).version
        response = admin_client.post(f"/timeline/tasks/{task_id}/done?version={version}", data={"csrf_token": token, "next": target})
        assert (response.status_code, response.location) == (302, f"/person/{person_id}"), repr(target)


def test_logging_in_never_sends_the_browser_off_site(app):
    add_user(app, is_admin=True)
    for target in HOSTILE:
        client = app.test_client()
        token = csrf_token(client)
        response = client.post("/login", query_string={"next": target},
                               data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token})
        assert (response.status_code, response.location) == (302, "/"), repr(target)


def test_the_language_switch_never_sends_the_browser_off_site(client):
    token = csrf_token(client)
    for target in HOSTILE:
        response = client.post("/-/language", data={"csrf_token": token, "language": "en", "next": target})
        assert (response.status_code, response.location) == (302, "/"), repr(target)


def test_saving_a_view_without_a_name_goes_back_only_to_a_page_of_this_site(admin_client):
    token = csrf_token(admin_client, "/person/")
    for referrer, back in [("https://evil.example/", "/person/"), (SITE + "person/?sort=name", "/person/?sort=name")]:
        response = admin_client.post("/person/views", data={"csrf_token": token, "name": ""}, headers={"Referer": referrer})
        assert (response.status_code, response.location) == (302, back), referrer


def test_login_still_goes_back_to_the_page_asked_for(app):
    add_user(app, is_admin=True)
    client = app.test_client()
    response = client.post("/login?next=/person/%3Fsort%3Dname",
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": csrf_token(client)})
    assert response.location == "/person/?sort=name"


def test_a_query_may_hold_any_encoded_character(in_request):
    assert local_url("/person/?q=%0A%5C%2F%2F", FALLBACK) == "/person/?q=%0A%5C%2F%2F"
