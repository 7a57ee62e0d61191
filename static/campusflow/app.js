// campusflow behaviour: no inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";
  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  onReady(function () {
    // Selects that submit their form on change (role switcher, language).
    document.querySelectorAll("select.cf-autosubmit").forEach(function (el) {
      el.addEventListener("change", function () { if (el.form) { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); } });
    });
    // Buttons that ask before a destructive action: data-confirm="…".
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
      if (question && !window.confirm(question)) { event.preventDefault(); return; }
      // A double click submits once (the server also refuses a reused form token).
      if (form.dataset.submitted === "1") { event.preventDefault(); return; }
      if (form.method.toLowerCase() === "post" && !form.hasAttribute("data-allow-resubmit")) {
        form.dataset.submitted = "1";
        setTimeout(function () { form.dataset.submitted = ""; }, 4000);
      }
    });
    // "Select all" checkboxes for batch actions.
    document.querySelectorAll("input[data-check-all]").forEach(function (master) {
      master.addEventListener("change", function () {
        document.querySelectorAll("input[name='" + master.dataset.checkAll + "']").forEach(function (box) { box.checked = master.checked; });
      });
    });
  });
})();
