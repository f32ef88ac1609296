// The Django admin's periodic task form (django-celery-beat): under the crontab field, the
// chosen schedule in words, from the json_script "readable-crontabs". The package does this
// with an inline script; the portal's CSP forbids those, so it lives here.
(function () {
  "use strict";
  var source = document.getElementById("readable-crontabs");
  var select = document.getElementById("id_crontab");
  var help = document.querySelector(".field-crontab .help");
  if (!source || !select || !help) { return; }
  var readable = JSON.parse(source.textContent);
  var original = help.textContent;
  var translation = document.querySelector(".field-crontab_translation");
  if (translation) { translation.hidden = true; }
  function show() {
    var words = readable[select.value];
    help.textContent = words ? original + " — " + words : original;
  }
  select.addEventListener("change", show);
  show();
})();
