"""Photos of an object in a real browser: upload several at once, reorder them, open the viewer,
download one; with JavaScript (upload progress, dragging, the viewer as a dialog) and without it
(a plain form, up and down buttons, the viewer as a page)."""

from __future__ import annotations

import re

import pytest

from crmkit.core.files import attachments_of
from tests.browser.conftest import TEST_SECRET, expect, log_in
from tests.files.conftest import jpeg, new_person, png

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(make_app):
    from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    return app


def order(app, record_id) -> list[str]:
    with app.app_context():
        return [a.original_name for a in attachments_of("person", record_id, kind="photo")]


def names_shown(page) -> list[str]:
    return [name.strip() for name in page.locator("#attachments li.attachment .attachment-name").all_inner_texts()]


def drag(page, source, target) -> None:
    """Press the mouse on the tile's size line, move over the other tile's left half, let go."""
    source.scroll_into_view_if_needed()
    start, end = source.locator(".attachment-size").bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 4, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 6, end["y"] + 6, steps=12)
    page.mouse.up()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_photos_uploaded_reordered_viewed_and_downloaded(live_server, live_app, new_page, tmp_path, javascript):
    record_id = new_person(live_app, "Apartment on Abay 10")
    photos = []
    for name, data in (("kitchen.png", png(800, 600, (200, 50, 50))), ("hall.jpg", jpeg(640, 480)),
                       ("view.png", png(900, 500, (20, 160, 90)))):
        path = tmp_path / name
        path.write_bytes(data)
        photos.append(path)
    page = new_page(java_script_enabled=javascript)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/person/{record_id}")

    form = page.locator("form.attachment-upload")
    form.locator("input[type=file]").set_input_files([str(p) for p in photos])
    form.get_by_label("As").select_option("photo")
    if javascript:  # sent by the script (XHR, with a progress bar), not by the form
        with page.expect_request(lambda r: r.method == "POST" and r.headers.get("accept") == "application/json"):
            form.get_by_role("button", name="Upload").click()
    else:
        form.get_by_role("button", name="Upload").click()
    expect(page.locator("#attachments li.attachment")).to_have_count(3)
    assert names_shown(page) == ["kitchen.png", "hall.jpg", "view.png"]
    expect(page.locator("#attachments li.attachment img").first).to_have_js_property("complete", True)
    assert page.locator("#attachments li.attachment img").first.evaluate("img => img.naturalWidth") == 320

    tiles = page.locator("#attachments li.attachment")
    if javascript:  # the last photo dragged before the first
        drag(page, tiles.nth(2), tiles.nth(0))
        expect(tiles.nth(0)).to_contain_text("view.png")
        for _ in range(50):  # the new order is posted in the background
            if order(live_app, record_id)[0] == "view.png":
                break
            page.wait_for_timeout(100)
    else:  # the same with the buttons: up, twice
        for _ in range(2):
            page.locator("#attachments li.attachment", has_text="view.png").get_by_role("button", name="Move up").click()
            page.wait_for_url(re.compile(rf"/person/{record_id}"))
    assert order(live_app, record_id) == ["view.png", "kitchen.png", "hall.jpg"]
    page.reload()
    assert names_shown(page) == ["view.png", "kitchen.png", "hall.jpg"]

    page.locator("#attachments a.attachment-open", has_text="kitchen.png").click()
    if javascript:
        viewer = page.locator("dialog.attachment-viewer")
        expect(viewer).to_be_visible()
        expect(viewer.locator("figcaption")).to_have_text("kitchen.png · 2 / 3")
        viewer.get_by_role("button", name="Next").click()
        expect(viewer.locator("figcaption")).to_have_text("hall.jpg · 3 / 3")
        expect(viewer.locator("img")).to_have_js_property("complete", True)
        assert viewer.locator("img").evaluate("img => img.naturalWidth") == 640
        with page.expect_download() as downloading:
            viewer.get_by_role("link", name="Download").click()
        expected = "hall.jpg"
    else:
        expect(page.locator("h1")).to_have_text("kitchen.png")
        expect(page.locator(".page-head")).to_contain_text("2 of 3")
        page.get_by_role("link", name="Next").click()
        expect(page.locator("h1")).to_have_text("hall.jpg")
        page.get_by_role("link", name="Previous").click()
        expect(page.locator("h1")).to_have_text("kitchen.png")
        with page.expect_download() as downloading:
            page.get_by_role("link", name="Download").click()
        expected = "kitchen.png"
    download = downloading.value
    assert download.suggested_filename == expected
    saved = tmp_path / "downloaded"
    download.save_as(saved)
    assert saved.read_bytes() == next(p for p in photos if p.name == expected).read_bytes()
