// The QR page: once a phone number is typed, it is shown back masked (138****5678), as the
// portal shows it everywhere but to staff; the number itself is sent only with the form.
(function () {
  "use strict";
  var input = document.querySelector("input[name=phone]");
  var note = document.querySelector(".js-phone-mask");
  if (!input || !note) { return; }
  function show() {
    var digits = input.value.replace(/\D/g, "");
    if (digits.indexOf("86") === 0 && digits.length === 13) { digits = digits.slice(2); }
    if (digits.length < 8) { note.hidden = true; return; }
    note.textContent = note.dataset.label.replace("{phone}",
      digits.slice(0, 3) + "*".repeat(digits.length - 7) + digits.slice(-4));
    note.hidden = false;
  }
  input.addEventListener("blur", show);
  show();
})();
