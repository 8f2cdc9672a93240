/* The "About objects" field (inventory): as one types a number, an address or a price after the
   last comma, suggestions come from GET <data-url>?q=... ({"results": [{"title", "description"}]});
   a click, or the arrow keys and Enter, put the chosen item's number in place of what was typed.
   Without this script the field is plain text the server reads (numbers separated by commas). */
(function () {
  "use strict";

  var DELAY_MS = 200;

  function setUp(input, config) {
    var list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "inventory-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.after(list);
    var results = [], active = -1, asked = 0, timer = null;

    function parts() {
      var value = input.value, cut = value.lastIndexOf(",");
      return {head: cut < 0 ? "" : value.slice(0, cut + 1) + " ", last: value.slice(cut + 1).trim()};
    }

    function close() {
      clearTimeout(timer);
      asked += 1;
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function choose(index) {
      var found = results[index];
      if (!found) return;
      input.value = parts().head + found.title + ", ";
      close();
      input.focus();
    }

    function show(found) {
      results = found;
      list.replaceChildren();
      found.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.textContent = item.description ? item.title + " — " + item.description : item.title;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(index);
        });
        list.append(option);
      });
      active = -1;
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", String(found.length > 0));
    }

    function ask() {
      var text = parts().last, mine = ++asked;
      if (!text) { close(); return; }
      fetch(config.dataset.url + "?q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
        .then(function (answer) { return answer.ok ? answer.json() : {results: []}; })
        .then(function (data) { if (mine === asked) show(data.results || []); })
        .catch(function () { if (mine === asked) close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : results.length - 1)) % results.length;
        list.querySelectorAll("[role=option]").forEach(function (option, index) {
          option.setAttribute("aria-selected", String(index === active));
        });
        input.setAttribute("aria-activedescendant", list.id + "-" + active);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var config = document.getElementById("inventory-picker");
    if (!config) return;
    document.querySelectorAll("input[name='inventory.items']").forEach(function (input) {
      setUp(input, config);
    });
  });
})();
