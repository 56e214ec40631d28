// Trivselsguiden: the offline questionnaire, the encrypted outbox, the session's end and the
// service worker's life cycle, as native ES modules in static/js/ (no build step). Every
// page works without them; with them, an assessment survives a dropped connection, a closed
// tab, an ended session and a log-out, and the page says honestly where the work is:
// "Gemt på serveren", "Gemt på enheden – sendes når der er net" or "Fejl – prøv igen".
// See docs/offline.md.

import {setUpLogout} from "./js/logout.js";
import {renderOutbox} from "./js/outbox.js";
import {byId, hasIdb, logged, loggedIn, offlinePage} from "./js/page.js";
import {GUIDE_INDEX, q, setUpQuestionnaire} from "./js/questionnaire.js";
import {setUpSession} from "./js/session.js";
import {meta, outbox} from "./js/store.js";
import {setUpServiceWorker} from "./js/sw-client.js";
import {retryLater, syncAll} from "./js/sync.js";

// The offline page (sw.js serves it when a page cannot be fetched). It reloads as soon as
// the server answers: on the "online" event, and also when the browser already says online
// (a service worker that was still offline a moment ago served this page), with a backoff.
const RELOADS = "trivsel-offline-reloads";

function setUpOfflinePage() {
  meta.get("pendingLogout").then((pending) => {
    if (pending) {
      const out = byId("offline-logged-out");
      if (out) { out.hidden = false; }
      return;
    }
    return renderOutbox();
  }).catch(logged("the offline page's outbox"));
  // Reloads of this page in a row back off too, so that it never reloads in a tight loop.
  const reloads = Number(sessionStorage.getItem(RELOADS) || 0);
  let wait = Math.min(250 * 2 ** reloads, 5000);
  let timer = null;
  const probe = () => {
    timer = null;
    fetch("/readyz", {cache: "no-store"}).then((response) => {
      if (response.ok) {
        sessionStorage.setItem(RELOADS, String(reloads + 1));
        window.location.reload();
        return;
      }
      throw new Error("/readyz: " + response.status);
    }).catch((error) => {
      console.info("trivsel: the server is not reachable yet", error);
      wait = Math.min(wait * 2, 5000);
      if (navigator.onLine) { timer = window.setTimeout(probe, wait); }
    });
  };
  const soon = () => { if (!timer) { timer = window.setTimeout(probe, wait); } };
  window.addEventListener("online", soon);
  if (navigator.onLine) { soon(); }
}

function start() {
  setUpServiceWorker(GUIDE_INDEX, q ? [q.catalogUrl] : []);
  if (offlinePage) { setUpOfflinePage(); return; }
  sessionStorage.removeItem(RELOADS);
  setUpSession();
  setUpLogout();
  setUpQuestionnaire();
  const retry = byId("outbox-retry");
  if (retry) { retry.addEventListener("click", () => syncAll()); }
  window.addEventListener("online", () => syncAll(true));
  if (loggedIn && hasIdb) {
    if (!q) {
      // Fetch the key only when something on this tablet may be waiting.
      outbox.count().then((n) => { if (n) { return syncAll(); } }).catch(logged("the outbox count"));
    }
    retryLater();
  }
}

// A module runs once the document is parsed (like a deferred script).
start();
