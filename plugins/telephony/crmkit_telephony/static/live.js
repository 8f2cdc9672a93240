/* Incoming-call cards (telephony/live.html, on every page of an agent). News of the user's calls
   comes by Server-Sent Events from data-stream-url (the server ends each stream after a while and
   the browser reconnects with the last event's id); without EventSource, when the server declines a
   stream (204) or after repeated failures, the page polls data-poll-url every data-poll-seconds.
   A "ring" fetches the card from the server and shows it; "answered" by a colleague or "ended"
   closes it, unless the agent is writing the outcome, which they can still send. */
(function () {
  "use strict";

  var region = document.querySelector(".tel-live");
  if (!region) return;
  var cards = region.querySelector(".tel-live-cards");
  var status = region.querySelector(".tel-live-status");
  var seen = {};
  var latest = {};  // call id -> the last kind heard, for news that arrives before its card
  var cursor = null;
  var polling = false;

  function say(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function cardOf(call) { return cards.querySelector('.tel-card[data-call="' + call + '"]'); }

  function busy(card) {
    var note = card.querySelector("textarea");
    return note && (note.value.trim() !== "" || document.activeElement === note);
  }

  function setState(card, kind) {
    var key = kind === "ring" ? "ringing" : kind;
    card.dataset.state = key;
    var label = card.querySelector(".tel-card-state");
    if (label && region.dataset["text" + key.charAt(0).toUpperCase() + key.slice(1)]) {
      label.textContent = region.dataset["text" + key.charAt(0).toUpperCase() + key.slice(1)];
    }
  }

  function settle(call, kind) {
    var card = cardOf(call);
    if (!card) return;
    if (kind === "elsewhere" || (kind === "ended" && !busy(card))) {
      card.remove();
    } else {
      setState(card, kind);
    }
    say(region.dataset["text" + kind.charAt(0).toUpperCase() + kind.slice(1)] || "");
  }

  function wire(card) {
    var close = card.querySelector(".tel-card-close");
    if (close) close.addEventListener("click", function () { card.remove(); });
    var form = card.querySelector("form.tel-note");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var result = form.querySelector(".tel-note-result");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                           headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          result.textContent = (answer.body && answer.body.message) || region.dataset.textError;
          result.classList.toggle("tel-error", !answer.ok);
          if (answer.ok && card.dataset.state === "ended") window.setTimeout(function () { card.remove(); }, 4000);
        })
        .catch(function () { result.textContent = region.dataset.textError; result.classList.add("tel-error"); })
        .then(function () { button.disabled = false; });
    });
  }

  function ring(event) {
    if (cardOf(event.call)) return;
    fetch(event.card, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var after = latest[event.call];
        if (!html || cardOf(event.call) || after === "ended" || after === "elsewhere") return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var card = holder.querySelector(".tel-card");
        if (!card) return;
        cards.prepend(card);
        wire(card);
        if (after === "answered") setState(card, "answered");
        say(card.dataset.announce || region.dataset.textRinging);
      })
      .catch(function () { /* the next news or a reload shows it */ });
  }

  function handle(event) {
    if (seen[event.id]) return;
    seen[event.id] = true;
    var kind = event.kind === "answered" && event.elsewhere ? "elsewhere" : event.kind;
    latest[event.call] = kind;
    if (kind === "ring") ring(event); else settle(event.call, kind);
  }

  function poll() {
    var url = region.dataset.pollUrl + (cursor === null ? "" : "?after=" + encodeURIComponent(cursor));
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) return;
        answer.events.forEach(handle);
        cursor = answer.cursor;
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () {
        var seconds = Math.max(0.2, Number(region.dataset.pollSeconds) || 3);
        window.setTimeout(poll, seconds * 1000);
      });
  }

  function startPolling() {
    if (polling) return;
    polling = true;
    region.dataset.mode = "poll";
    poll();
  }

  function listen() {
    var url = region.dataset.streamUrl;
    if (!url || !window.EventSource) { startPolling(); return; }
    var failures = 0;
    var source = new EventSource(url, { withCredentials: true });
    source.onopen = function () { failures = 0; region.dataset.mode = "stream"; };
    source.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      cursor = event.id;
      handle(event);
    };
    source.onerror = function () {
      failures += 1;  // a stream the server ended reconnects by itself; a refused one is CLOSED
      if (source.readyState === EventSource.CLOSED || failures > 3) {
        source.close();
        startPolling();
      }
    };
  }

  listen();
})();
