// Step forms: a field marked data-applies-to="refund ..." is shown only while one of those outcomes is
// chosen; hidden, it is disabled and emptied, its value kept to come back with the outcome it applies to
// (the server ignores it either way).
(function () {
  "use strict";

  function update(form) {
    var chosen = form.querySelector('input[name="outcome"]:checked');
    var outcome = chosen ? chosen.value : "";
    form.querySelectorAll("[data-applies-to]").forEach(function (input) {
      var applies = Boolean(outcome) && input.dataset.appliesTo.split(" ").indexOf(outcome) >= 0;
      var row = input.closest(".form-row") || input;
      row.hidden = Boolean(outcome) && !applies;
      input.disabled = row.hidden;
      if (row.hidden && input.value) {
        input.dataset.kept = input.value;
        input.value = "";
      } else if (!row.hidden && !input.value && input.dataset.kept) {
        input.value = input.dataset.kept;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector('input[name="outcome"]') || !form.querySelector("[data-applies-to]")) {
        return;
      }
      form.addEventListener("change", function (event) {
        if (event.target.name === "outcome") {
          update(form);
        }
      });
      update(form);
    });
  });
})();
