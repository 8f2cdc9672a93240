"""An agent lists an object in a real browser: the section's button, the form with the apartment's
fields, photos uploaded through the attachments panel, and the object in "My objects"."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from crmkit import api
from tests.browser.conftest import (  # noqa: F401 - the repository's browser fixtures (chromium, live server)
    TEST_SECRET,
    chromium,
    expect,
    live_server,
    log_in,
    new_page,
)
from tests.conftest import add_user

pytestmark = pytest.mark.browser
AGENT, PASSWORD = "dana@example.com", "correct horse battery staple"


@pytest.fixture
def live_app(make_app):
    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en")
    add_user(app, AGENT, PASSWORD, role="agent", name="Dana Agent")
    return app


def photo(path, color):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_an_agent_lists_an_object_with_photos_and_finds_it_in_my_objects(live_server, live_app, new_page, tmp_path):
    page = new_page()
    log_in(page, live_server.url, AGENT, PASSWORD)
    page.get_by_role("link", name="Real estate").first.click()
    page.get_by_role("link", name="List an object").click()

    page.get_by_label("Kind").select_option("apartment")
    page.get_by_label("Sale or rent").select_option("sale")
    page.get_by_label("City").fill("Almaty")
    page.get_by_label("District").fill("Bostandyk")
    page.get_by_label("Street").fill("Abay avenue")
    page.get_by_label("Area, m²").fill("54.5")
    page.get_by_label("Rooms").fill("2")
    page.get_by_label("Floor", exact=True).fill("5")
    page.get_by_label("Floors in the building").fill("9")
    page.get_by_label("Price").fill("42000000")
    expect(page.get_by_label("Land, sotkas")).to_be_hidden()  # a house's or a plot's field, not a flat's
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("RE-000001")

    form = page.locator("form.attachment-upload")
    form.locator("input[type=file]").set_input_files([photo(tmp_path / "front.png", (200, 40, 40)),
                                                      photo(tmp_path / "kitchen.png", (40, 160, 90))])
    form.get_by_label("As").select_option("photo")
    form.get_by_role("button", name="Upload").click()
    expect(page.locator("#attachments li.attachment img")).to_have_count(2)

    page.goto(f"{live_server.url}/real-estate/")
    page.get_by_role("link", name="My objects").click()
    expect(page.locator("table")).to_contain_text("RE-000001")
    with live_app.test_request_context():
        assert [a.original_name for a in api.attachments_of("real_estate.property", 1, kind="photo")] == \
            ["front.png", "kitchen.png"]
