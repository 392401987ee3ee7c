// Forms that follow a choice: an input marked data-applies-with="outcome" data-applies-to="refund ..." is
// shown only while the radio button "outcome" has one of those values; hidden, it is disabled and emptied,
// its value kept to come back with the choice it applies to (the server ignores it either way).
(function () {
  "use strict";

  function update(form, choice) {
    var chosen = form.querySelector('input[name="' + choice + '"]:checked');
    var value = chosen ? chosen.value : "";
    form.querySelectorAll('[data-applies-with="' + choice + '"]').forEach(function (input) {
      var applies = Boolean(value) && input.dataset.appliesTo.split(" ").indexOf(value) >= 0;
      var row = input.closest(".form-row") || input;
      row.hidden = Boolean(value) && !applies;
      input.disabled = row.hidden;
      if (input.type === "checkbox") {
        return;
      }
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
      var choices = [];
      form.querySelectorAll("[data-applies-with]").forEach(function (input) {
        if (choices.indexOf(input.dataset.appliesWith) < 0) {
          choices.push(input.dataset.appliesWith);
        }
      });
      choices.forEach(function (choice) {
        form.addEventListener("change", function (event) {
          if (event.target.name === choice) {
            update(form, choice);
          }
        });
        update(form, choice);
      });
    });
  });
})();
