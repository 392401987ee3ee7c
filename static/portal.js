// Progressive help on the portal's forms. Every form works without this file.
(function () {
  "use strict";

  // Focus the error summary after a failed submit, so screen readers announce it.
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary && !document.querySelector("[autofocus]")) {
      summary.focus();
    }
  }

  // A second click while the first submit is on its way does nothing.
  function preventDoubleSubmit() {
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitting === "1") {
          event.preventDefault();
          return;
        }
        form.dataset.submitting = "1";
        window.setTimeout(function () { form.dataset.submitting = ""; }, 8000);
      });
    });
  }

  function showHint(form, fieldName, message) {
    var hint = form.querySelector('[data-hint-for="' + fieldName + '"]');
    var input = form.querySelector('input[name="' + fieldName + '"]');
    if (!hint || !input) {
      return;
    }
    var failing = Boolean(message) && !input.checked;
    hint.textContent = failing ? message : "";
    hint.hidden = !failing;
    if (failing) {
      input.setAttribute("aria-describedby", hint.id);
    }
  }

  // Returns: say, for the chosen reason, who pays shipping, whether photos are
  // needed, and which unticked statement stops the return (R2–R4, R6, RP2).
  function returnForm(form) {
    var rules = {};
    document.querySelectorAll("#reason-rules [data-reason]").forEach(function (element) {
      var problems = {};
      element.querySelectorAll("[data-field]").forEach(function (problem) {
        problems[problem.dataset.field] = problem.textContent;
      });
      rules[element.dataset.reason] = {
        payer: element.dataset.payer,
        photosRequired: element.dataset.photosRequired === "true",
        problems: problems,
      };
    });
    var summary = form.querySelector(".reason-summary");
    var fields = Array.prototype.map.call(form.querySelectorAll("[data-hint-for]"), function (hint) {
      return hint.dataset.hintFor;
    });

    function update(touched) {
      var chosen = form.querySelector('input[name="return_reason"]:checked');
      var rule = chosen ? rules[chosen.value] : null;
      form.querySelectorAll("[data-guide-for]").forEach(function (item) {
        item.classList.toggle("fw-semibold", Boolean(chosen) && item.dataset.guideFor === chosen.value);
      });
      if (summary) {
        summary.textContent = rule
          ? summary.dataset.template.replace("%(payer)s", rule.payer) +
            " " + (rule.photosRequired ? summary.dataset.photosRequired : summary.dataset.photosOptional)
          : "";
      }
      fields.forEach(function (fieldName) {
        if (touched[fieldName] || touched.reason) {
          showHint(form, fieldName, rule ? rule.problems[fieldName] : "");
        }
      });
    }

    var touched = {};
    form.addEventListener("change", function (event) {
      var name = event.target.name;
      if (name === "return_reason") {
        touched.reason = true;
      } else if (fields.indexOf(name) >= 0) {
        touched[name] = true;
      }
      update(touched);
    });
    update(touched);
  }

  // Warranty: the W4 and W5 statements are always required.
  function warrantyForm(form) {
    var problems = {};
    document.querySelectorAll("#declaration-rules [data-field]").forEach(function (problem) {
      problems[problem.dataset.field] = problem.textContent;
    });
    form.addEventListener("change", function (event) {
      if (problems[event.target.name] !== undefined) {
        showHint(form, event.target.name, problems[event.target.name]);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    preventDoubleSubmit();
    var returns = document.querySelector('[data-claim-form="return"]');
    if (returns) {
      returnForm(returns);
    }
    var warranty = document.querySelector('[data-claim-form="warranty"]');
    if (warranty) {
      warrantyForm(warranty);
    }
  });
})();
