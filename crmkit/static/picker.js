/* The record picker: a link field's text box suggests the records it finds as one types, from
   GET <data-picker>?q=... ({"results": [{"id", "title"}]}); the arrow keys and Enter, or a click,
   choose one and put its id in the hidden input beside the box. Typing again clears that id.
   Markup: the `picker` macro in records/macros.html, an ARIA 1.2 combobox with a listbox popup.
   Without this script the form still works: the server looks the typed text up. */
(function () {
  "use strict";

  var DELAY_MS = 200; // typing pauses this long before the server is asked

  function setUp(box) {
    var hidden = box.querySelector("input[type=hidden]");
    var input = box.querySelector("[role=combobox]");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[role=status]");
    var results = [];
    var active = -1;
    var asked = 0; // answers to older questions are dropped
    var timer = null;

    function close() {
      clearTimeout(timer);
      asked += 1;
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function show(found) {
      results = found;
      list.replaceChildren();
      found.forEach(function (record, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = record.title;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          choose(index);
        });
        list.append(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      status.textContent = found.length ? "" : box.dataset.empty;
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", String(found.length > 0));
    }

    function ask() {
      var question = ++asked;
      var url = box.dataset.picker + "?q=" + encodeURIComponent(input.value.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json(); // a login page instead (session ended) fails here too
        })
        .then(function (body) {
          if (question === asked) show(body.results || []);
        })
        .catch(function () {
          if (question === asked) close();
        });
    }

    function highlight(index) {
      var options = list.children;
      active = (index + options.length) % options.length;
      Array.prototype.forEach.call(options, function (option, at) {
        option.setAttribute("aria-selected", String(at === active));
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var record = results[index];
      input.value = record.title;
      hidden.value = record.id;
      status.textContent = "";
      close();
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      if (input.value.trim() === "") {
        close();
        status.textContent = "";
        return;
      }
      timer = setTimeout(ask, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) highlight(active + 1);
        else ask(); // with nothing typed: the newest records
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active < 0 ? -1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // choosing, not sending the form
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", close);
  }

  document.querySelectorAll(".picker[data-picker]").forEach(setUp);
})();
