"""The stream of news to an agent's pages never holds a server thread for long: it starts with
the reconnect delay, beats while idle, ends after its time, resumes after the last event the
page got, and is declined (so the page polls) when the process has enough streams open already.
With Redis configured, news reaches a waiting stream through Redis, from any process."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from live_helpers import office, ring  # noqa: F401 - office is a fixture

STREAM = "/telephony/live/stream"


@pytest.fixture
def short_streams(app):
    app.config.update(TELEPHONY_STREAM_SECONDS=1, TELEPHONY_STREAM_HEARTBEAT=0.3, TELEPHONY_STREAM_RETRY_MS=1500)


def test_a_stream_says_when_to_reconnect_beats_while_idle_and_ends(client_for, office, short_streams):
    response = client_for(office["aigul"]).get(STREAM)
    body = response.get_data(as_text=True)  # returns: the stream ended by itself
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    assert body.startswith("retry: 1500\n\n") and ": heartbeat\n\n" in body


def test_a_stream_opened_while_the_phone_rings_starts_with_the_call(client, client_for, office, short_streams):
    call = ring(client, "r1")
    body = client_for(office["aigul"]).get(STREAM).get_data(as_text=True)
    assert f'"call":{call}' in body and '"kind":"ring"' in body


def test_a_reconnecting_page_gets_only_what_came_after_its_last_event(client, client_for, office, short_streams):
    aigul = client_for(office["aigul"])
    ring(client, "r1")
    first = aigul.get("/telephony/live/poll").get_json()["events"][0]["id"]
    second_call = ring(client, "r2")
    body = aigul.get(STREAM, headers={"Last-Event-ID": str(first)}).get_data(as_text=True)
    assert f"id: {first}\n" not in body and f'"call":{second_call}' in body


def test_beyond_the_processs_streams_a_page_is_told_to_poll(app, client_for, office, short_streams):
    app.config["TELEPHONY_STREAM_MAX"] = 1
    aigul = client_for(office["aigul"])
    held = aigul.get(STREAM, buffered=False)
    assert held.status_code == 200
    assert aigul.get(STREAM).status_code == 204
    held.close()
    assert aigul.get(STREAM).status_code == 200


def test_with_polling_chosen_no_stream_is_opened(app, client_for, office):
    app.config["TELEPHONY_LIVE"] = "poll"
    aigul = client_for(office["aigul"])
    assert aigul.get(STREAM).status_code == 204
    assert 'data-stream-url=""' in aigul.get("/").get_data(as_text=True)


def test_the_stream_and_the_poll_are_for_logged_in_agents(client, client_for, office):
    assert client.get(STREAM).status_code in (302, 401)
    assert client.get("/telephony/live/poll").status_code in (302, 401)


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_redis_wakes_a_waiting_stream_with_news_from_another_request(app, client, client_for, office):
    # Without a wake the stream would only look again after its whole life, and end without it.
    app.config.update(TELEPHONY_REDIS_URL="redis://127.0.0.1:6379/0", TELEPHONY_STREAM_SECONDS=20,
                      TELEPHONY_STREAM_HEARTBEAT=60)
    response = client_for(office["aigul"]).get(STREAM, buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    threading.Timer(0.3, lambda: ring(app.test_client(), "r1")).start()
    assert b'"kind":"ring"' in next(chunks)
    response.close()


def test_a_page_that_left_frees_its_stream_for_the_next_at_the_next_heartbeat(make_app, make_user, client_for):
    import http.client

    from tests.browser.conftest import LiveServer

    app = make_app(TELEPHONY_STREAM_MAX=1, TELEPHONY_STREAM_HEARTBEAT=0.2, TELEPHONY_STREAM_SECONDS=60)
    agent = make_user("agent", app=app)
    cookie = client_for(agent, app=app).get_cookie("session")
    headers = {"Cookie": f"session={cookie.value}"}
    with LiveServer(app) as server:
        def open_stream():
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", STREAM, headers=headers)
            return connection, connection.getresponse()

        first, response = open_stream()
        assert response.status == 200 and response.read(6) == b"retry:"
        second, refused = open_stream()
        assert refused.status == 204  # the one stream of this process is taken
        second.close()
        response.close()  # the tab is closed
        first.close()
        for _attempt in range(100):  # until the server's next heartbeat finds the tab gone
            third, answer = open_stream()
            if answer.status == 200:
                break
            third.close()
            time.sleep(0.05)
        assert answer.status == 200
        third.close()
