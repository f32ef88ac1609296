// Similar proposals while a proposal is written: the title, reasons and suggestions are
// posted to the portal (proposals:similar-lookup) a moment after typing stops, and the list
// it renders replaces the box's contents. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  var box = document.querySelector("[data-similar-url]");
  if (!box || !window.fetch || !window.FormData) { return; }
  var form = document.getElementById(box.getAttribute("data-similar-form"));
  var results = box.querySelector(".js-similar-results");
  if (!form || !results) { return; }
  var FIELDS = ["title", "reasons", "suggestions"];
  var DELAY = 400; // ms after the last keystroke
  var timer = null;
  var pending = null;
  var asked = "";

  function value(name) {
    var el = form.elements[name];
    return el && el.value ? el.value : "";
  }

  function ask() {
    var key = FIELDS.map(value).join("\u0000");
    if (key === asked || !(value("title").trim() || value("reasons").trim())) { return; }
    asked = key;
    if (pending) { pending.abort(); }
    pending = window.AbortController ? new window.AbortController() : null;
    var data = new window.FormData();
    FIELDS.forEach(function (name) { data.append(name, value(name)); });
    data.append("proposal", box.getAttribute("data-proposal") || "");
    box.setAttribute("aria-busy", "true");
    window.fetch(box.getAttribute("data-similar-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": value("csrfmiddlewaretoken") },
      body: data,
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null) { results.innerHTML = html; }
        box.removeAttribute("aria-busy");
      })
      .catch(function () { box.removeAttribute("aria-busy"); });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DELAY);
  }

  FIELDS.forEach(function (name) {
    var el = form.elements[name];
    if (el) { el.addEventListener("input", later); }
  });
  // Saving the form: no more asking (a request the page leaves behind is wasted work).
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
    asked = FIELDS.map(value).join("\u0000");
    if (pending) { pending.abort(); }
  });
  ask(); // a draft being edited has its text already
})();
