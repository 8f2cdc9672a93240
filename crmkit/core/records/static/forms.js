/* Record forms that change with what is chosen, without a reload:
   - a field marked data-when="kind" data-when-values="call email" shows only while the form's
     "kind" holds one of those values (the server renders it hidden otherwise and ignores it on
     saving); the "change" button that re-renders the form for browsers without scripts is hidden;
   - a pair's picker (data-pair="about_entity") searches the entity chosen in its sibling select:
     choosing another entity clears the record and points the picker there.
   Markup: records/macros.html (field_input, picker). */
(function () {
  "use strict";

  function follow(form) {
    var dependents = form.querySelectorAll("[data-when]");
    var names = {};
    dependents.forEach(function (field) { names[field.dataset.when] = true; });
    Object.keys(names).forEach(function (name) {
      var control = form.elements[name];
      if (!control) return;
      function apply() {
        dependents.forEach(function (field) {
          if (field.dataset.when !== name) return;
          field.hidden = field.dataset.whenValues.split(" ").indexOf(control.value) < 0;
        });
      }
      control.addEventListener("change", apply);
      apply();
    });
    form.querySelectorAll("[data-form-change]").forEach(function (button) { button.hidden = true; });
  }

  function pair(box) {
    var form = box.closest("form");
    var select = form && form.elements[box.dataset.pair];
    if (!select) return;
    var hidden = box.querySelector("input[type=hidden]");
    var input = box.querySelector("[role=combobox]");
    function point() {
      box.dataset.picker = select.value ? box.dataset.pickerPattern.replace("__entity__", encodeURIComponent(select.value)) : "";
      input.disabled = !select.value;
    }
    select.addEventListener("change", function () {
      hidden.value = "";
      input.value = "";
      point();
    });
    point();
  }

  document.querySelectorAll("form").forEach(follow);
  document.querySelectorAll(".picker[data-pair]").forEach(pair);
})();
