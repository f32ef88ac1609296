// The contacts a member logs without a signal, kept on the device (IndexedDB) until they are
// sent. Loaded by the pages (static/js/pwa.js) and by the service worker (templates/pwa/sw.js),
// which both call flush(): whichever runs first sends; a lock keeps two from sending at once,
// and the key each contact carries keeps a contact sent twice from being stored twice.
//
// A queued contact: { key (UUID), owner (the login's id), fields ([name, value] pairs of the
// contact form), photos ([{ name, blob }], resized on the device), names (whom it names, for
// the page), contacted_at (as entered), queued_at, state ("waiting" | "refused"), reasons }.
// Only the logged-in user's own contacts are ever sent: flush() asks the portal who is logged
// in, and the portal acts only as that user whatever the contact says.
(function (global) {
  "use strict";
  var DB_NAME = "liaison-offline";
  var CONTACTS = "contacts";
  var META = "meta";
  var config = { syncUrl: "" };
  var opening = null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = global.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore(CONTACTS, { keyPath: "key" }).createIndex("owner", "owner");
          db.createObjectStore(META);
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  // One transaction on one store; ``work`` gets the store and returns a request (or nothing).
  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var request = work(tx.objectStore(storeName));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function add(item) {
    return run(CONTACTS, "readwrite", function (store) { return store.add(item); });
  }

  function put(item) {
    return run(CONTACTS, "readwrite", function (store) { return store.put(item); });
  }

  function remove(key) {
    return run(CONTACTS, "readwrite", function (store) { return store.delete(key); });
  }

  // The contacts ``owner`` queued, oldest first.
  function list(owner) {
    return run(CONTACTS, "readonly", function (store) {
      return store.index("owner").getAll(String(owner));
    }).then(function (items) {
      return items.sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
    });
  }

  // Logout: the login's contacts leave the device.
  function clearOwner(owner) {
    return list(owner).then(function (items) {
      return Promise.all(items.map(function (item) { return remove(item.key); }));
    });
  }

  function getMeta(name) {
    return run(META, "readonly", function (store) { return store.get(name); });
  }

  function setMeta(name, value) {
    return run(META, "readwrite", function (store) { return store.put(value, name); });
  }

  function form(item, csrfOwner) {
    var data = new FormData();
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    (item.photos || []).forEach(function (photo) { data.append("photos", photo.blob, photo.name); });
    data.append("key", item.key);
    data.append("owner", csrfOwner);
    return data;
  }

  // Send one contact. Answers "sent", "refused" (kept with the reasons), or stops the flush:
  // "login" (no session: wait for the same user's next login), "offline", "error".
  function send(item, who) {
    return fetch(config.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": who.csrf, "Accept": "application/json" },
      body: form(item, String(who.user)),
    }).then(function (response) {
      if (response.status === 201 || response.status === 200) {
        return remove(item.key).then(function () { return "sent"; });
      }
      if (response.status === 422) {
        return response.json().then(function (answer) {
          item.state = "refused";
          item.reasons = answer.reasons || [];
          item.gone = answer.refused_constituents || [];
          return put(item).then(function () { return "refused"; });
        });
      }
      return response.status === 401 || response.status === 403 ? "login" : "error";
    }, function () { return "offline"; });
  }

  // Who is logged in here, and a CSRF token for them (a worker reads no cookie).
  function whoIsIn() {
    return fetch(config.syncUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { return null; }
        return response.json();
      });
  }

  function flushUnlocked() {
    var result = { state: "done", sent: 0, refused: 0 };
    return whoIsIn().then(function (who) {
      if (!who) { result.state = "login"; return result; }
      result.user = String(who.user);
      return list(who.user).then(function (items) {
        var waiting = items.filter(function (item) { return item.state === "waiting"; });
        // One after the other: a lost connection stops the rest, which wait for the next flush.
        return waiting.reduce(function (previous, item) {
          return previous.then(function (stop) {
            if (stop) { return stop; }
            return send(item, who).then(function (outcome) {
              if (outcome === "sent") { result.sent += 1; return null; }
              if (outcome === "refused") { result.refused += 1; return null; }
              result.state = outcome;
              return outcome;
            });
          });
        }, Promise.resolve(null)).then(function () { return result; });
      });
    }, function () { result.state = "offline"; return result; });
  }

  function flush() {
    var locks = global.navigator && global.navigator.locks;
    if (!locks) { return flushUnlocked(); }
    return locks.request("liaison-contact-queue", { ifAvailable: true }, function (lock) {
      return lock ? flushUnlocked() : { state: "busy", sent: 0, refused: 0 };
    });
  }

  global.PortalQueue = {
    PAGES_CACHE: "liaison-pages",
    SYNC_TAG: "liaison-contact-queue",
    configure: function (options) { config.syncUrl = options.syncUrl; },
    add: add,
    put: put,
    remove: remove,
    list: list,
    clearOwner: clearOwner,
    getMeta: getMeta,
    setMeta: setMeta,
    flush: flush,
  };
})(self);
