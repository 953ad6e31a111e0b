// Behaviour that used to sit in onclick/onchange attributes: the Content-Security-Policy allows
// no inline script, so the pages mark elements with data- attributes and this file acts on them.
(function () {
  "use strict";
  // <button data-print>: print the page (the A4 lists and minutes).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
  // <select data-autosubmit>: submit its form as soon as the choice changes.
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
  // <input data-money>: an amount in đồng, grouped with "." as it is typed (36000000 → 36.000.000).
  // The caret stays after the same digit it followed, whatever dots were added or removed.
  function groupDigits(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }
  function formatMoney(input) {
    var value = input.value;
    var caret = input.selectionStart === null ? value.length : input.selectionStart;
    var digitsBefore = value.slice(0, caret).replace(/\D/g, "").length;
    var digits = value.replace(/\D/g, "").replace(/^0+(?=\d)/, "");
    var grouped = groupDigits(digits);
    if (grouped === value) {
      return;
    }
    input.value = grouped;
    var position = 0;
    for (var seen = 0; position < grouped.length && seen < digitsBefore; position++) {
      if (/\d/.test(grouped[position])) {
        seen++;
      }
    }
    if (document.activeElement === input) {
      input.setSelectionRange(position, position);
    }
  }
  document.addEventListener("input", function (event) {
    var input = event.target.closest && event.target.closest("input[data-money]");
    if (input) {
      formatMoney(input);
    }
  });
  function formatAll(root) {
    (root || document).querySelectorAll("input[data-money]").forEach(formatMoney);
  }
  document.addEventListener("DOMContentLoaded", function () {
    formatAll(document);
  });
  // Parts of a page replaced by htmx.
  document.addEventListener("htmx:afterSwap", function (event) {
    formatAll(event.target);
  });
})();
