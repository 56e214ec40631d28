// Log-out: never discard waiting work, never show it to the next person on the tablet.

import {forgetKey, keyring} from "./keyring.js";
import {byId, el, hasIdb, logged} from "./page.js";
import {meta, outbox} from "./store.js";

function showLogoutNotice(logoutForm, count) {
  let notice = byId("logout-notice");
  if (!notice) {
    notice = el("div", {id: "logout-notice", "class": "alert alert-warning logout-notice", role: "alert"});
    logoutForm.parentNode.insertBefore(notice, logoutForm.nextSibling);
  }
  notice.textContent = "";
  const text = count === 1
    ? "1 vurdering venter på at blive sendt. Den bliver på tabletten, krypteret, så kun du kan åbne den, og sendes, når du logger ind igen."
    : count + " vurderinger venter på at blive sendt. De bliver på tabletten, krypteret, så kun du kan åbne dem, og sendes, når du logger ind igen.";
  notice.appendChild(el("p", {"class": "alert-text"}, text));
  const again = el("button", {type: "button", "class": "button button-secondary", id: "logout-anyway"}, "Log ud alligevel");
  again.addEventListener("click", () => {
    forgetKey();
    logoutForm.submit();
  });
  notice.appendChild(again);
  again.focus();
}

function onSubmit(event) {
  const logoutForm = event.target;
  if (!logoutForm.classList || !logoutForm.classList.contains("app-logout")) { return; }
  const tokenField = logoutForm.querySelector("[name=csrf_token]");
  if (!navigator.onLine && hasIdb) {
    // The server cannot be told now: end the session at the first connection, before any
    // page loads (sw.js), and forget the key on this page at once.
    event.preventDefault();
    meta.put({key: "pendingLogout", csrf: tokenField ? tokenField.value : ""}).then(() => {
      forgetKey();
      window.location.assign("/login");
    }).catch((error) => {
      console.error("trivsel: could not keep the log-out for later", error);
      forgetKey();
      logoutForm.submit();
    });
    return;
  }
  if (!keyring.owner) { forgetKey(); return; }
  event.preventDefault();
  outbox.mine(keyring.owner).then((records) => {
    if (records.length) { showLogoutNotice(logoutForm, records.length); return; }
    forgetKey();
    logoutForm.submit();
  }, (error) => {
    logged("the outbox before logging out")(error);
    forgetKey();
    logoutForm.submit();
  });
}

export function setUpLogout() {
  document.addEventListener("submit", onSubmit);
}
