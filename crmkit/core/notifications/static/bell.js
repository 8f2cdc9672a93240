/* The bell in the top bar (notifications/bell.html). Without this script it is a link to the
   notifications page. With it, a click opens a dropdown of the latest notifications (a fragment
   the server renders, GET data-latest-url), and the unread count is refreshed from
   data-count-url ({"unread": n}) every data-poll-seconds (a minute by default) while the page is
   visible, and when it becomes visible again. Escape or a click elsewhere closes the dropdown. */
(function () {
  "use strict";

  function setUp(bell) {
    var link = bell.querySelector(".bell-link");
    var badge = bell.querySelector(".bell-count");
    var menu = bell.querySelector(".bell-menu");
    var timer = null;
    var pollMs = Math.max(1, Number(bell.dataset.pollSeconds) || 60) * 1000;

    function showCount(unread) {
      var shown = unread > 99 ? "99+" : String(unread);  // the server counts up to 100
      badge.textContent = shown;
      badge.hidden = unread === 0;
      link.setAttribute("aria-label", link.dataset.labelPattern.replace("{n}", shown));
    }

    function refresh() {
      fetch(bell.dataset.countUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { if (answer && typeof answer.unread === "number") showCount(answer.unread); })
        .catch(function () { /* offline for a moment: the next poll tries again */ });
    }

    function schedule() {
      clearInterval(timer);
      timer = document.hidden ? null : setInterval(refresh, pollMs);
    }

    function close() {
      menu.hidden = true;
      link.setAttribute("aria-expanded", "false");
    }

    function open() {
      fetch(bell.dataset.latestUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          menu.innerHTML = html; // rendered and escaped by the server, same origin
          menu.hidden = false;
          link.setAttribute("aria-expanded", "true");
        })
        .catch(function () { window.location.href = link.href; });
    }

    link.setAttribute("aria-expanded", "false");
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      if (menu.hidden) open(); else close();
    });
    document.addEventListener("click", function (event) {
      if (!menu.hidden && !bell.contains(event.target)) close();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !menu.hidden) { close(); link.focus(); }
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) refresh();
      schedule();
    });
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".bell[data-count-url]"), setUp);
  });
})();
