// Sending what waits: one record at a time, each with its own Idempotency-Key, and the
// record removed only when the server has it and the page has not changed it meanwhile.

import {keyring, loadKey, unseal} from "./keyring.js";
import {renderOutbox} from "./outbox.js";
import {csrfToken, hasIdb, logged, loggedIn} from "./page.js";
import {sessionEnded, touch} from "./session.js";
import {outbox} from "./store.js";

const RETRY_MS = 15000;
const listeners = [];
let syncing = null;
let failures = 0;

/** ``fn(record, payload, result, removed)`` after each try: ``result`` is null when refused. */
export function onSynced(fn) { listeners.push(fn); }

function tell(record, payload, result, removed) {
  listeners.forEach((fn) => fn(record, payload, result, removed));
}


function refused(record, payload, response) {
  return response.json().catch(logged("a refusal without JSON")).then((answer) => {
    const error = answer && answer.error ? answer.error : {};
    return outbox.get(record.id).then((current) => {
      if (!current || current.rev !== record.rev) { return; }
      current.state = sessionEnded(response.status, error.code) ? "auth" : "error";
      // Refused for good (a 4xx), as opposed to a server that failed for now (5xx, 408,
      // 429, or the same record still being saved by another request).
      const transient = response.status === 408 || response.status === 429 || error.code === "idempotency_in_progress";
      current.refused = current.state === "error" && response.status >= 400 && response.status < 500 && !transient;
      current.message = error.message || "Serveren svarede " + response.status + ".";
      return outbox.put(current).then(() => tell(current, payload, null, false));
    });
  });
}

function syncOne(record) {
  return unseal(record).catch((error) => {
    // Not this key's record after all (should not happen: records are listed by owner).
    console.warn("trivsel: a record this key cannot open", error);
    record.state = "error";
    record.message = "Kan ikke åbnes med din nøgle.";
    return outbox.put(record).then(() => null);
  }).then((payload) => {
    if (!payload) { return; }
    return fetch(payload.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": csrfToken(),
        "Idempotency-Key": record.id + ":" + record.rev,
      },
      body: JSON.stringify({
        observed: payload.observed,
        notes: payload.notes,
        resources: payload.resources,
        finish: payload.finish || null,
      }),
    }).then((response) => {
      if (!response.ok) { return refused(record, payload, response); }
      touch();
      return response.json().then((result) => outbox.get(record.id).then((current) => {
        // Remove what was sent, unless the page has changed the record meanwhile.
        const unchanged = !!current && current.rev === record.rev;
        return (unchanged ? outbox.remove(record.id) : Promise.resolve())
          .then(() => tell(record, payload, result, unchanged));
      }));
    });
  });
}

// Records the server refused are sent again on a page load and with "Prøv igen nu" (the
// conflict may be gone), not every 15 seconds.
export function syncAll(skipRefused) {
  if (syncing) { return syncing; }
  if (!loggedIn || !navigator.onLine || !hasIdb) { return Promise.resolve(); }
  syncing = loadKey().then((ring) => outbox.mine(ring.owner)).then((records) => {
    const due = skipRefused === true ? records.filter((r) => !r.refused) : records;
    return due.reduce((chain, record) => chain.then(() => syncOne(record)), Promise.resolve());
  }).then(() => { failures = 0; }, (error) => {
    console.warn("trivsel: sync stopped (offline again, or no session): the work stays in the outbox", error);
    // A network that is only just back (the browser says online a moment before a request
    // gets through): try again soon, backing off, instead of at the next 15-second retry.
    if (navigator.onLine && error instanceof TypeError && failures < 6) {
      window.setTimeout(() => syncAll(true), Math.min(500 * 2 ** failures, RETRY_MS));
      failures += 1;
    }
  }).then(() => { syncing = null; return renderOutbox(); });
  return syncing;
}

export function retryLater() {
  window.setInterval(() => {
    if (!navigator.onLine || !keyring.owner) { return; }
    outbox.mine(keyring.owner).then((records) => {
      if (records.some((r) => !r.refused && r.state !== "auth")) { syncAll(true); }
    }).catch(logged("the outbox for a retry"));
  }, RETRY_MS);
}
