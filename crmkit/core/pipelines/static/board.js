/* The kanban board (pipelines/board.html): move a card by dragging it to a column, or from the
   keyboard (focus the card, Enter or Space opens a menu of the stages, the arrow keys choose,
   Enter moves, Escape closes), and page a column with "show more" without leaving the board.
   A move POSTs the card's own no-JavaScript form (CSRF token, version, filters) with the chosen
   stage and asks for JSON: the server moves it through the workflow and answers with the card
   as it is now and every column's totals; 409 (someone moved it first) with the card as saved;
   422 with the reason. A lost column first asks for the reason, competitors and note in the
   <dialog id="board-lost">. Without this script every card keeps its stage select and button. */
(function () {
  "use strict";

  var board = document.querySelector("[data-board]");
  if (!board) return;
  var status = document.getElementById("board-status");
  var dialog = document.getElementById("board-lost");
  var dragged = null;
  var pending = null; // {card, column} waiting for the lost dialog
  var menu = null;

  board.classList.add("board-js");

  function say(message, failed) {
    status.textContent = message || "";
    status.classList.toggle("error", Boolean(failed));
  }

  function columnOf(stageId) {
    return board.querySelector('.board-column[data-stage="' + stageId + '"]');
  }

  function fromHtml(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content;
  }

  function placeCard(html, stageId, old) {
    var fresh = fromHtml(html).firstElementChild;
    var column = columnOf(stageId);
    if (old) old.remove();
    if (column && fresh) {
      var list = column.querySelector("[data-cards]");
      list.insertBefore(fresh, list.firstElementChild);
      return fresh;
    }
    return null;
  }

  function showTotals(columns) {
    Object.keys(columns || {}).forEach(function (stageId) {
      var column = columnOf(stageId);
      if (!column) return;
      var totals = columns[stageId];
      column.querySelector("[data-count]").textContent = totals.count;
      column.querySelector("[data-sum]").replaceChildren(fromHtml(totals.sum));
      column.querySelector("[data-weighted]").replaceChildren(fromHtml(totals.weighted));
    });
  }

  function move(card, column, extra) {
    var form = card.querySelector("form.card-move");
    if (!form || card.dataset.stage === column.dataset.stage) return Promise.resolve(false);
    var body = new FormData(form);
    body.set("stage_id", column.dataset.stage);
    body.set("version", card.dataset.version);
    if (extra) {
      extra.forEach(function (value, name) { body.append(name, value); });
    }
    card.classList.add("moving");
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": body.get("csrf_token") }
    }).then(function (response) {
      return response.json().then(function (answer) { return { code: response.status, answer: answer }; });
    }).then(function (result) {
      card.classList.remove("moving");
      var answer = result.answer;
      if (result.code === 200) {
        var placed = placeCard(answer.card, answer.stage_id, card);
        showTotals(answer.columns);
        say(answer.message, false);
        if (placed) placed.focus();
        return true;
      }
      if (result.code === 409) {
        var shown = placeCard(answer.card, answer.stage_id, card);
        if (shown) shown.focus();
      }
      say(answer.error || board.dataset.failed, true);
      return result.code === 422 ? answer.error || board.dataset.failed : false;
    }).catch(function () {
      card.classList.remove("moving");
      say(board.dataset.failed, true);
      return false;
    });
  }

  // where a card may go: a column that takes cards, other than its own
  function targetFor(card, column) {
    return column && column.hasAttribute("data-target") && column.dataset.stage !== card.dataset.stage;
  }

  // a lost column first asks why: the dialog's fields (reasons, competitors) come from the server
  function askOrMove(card, column) {
    var form = card.querySelector("form.card-move");
    if (column.dataset.kind !== "lost" || !dialog || !form) {
      move(card, column, null);
      return;
    }
    var url = form.action + "?part=fields&stage_id=" + encodeURIComponent(column.dataset.stage) +
      "&version=" + encodeURIComponent(card.dataset.version);
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        pending = { card: card, column: column };
        dialog.querySelector("[data-lost-fields]").replaceChildren(fromHtml(html));
        dialog.querySelector("[data-lost-error]").hidden = true;
        dialog.showModal();
      })
      .catch(function () { say(board.dataset.failed, true); });
  }

  // the lost dialog
  if (dialog) {
    var lostForm = dialog.querySelector("form");
    lostForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!pending) return;
      var fields = new FormData(lostForm);
      fields.delete("csrf_token");
      move(pending.card, pending.column, fields).then(function (done) {
        if (typeof done !== "string") {
          dialog.close();
          return;
        }
        var error = dialog.querySelector("[data-lost-error]");
        error.textContent = done;
        error.hidden = false;
      });
    });
    dialog.querySelector("[data-lost-cancel]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      if (pending && pending.card.isConnected) pending.card.focus();
      pending = null;
    });
  }

  // drag and drop
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
  });
  board.addEventListener("dragend", function () {
    dragged = null;
    board.querySelectorAll(".drop-here").forEach(function (c) { c.classList.remove("drop-here"); });
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest(".board-column");
    if (dragged && targetFor(dragged, column)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      column.classList.add("drop-here");
    }
  });
  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-here");
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest(".board-column");
    if (!dragged || !targetFor(dragged, column)) return;
    event.preventDefault();
    column.classList.remove("drop-here");
    var card = dragged;
    dragged = null;
    askOrMove(card, column);
  });

  // the keyboard: a menu of the stages
  function closeMenu(refocus) {
    if (!menu) return;
    var card = menu.card;
    menu.element.remove();
    menu = null;
    card.setAttribute("aria-expanded", "false");
    if (refocus && card.isConnected) card.focus();
  }

  function openMenu(card) {
    closeMenu(false);
    var list = document.createElement("ul");
    list.className = "board-menu";
    list.setAttribute("role", "menu");
    list.setAttribute("aria-label", board.dataset.menuLabel);
    board.querySelectorAll(".board-column[data-target]").forEach(function (column) {
      if (column.dataset.stage === card.dataset.stage) return;
      var item = document.createElement("li");
      item.setAttribute("role", "menuitem");
      item.tabIndex = -1;
      item.dataset.stage = column.dataset.stage;
      item.textContent = column.dataset.name;
      list.append(item);
    });
    if (!list.children.length) return;
    var box = card.getBoundingClientRect();
    list.style.left = window.scrollX + box.left + "px"; // CSSOM, which the CSP allows
    list.style.top = window.scrollY + box.bottom + "px";
    document.body.append(list);
    menu = { element: list, card: card };
    card.setAttribute("aria-expanded", "true");
    list.firstElementChild.focus();
  }

  function choose(item) {
    var card = menu.card;
    var column = columnOf(item.dataset.stage);
    closeMenu(true);
    if (column) askOrMove(card, column);
  }

  board.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!card.classList || !card.classList.contains("board-card") || !card.hasAttribute("draggable")) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      openMenu(card);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (!menu || !menu.element.contains(event.target)) return;
    var item = event.target;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = event.key === "ArrowDown" ? item.nextElementSibling || menu.element.firstElementChild
        : item.previousElementSibling || menu.element.lastElementChild;
      next.focus();
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      choose(item);
    } else if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      closeMenu(true);
    }
  });
  document.addEventListener("click", function (event) {
    if (!menu) return;
    var item = event.target.closest && event.target.closest(".board-menu [role=menuitem]");
    if (item) choose(item);
    else if (!menu.element.contains(event.target)) closeMenu(false);
  });

  // show more, in place
  board.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-more]");
    if (!link) return;
    event.preventDefault();
    var url = link.href + (link.href.indexOf("?") < 0 ? "?" : "&") + "part=cards";
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var part = fromHtml(html);
        var list = link.closest(".board-column").querySelector("[data-cards]");
        var next = part.querySelector("a[data-more]");
        part.querySelectorAll(".board-card").forEach(function (card) { list.append(card); });
        if (next) link.replaceWith(next);
        else link.remove();
      })
      .catch(function () { window.location.href = link.href; });
  });
})();
