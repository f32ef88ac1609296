// The contact-log form: filter my roster as I type, keep ticked people at the top, and
// show "kind of difficulty" only when the difficulty box is ticked.
(function () {
  "use strict";
  var roster = document.querySelector(".js-roster");
  var filter = document.querySelector(".js-roster-filter");
  if (roster) {
    // People ticked in advance (?constituent=…) come first, where the thumb is.
    Array.prototype.slice.call(roster.querySelectorAll("input:checked")).reverse()
      .forEach(function (box) { roster.insertBefore(box.closest("label"), roster.firstChild); });
  }
  if (roster && filter) {
    filter.addEventListener("input", function () {
      var text = filter.value.trim().toLowerCase();
      roster.querySelectorAll("label[data-search]").forEach(function (label) {
        var match = !text || label.getAttribute("data-search").toLowerCase().indexOf(text) !== -1;
        label.classList.toggle("d-none", !match && !label.querySelector("input").checked);
      });
    });
    // Enter in the filter must not submit the whole form.
    filter.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
  }
  var difficulty = document.querySelector(".js-difficulty");
  var kind = document.querySelector(".js-difficulty-kind");
  if (difficulty && kind) {
    var sync = function () { kind.classList.toggle("d-none", !difficulty.checked); };
    difficulty.addEventListener("change", sync);
    sync();
  }
  // The platform is asked only when the contact was at a platform (or when it has an error).
  var platform = document.querySelector(".js-platform");
  var modes = document.querySelectorAll(".js-mode");
  if (platform && modes.length && !platform.querySelector(".is-invalid")) {
    var syncPlatform = function () {
      var chosen = document.querySelector(".js-mode:checked");
      platform.classList.toggle("d-none", !chosen || chosen.value !== "platform");
    };
    modes.forEach(function (m) { m.addEventListener("change", syncPlatform); });
    syncPlatform();
  }
})();

// A new contact's time is now, by this device's clock: the page may have been kept on the
// device (for use without a signal) since long before. After a contact is queued offline the
// form is emptied (static/js/pwa.js) and made ready for the next one.
(function () {
  "use strict";
  var form = document.querySelector("form[data-fresh]");
  var when = form && form.querySelector(".js-contacted-at input");
  if (!when) { return; }
  var zone = form.querySelector(".js-contacted-at").getAttribute("data-time-zone") || undefined;
  function now() {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }
  when.value = now();
  form.addEventListener("contact-form-reset", function () {
    when.value = now();
    form.querySelectorAll(".js-difficulty, .js-mode, .js-roster-filter").forEach(function (el) {
      if (el.classList.contains("js-roster-filter")) { el.dispatchEvent(new Event("input")); return; }
      el.dispatchEvent(new Event("change"));
    });
  });
})();
