// The unsorted queue by keyboard: j and k move between leads, x selects the lead for the bulk
// actions, a accepts it, r puts the cursor on its rejection reason, c opens its conversion.
// The page works without this script: every action is a plain form.
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.lead-row")); }
  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("tr.lead-row") : null;
  }
  function focusRow(row) {
    if (!row) { return; }
    rows().forEach(function (r) { r.classList.remove("lead-current"); });
    row.classList.add("lead-current");
    row.focus();
  }
  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var all = rows();
    if (!all.length) { return; }
    var row = current();
    var index = row ? all.indexOf(row) : -1;
    var key = event.key;
    if (key === "j" || key === "k") {
      focusRow(all[Math.max(0, Math.min(all.length - 1, index + (key === "j" ? 1 : -1)))] || all[0]);
    } else if (row && key === "x") {
      var box = row.querySelector("input[type=checkbox]");
      box.checked = !box.checked;
    } else if (row && key === "a") {
      row.querySelector("[data-key=a]").click();
    } else if (row && key === "r") {
      row.querySelector("[data-key=r]").focus();
    } else if (row && key === "c") {
      row.querySelector("[data-key=c]").click();
    } else {
      return;
    }
    event.preventDefault();
  });
}());
