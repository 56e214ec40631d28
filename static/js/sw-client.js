// The service worker from the page's side: install it (a module worker at /sw.js, scope
// "/"), offer "Ny version – genindlæs" for a new release, and warm the guide cache.

import {byId, logged, loggedIn} from "./page.js";

function showUpdate(worker) {
  const banner = byId("update-banner");
  const button = byId("update-reload");
  if (!banner || !button) { return; }
  banner.hidden = false;
  button.onclick = () => {
    button.disabled = true;
    worker.postMessage({type: "SKIP_WAITING"});
  };
}

/** Resolves when a service worker controls the page (or there will be none soon). On the
 * very first visit it is still installing (and caching the guide). */
export function swReady() {
  if (!("serviceWorker" in navigator) || navigator.serviceWorker.controller) { return Promise.resolve(); }
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise((resolve) => { window.setTimeout(resolve, 10000); }),
  ]);
}

/** ``warmUrls``: guide content this page needs offline besides the index (its catalog). */
export function setUpServiceWorker(guideIndex, warmUrls) {
  if (!("serviceWorker" in navigator)) { return; }
  let hadController = !!navigator.serviceWorker.controller;
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only a user-requested update replaces a controller; the first install just takes over.
    if (!hadController || reloading) { hadController = true; return; }
    reloading = true;
    window.location.reload();
  });
  navigator.serviceWorker.register("/sw.js", {scope: "/", type: "module"}).then((registration) => {
    if (registration.waiting && navigator.serviceWorker.controller) { showUpdate(registration.waiting); }
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      if (!worker) { return; }
      worker.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) { showUpdate(worker); }
      });
    });
    // The page says which release rendered it; a service worker of another release is stale.
    const pageVersion = document.querySelector("meta[name=trivsel-version]");
    const active = registration.active;
    if (pageVersion && active && typeof MessageChannel !== "undefined") {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => {
        if (event.data && event.data.version !== pageVersion.content) { registration.update().catch(logged("the update check")); }
      };
      active.postMessage({type: "VERSION"}, [channel.port2]);
    }
    if (loggedIn && window.caches) {
      // Installed while logged out (the login page): cache the guide content now.
      return navigator.serviceWorker.ready.then((ready) => {
        const urls = [guideIndex].concat(warmUrls);
        return Promise.all(urls.map((url) => caches.match(url))).then((hits) => {
          if (hits.some((hit) => !hit) && ready.active) {
            ready.active.postMessage({type: "WARM", urls: warmUrls});
          }
        });
      });
    }
  }).catch(logged("no service worker: the pages still work online"));
}
