// The member app on the page (with static/js/pwa-queue.js and the service worker,
// templates/pwa/sw.js):
// - registers the worker and has it keep the member's home, roster and contact form current;
// - without a signal, the contact form puts the contact in the device's queue (photos resized
//   here first) instead of posting it, and the page says what is waiting;
// - the queue is sent when the page loads online, when the connection comes back, and by the
//   worker (Background Sync) — only the logged-in user's own contacts;
// - logging out clears what the device keeps of the user (cached pages, queued contacts);
//   another login on the device finds nothing of the last one's.
(function () {
  "use strict";
  var body = document.body;
  var Queue = window.PortalQueue;
  if (!Queue || !("serviceWorker" in navigator) || !window.indexedDB || !window.caches) { return; }
  var userId = body.getAttribute("data-user") || "";
  var memberId = body.getAttribute("data-pwa-user") || "";  // the login's id, set for members only
  var panel = document.getElementById("pwa-queue");
  var MAX_SIDE = 1600;  // photos are sent at most this many pixels on their longer side
  var MAX_PHOTOS = 6;
  var WARM_EVERY = 15 * 60 * 1000;
  Queue.configure({ syncUrl: body.getAttribute("data-pwa-sync") || "" });

  function text(name) { return panel ? panel.getAttribute("data-msg-" + name) || "" : ""; }

  function clearDevice(owner) {
    var jobs = [window.caches.delete(Queue.PAGES_CACHE), Queue.setMeta("owner", null),
      Queue.setMeta("warmed", null)];
    if (owner) { jobs.push(Queue.clearOwner(owner)); }
    return Promise.all(jobs);
  }

  // Logout: send what can be sent; what cannot is lost with the logout, so ask first.
  document.querySelectorAll(".js-logout").forEach(function (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      var sending = memberId && navigator.onLine ? Queue.flush() : Promise.resolve();
      sending.catch(function () {}).then(function () {
        return memberId ? Queue.list(memberId) : [];
      }).then(function (left) {
        if (left.length && !window.confirm(logout.getAttribute("data-pwa-confirm")
            .replace("{n}", left.length))) {
          return;
        }
        return clearDevice(memberId).catch(function () {}).then(function () { logout.submit(); });
      });
    });
  });

  // Another login on this device: nothing of the previous one's pages stays.
  var ownerChecked = !userId ? Promise.resolve() : Queue.getMeta("owner").then(function (owner) {
    if (owner === userId) { return; }
    return window.caches.delete(Queue.PAGES_CACHE).then(function () {
      return Queue.setMeta("owner", userId);
    });
  }).catch(function () {});
  if (!memberId) { return; }

  // --- the worker ---------------------------------------------------------------------------
  var ready = navigator.serviceWorker.register(body.getAttribute("data-pwa-worker"), { scope: "/" })
    .then(function () { return navigator.serviceWorker.ready; });
  // The kept pages follow the member's visits; all three are fetched afresh at most every
  // WARM_EVERY (and at once for a new login), not at every page.
  Promise.all([ready, ownerChecked]).then(function (done) {
    var registration = done[0];
    return Queue.getMeta("warmed").then(function (warmed) {
      var stale = !warmed || warmed.user !== memberId || Date.now() - warmed.at > WARM_EVERY;
      if (stale && navigator.onLine && registration.active) {
        registration.active.postMessage({ type: "warm" });
        return Queue.setMeta("warmed", { user: memberId, at: Date.now() });
      }
    });
  }).catch(function () {});  // no worker (an untrusted certificate): the pages work online as ever
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "flushed") { reportSent(event.data.result); show(); }
  });

  // --- what is waiting ----------------------------------------------------------------------
  function when(value) { return (value || "").replace("T", " "); }

  function entry(item) {
    var li = document.createElement("li");
    li.className = "list-group-item";
    li.setAttribute("data-testid", "queued-contact");
    var head = document.createElement("div");
    head.className = "fw-semibold";
    head.textContent = item.names.join("、") + " · " + when(item.contacted_at);
    li.appendChild(head);
    var detail = document.createElement("small");
    detail.className = "text-secondary d-block";
    detail.textContent = item.summary + (item.photos.length
      ? " · " + text("photos").replace("{n}", item.photos.length) : "");
    li.appendChild(detail);
    if (item.state === "refused") {
      li.classList.add("list-group-item-danger");
      li.setAttribute("data-testid", "refused-contact");
      var reasons = document.createElement("div");
      reasons.className = "small";
      var gone = (item.gone || []).map(function (pk) { return item.people[pk]; }).filter(Boolean);
      var lines = item.reasons.map(function (r) { return (r.field ? r.field + "：" : "") + r.message; });
      if (gone.length) { lines.push(text("gone") + gone.join("、")); }
      reasons.textContent = text("refused") + lines.join("；");
      li.appendChild(reasons);
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "btn btn-sm btn-outline-danger mt-1";
      drop.textContent = text("drop");
      drop.addEventListener("click", function () {
        if (window.confirm(text("drop-confirm"))) { Queue.remove(item.key).then(show); }
      });
      li.appendChild(drop);
    }
    return li;
  }

  function show() {
    if (!panel) { return Promise.resolve(); }
    return Queue.list(memberId).then(function (items) {
      var waiting = items.filter(function (item) { return item.state === "waiting"; }).length;
      var refused = items.length - waiting;
      panel.hidden = items.length === 0;
      var summary = panel.querySelector(".js-pwa-summary");
      var parts = [];
      if (waiting) { parts.push(text("waiting").replace("{n}", waiting)); }
      if (refused) { parts.push(text("refused-count").replace("{n}", refused)); }
      summary.textContent = parts.join(" ");
      var list = panel.querySelector(".js-pwa-list");
      list.replaceChildren.apply(list, items.map(entry));
      panel.querySelector(".js-pwa-send").hidden = !waiting || !navigator.onLine;
    });
  }

  // Sends what waits (nothing waiting: no request at all).
  function send() {
    if (!navigator.onLine) { return show(); }
    return Queue.list(memberId).then(function (items) {
      var waiting = items.some(function (item) { return item.state === "waiting"; });
      return waiting ? Queue.flush().then(reportSent) : null;
    }).catch(function () {}).then(show);
  }

  // Sent by this page or by the worker: the page says how many.
  function reportSent(result) {
    var done = document.querySelector(".js-pwa-done");
    if (result && result.sent && done) {
      done.textContent = text("sent").replace("{n}", result.sent);
      done.hidden = false;
    }
  }

  if (panel) {
    panel.querySelector(".js-pwa-send").addEventListener("click", send);
  }
  window.addEventListener("online", send);
  window.addEventListener("offline", show);
  send();

  // --- the contact form without a signal ---------------------------------------------------
  var contactForm = document.querySelector("form.js-offline-contact");
  if (!contactForm) { return; }

  function resized(file) {
    if (!window.createImageBitmap) { return Promise.resolve(file); }
    return window.createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }, function () { return file; });  // not a picture: the portal says so when it arrives
  }

  function fail(message) {
    var alert = contactForm.querySelector(".js-offline-error");
    alert.textContent = message;
    alert.hidden = !message;
    if (message) { alert.scrollIntoView({ block: "center" }); }
  }

  function queueContact() {
    var fields = [];
    var names = [];
    var people = {};
    Array.prototype.forEach.call(contactForm.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file" || el.name === "csrfmiddlewaretoken") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { fields.push([el.name, o.value]); });
        return;
      }
      fields.push([el.name, el.value]);
      if (el.name === "constituents") {
        var name = el.closest("label").querySelector(".d-block").textContent.trim();
        names.push(name);
        people[el.value] = name;
      }
    });
    var value = function (name) {
      var pair = fields.filter(function (p) { return p[0] === name; })[0];
      return pair ? pair[1].trim() : "";
    };
    var files = Array.prototype.slice.call(contactForm.querySelector("input[type=file]").files || []);
    if (!names.length) { return Promise.reject(new Error(text("need-who"))); }
    if (!value("contacted_at")) { return Promise.reject(new Error(text("need-when"))); }
    if (!value("summary")) { return Promise.reject(new Error(text("need-summary"))); }
    if (files.length > MAX_PHOTOS) { return Promise.reject(new Error(text("too-many-photos"))); }
    return Promise.all(files.map(resized)).then(function (blobs) {
      return Queue.add({
        key: self.crypto.randomUUID(),
        owner: memberId,
        fields: fields,
        photos: blobs.map(function (blob, i) { return { name: "photo-" + (i + 1) + ".jpg", blob: blob }; }),
        names: names,
        people: people,
        summary: value("summary").slice(0, 40),
        contacted_at: value("contacted_at"),
        queued_at: new Date().toISOString(),
        state: "waiting",
      });
    });
  }

  contactForm.addEventListener("submit", function (event) {
    if (navigator.onLine) { return; }  // online: the form posts as ever
    event.preventDefault();
    fail("");
    var saved = document.querySelector(".js-pwa-queued");
    saved.hidden = true;
    queueContact().then(function () {
      ready.then(function (registration) {
        return registration.sync && registration.sync.register(Queue.SYNC_TAG);
      }).catch(function () {});
      contactForm.reset();
      contactForm.dispatchEvent(new Event("contact-form-reset"));
      return show();
    }).then(function () {
      saved.hidden = false;
      window.scrollTo(0, 0);
    }, function (error) { fail(error.message); });
  });
})();
