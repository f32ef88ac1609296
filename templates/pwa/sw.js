{% autoescape off %}// The member app's service worker (liaison/pwa.py serves it from the root, so that its scope
// covers every member page). It keeps:
// - the shell (the portal's own scripts, styles, icons), cache "liaison-shell-<version>";
// - the member's home (today's must-visits), roster and contact form, cache "liaison-pages",
//   refreshed whenever they are opened online, dropped at logout and when another login uses
//   the device (static/js/pwa.js);
// and sends the contacts queued offline (static/js/pwa-queue.js) when the browser says the
// connection is back (Background Sync), as the page does on its next load.
"use strict";
importScripts("{{ queue_js }}");

var VERSION = "{{ version }}";
var SHELL_CACHE = "liaison-shell-" + VERSION;
var PAGES_CACHE = PortalQueue.PAGES_CACHE;
var SHELL = {{ shell_json }};
var PAGES = {{ pages_json }};
PortalQueue.configure({ syncUrl: "{{ sync_url }}" });

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("liaison-shell-") === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function offlinePage(path) {
  return PAGES.indexOf(path) !== -1;
}

// A member page: the network's answer, kept for later; without a network, the kept one.
function pageFromNetwork(request, path) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(PAGES_CACHE).then(function (cache) { cache.put(path, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES_CACHE).then(function (cache) { return cache.match(path); })
      .then(function (kept) { return kept || notKept(); });
  });
}

function notKept() {
  var html = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>{{ offline_title|escapejs }}</title></head><body style=\"font-family:sans-serif;padding:1rem\">" +
    "<h1>{{ offline_title|escapejs }}</h1><p>{{ offline_text|escapejs }}</p>" +
    "<p><a href=\"" + PAGES[0] + "\">{{ offline_home|escapejs }}</a></p></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0 || SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (kept) {
      return kept || fetch(request);
    }));
  } else if (request.mode === "navigate") {
    if (offlinePage(url.pathname)) {
      event.respondWith(pageFromNetwork(request, url.pathname));
    } else {
      event.respondWith(fetch(request).catch(notKept));
    }
  }
});

// The pages keep themselves current (static/js/pwa.js asks once a page of the member's loads):
// each is fetched with the member's session; a login page instead (session over) is not kept.
function warm() {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return Promise.all(PAGES.map(function (path) {
      return fetch(path, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) { return cache.put(path, response); }
      }).catch(function () {});
    }));
  });
}

self.addEventListener("message", function (event) {
  var kind = event.data && event.data.type;
  if (kind === "warm") {
    event.waitUntil(warm());
  } else if (kind === "clear") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === PortalQueue.SYNC_TAG) {
    event.waitUntil(PortalQueue.flush().then(function (result) {
      return self.clients.matchAll().then(function (clients) {
        clients.forEach(function (client) { client.postMessage({ type: "flushed", result: result }); });
        // Still no connection: failing the event makes the browser try again later.
        if (result.state === "offline") { throw new Error("offline"); }
      });
    }));
  }
});
{% endautoescape %}
