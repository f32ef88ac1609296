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

// Activity form: a search box above a long multi-select (the named constituents) that hides
// the options not matching; chosen options always stay visible.
(function () {
  "use strict";
  document.querySelectorAll("select[data-option-search]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.getAttribute("data-search-placeholder") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(select.options, function (option) {
        var text = option.text.toLowerCase();
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !(match || option.selected);
      });
    });
  });
})();
