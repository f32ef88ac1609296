// Search-as-you-type pickers (members.common.widgets.LookupSelect): a <select> rendered
// with only its selected option(s) and a data-lookup-url becomes a Tom Select that asks the
// portal for at most ~20 matches of what is typed. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  if (typeof window.TomSelect === "undefined" || !window.fetch) { return; }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function load(url) {
    return function (query, callback) {
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      window.fetch(url + sep + "q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { callback(data.results); })
        .catch(function () { callback(); });
    };
  }

  document.querySelectorAll("select[data-lookup-url]").forEach(function (select) {
    var noResults = select.getAttribute("data-no-results") || "";
    var options = {
      valueField: "value",
      labelField: "text",
      searchField: ["text"],
      // The portal has matched already (a phone number is not in the label): keep its order.
      score: function () { return function () { return 1; }; },
      maxOptions: 20,
      loadThrottle: 250,
      allowEmptyOption: true,
      placeholder: select.getAttribute("data-placeholder") || "",
      shouldLoad: function (query) { return query.trim().length > 0; },
      load: load(select.getAttribute("data-lookup-url")),
      render: {
        option: function (item, escape) {
          var hint = item.hint ? " <small class=\"text-secondary\">" + escape(item.hint) + "</small>" : "";
          return "<div>" + escape(item.text) + hint + "</div>";
        },
        no_results: function () {
          return "<div class=\"no-results\">" + escapeHtml(noResults) + "</div>";
        }
      }
    };
    options.plugins = select.multiple ? ["remove_button"] : ["clear_button"];
    // Tom Select fires "change" on the select itself: portal.js's .js-autosubmit still submits.
    new window.TomSelect(select, options);
    // Tom Select points the field's <label> at its own input and keeps the <select>, hidden
    // but still read by assistive technology, without a name: name it by the same label.
    var label = document.getElementById(select.id + "-ts-label");
    if (select.id && label) { select.setAttribute("aria-labelledby", label.id); }
  });
})();
