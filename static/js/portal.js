// Small behaviours for the whole portal. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";
  // Selects marked .js-autosubmit submit their form when changed (language switcher, filters).
  document.querySelectorAll(".js-autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // Buttons and forms with data-confirm ask before they act.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    var event = el.tagName === "FORM" ? "submit" : "click";
    el.addEventListener(event, function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  // Print buttons.
  document.querySelectorAll(".js-print").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
})();
