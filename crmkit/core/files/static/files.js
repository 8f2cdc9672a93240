// Attachments panel: upload with progress (XHR), drag to reorder, the viewer as a dialog.
// Everything here has a no-script fallback in the markup (plain form, up/down buttons, a page).
(function () {
  "use strict";

  function csrf(form) {
    var input = form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function upload(form) {
    var progress = form.querySelector(".attachment-progress");
    var error = form.querySelector(".attachment-error");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrf(form));
      progress.hidden = false;
      progress.value = 0;
      error.hidden = true;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { progress.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 201) {
          progress.value = 100;
          window.location.hash = "attachments";
          window.location.reload();
          return;
        }
        var message = xhr.statusText;
        try { message = JSON.parse(xhr.responseText).error.message; } catch (ignored) { /* keep statusText */ }
        progress.hidden = true;
        error.textContent = message;
        error.hidden = false;
      });
      xhr.addEventListener("error", function () {
        progress.hidden = true;
        error.textContent = form.dataset.failed || "Upload failed";
        error.hidden = false;
      });
      xhr.send(new FormData(form));
    });
  }

  function reorder(list) {
    var dragged = null;
    var form = list.closest(".attachments").querySelector(".attachment-tools form");
    list.addEventListener("dragstart", function (e) {
      dragged = e.target.closest("li.attachment");
      if (dragged) { dragged.classList.add("dragging"); e.dataTransfer.effectAllowed = "move"; }
    });
    list.addEventListener("dragover", function (e) {
      var over = e.target.closest("li.attachment");
      if (!dragged || !over || over === dragged) { return; }
      e.preventDefault();
      var box = over.getBoundingClientRect();
      var after = (e.clientY - box.top) > box.height / 2 || (e.clientX - box.left) > box.width / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("dragend", function () {
      if (!dragged) { return; }
      dragged.classList.remove("dragging");
      dragged = null;
      var ids = Array.prototype.map.call(list.querySelectorAll("li.attachment"), function (li) { return li.dataset.id; });
      var body = new FormData();
      body.append("ids", ids.join(","));
      body.append("kind", list.dataset.kind);
      fetch(list.dataset.orderUrl, {method: "POST", body: body, credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": form ? csrf(form) : ""}})
        .then(function (response) { if (!response.ok) { window.location.reload(); } });
    });
  }

  function viewer(root) {
    var dialog = root.parentNode.querySelector("dialog.attachment-viewer");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var image = dialog.querySelector("img");
    var caption = dialog.querySelector("figcaption");
    var download = dialog.querySelector(".viewer-download");
    var links = [];
    var current = 0;
    function show(index) {
      current = (index + links.length) % links.length;
      var link = links[current];
      image.src = link.dataset.full;
      image.alt = link.title;
      caption.textContent = link.title + " · " + (current + 1) + " / " + links.length;
      download.href = link.dataset.download;
    }
    root.querySelectorAll("a.attachment-open[data-full]").forEach(function (link) {
      links.push(link);
      link.addEventListener("click", function (e) {
        e.preventDefault();
        show(links.indexOf(link));
        dialog.showModal();
      });
    });
    dialog.querySelector(".viewer-previous").addEventListener("click", function () { show(current - 1); });
    dialog.querySelector(".viewer-next").addEventListener("click", function () { show(current + 1); });
    dialog.querySelector(".viewer-close").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("keydown", function (e) {
      if (e.key === "ArrowLeft") { show(current - 1); }
      if (e.key === "ArrowRight") { show(current + 1); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".attachments").forEach(function (root) {
      var form = root.querySelector("form.attachment-upload");
      if (form && window.FormData && window.XMLHttpRequest) { upload(form); }
      root.querySelectorAll("ol.attachment-list[data-order-url]").forEach(reorder);
      root.querySelectorAll("form.attachment-delete").forEach(function (del) {
        del.addEventListener("submit", function (e) { if (!window.confirm(del.dataset.confirm)) { e.preventDefault(); } });
      });
      viewer(root);
    });
  });
}());
