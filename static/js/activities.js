// Activities: the platform page loads the platform's activities and consultations section.
(function () {
  "use strict";
  document.querySelectorAll("[data-platform-events]").forEach(function (el) {
    fetch(el.getAttribute("data-platform-events"), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { el.innerHTML = html; })
      .catch(function () { /* the link inside the placeholder stays usable */ });
  });
})();
