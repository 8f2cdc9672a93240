/* The top bar's menus (templates/base.html) are <details> disclosures and work without this
   script. With it they behave as menus do: opening one closes the others, and a click elsewhere
   or Escape closes them (Escape gives the focus back to the menu's button). */
(function () {
  "use strict";

  var MENUS = ".topbar details";

  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll(MENUS + "[open]"));
  }

  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches(MENUS) || !opened.open) return;
    openMenus().forEach(function (menu) {
      if (menu !== opened && !menu.contains(opened)) menu.open = false;
    });
  }, true);

  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = openMenus();
    if (!open.length) return;
    var innermost = open[open.length - 1];
    innermost.open = false;
    innermost.querySelector("summary").focus();
  });
})();
