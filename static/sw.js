// Trivselsguiden service worker. Served by app/offline/views.py at /sw.js (scope "/") with the
// release's version and its precache list filled in; see docs/offline.md.
//
// What it keeps: the app shell (static files of this release) and the published guide content
// (levels and catalogs: guidance, never personal data). Pages, HTMX fragments and the rest of
// the API always go to the network and are never stored, so no child's data lands in a cache.
// Unsent work lives in IndexedDB, encrypted per user, written by the page (static/js/); the
// schema is static/js/store.js, imported here too: this is a module worker (registered by
// static/js/sw-client.js with type "module").
import {meta} from "/static/js/store.js";

var VERSION = "__TRIVSEL_VERSION__";
var PRECACHE = /*PRECACHE*/[];
var SHELL = "trivsel-shell-" + VERSION;
var GUIDE = "trivsel-guide-" + VERSION;
var OFFLINE_PAGE = "/static/offline.html";
var GUIDE_INDEX = "/api/v1/offline/guide";

// A log-out made while offline: the session is ended server side at the first connection,
// before any page loads, so the next person on the tablet never lands in it.
// Resolves when there is nothing left to end; rejects only when the server cannot be reached,
// so that no page is loaded with the old session.
function finishPendingLogout() {
  var pendingRead = meta.get("pendingLogout").catch(function (error) {
    console.warn("trivsel sw: no IndexedDB here, so nothing can be pending", error);
    return null;
  });
  return pendingRead.then(function (pending) {
    if (!pending) { return; }
    return fetch("/api/v1/session", {
      method: "DELETE",
      credentials: "same-origin",
      headers: {"X-CSRF-Token": pending.csrf}
    }).then(function () {
      // 204 (ended), 401 (already gone) or 403 (another session by now): nothing left to end.
      return meta.remove("pendingLogout");
    });
  });
}

// --- caches ------------------------------------------------------------------------------
function precache() {
  return caches.open(SHELL).then(function (cache) {
    return Promise.all(PRECACHE.map(function (url) {
      // Vendor files are immutable (their path names the version): the HTTP cache may answer.
      var mode = url.indexOf("/static/vendor/") === 0 ? "default" : "no-cache";
      return fetch(new Request(url, {cache: mode, credentials: "same-origin"})).then(function (response) {
        if (!response.ok) { throw new Error("precache " + url + ": " + response.status); }
        return cache.put(url, response);
      });
    }));
  });
}

function isJson(response) {
  return response.ok && !response.redirected &&
    (response.headers.get("content-type") || "").indexOf("application/json") === 0;
}

// The published guide content for offline evaluation; best effort (needs a logged-in user).
// The index (levels, and the catalogs of the user's institution) is fetched again; a catalog
// version already cached is not.
function warmGuide(extra) {
  return caches.open(GUIDE).then(function (cache) {
    return fetch(GUIDE_INDEX, {credentials: "same-origin", cache: "no-cache"}).then(function (response) {
      if (!isJson(response)) { return; }
      return cache.put(GUIDE_INDEX, response.clone()).then(function () { return response.json(); })
        .then(function (index) {
          var urls = index.catalogs.map(function (c) { return c.url; }).concat(extra || []);
          return Promise.all(urls.map(function (url) {
            return cache.match(url).then(function (hit) {
              if (hit) { return; }
              return fetch(url, {credentials: "same-origin"}).then(function (r) {
                if (isJson(r)) { return cache.put(url, r); }
              });
            });
          }));
        });
    });
  }).catch(function (error) {
    console.info("trivsel sw: guide not warmed (offline or logged out); the page warms again later", error);
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(precache().then(function () { return warmGuide(); }).then(function () {
    // The first version takes over at once; a later one waits until the page says
    // "Ny version – genindlæs" and the user asks for it, so versions never mix on a page.
    if (!self.registration.active) { return self.skipWaiting(); }
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("trivsel-") === 0 && key !== SHELL && key !== GUIDE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "SKIP_WAITING") {
    self.skipWaiting();
  } else if (data.type === "VERSION" && event.ports && event.ports[0]) {
    event.ports[0].postMessage({version: VERSION});
  } else if (data.type === "WARM") {
    event.waitUntil(warmGuide(Array.isArray(data.urls) ? data.urls : []));
  }
});

function navigate(request) {
  return finishPendingLogout().then(function () { return fetch(request); }).catch(function (error) {
    console.info("trivsel sw: the page cannot be fetched, the offline page answers", error);
    return caches.open(SHELL).then(function (cache) { return cache.match(OFFLINE_PAGE); }).then(function (page) {
      return page || Response.error();
    });
  });
}

function fromShell(request) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) { return hit; }
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

// A catalog version never changes, and this cache belongs to one release (its levels).
function guideCacheFirst(request) {
  return caches.open(GUIDE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (isJson(response)) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

function guideNetworkFirst(request) {
  return caches.open(GUIDE).then(function (cache) {
    return fetch(request).then(function (response) {
      if (isJson(response)) { cache.put(request, response.clone()); }
      return response;
    }).catch(function (error) {
      console.info("trivsel sw: the guide index from the cache", error);
      return cache.match(request).then(function (hit) { return hit || Response.error(); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }  // saves and syncs go to the network as they are
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    event.respondWith(fromShell(request));
  } else if (url.pathname === GUIDE_INDEX) {
    event.respondWith(guideNetworkFirst(request));
  } else if (url.pathname.indexOf("/api/v1/offline/catalogs/") === 0) {
    event.respondWith(guideCacheFirst(request));
  }
  // Everything else (pages' fragments, the API, the device key): network only, never stored.
});
