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
})();
