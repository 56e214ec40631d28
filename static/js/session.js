// The session as the page sees it. When it has ended (idle timeout, logged out elsewhere),
// the page says so plainly and links to the login, which leads back here; what was typed
// stays (the questionnaire keeps it in the outbox and sends it after the login). A few
// minutes before the idle timeout, a page with unsaved work warns. See docs/security.md.

import {MSG, byId, logged, loggedIn} from "./page.js";

const body = document.body;
const IDLE_MS = Number(body.getAttribute("data-idle-seconds") || 0) * 1000;
const WARN_MS = Math.min(3 * 60 * 1000, IDLE_MS / 4);
const CHECK_MS = 10 * 1000;
let lastActivity = Date.now();
let dirty = false;
let ended = false;

/** A refusal that only a new login mends: 401 (the session ended), or the CSRF token of a
 * session that is gone. */
export function sessionEnded(status, code) {
  return status === 401 || code === "session_expired" || code === "csrf_failed";
}

/** The server has just seen this session (its idle time starts again). */
export function touch() { lastActivity = Date.now(); }

function loginUrl() {
  return "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search) + "&expired=1";
}

/** "Du er blevet logget ud – log ind igen, …" in view, with the link that leads back here. */
export function showEnded() {
  if (!loggedIn) { return; }
  ended = true;
  const banner = byId("session-ended");
  if (banner) {
    const link = byId("session-ended-login");
    if (link) { link.href = loginUrl(); }
    banner.hidden = false;
  }
  const warning = byId("idle-warning");
  if (warning) { warning.hidden = true; }
  const status = byId("save-status");
  if (status) {
    status.textContent = MSG.ended + ".";
    status.className = "save-status save-ended";
  }
}

function endedNow() {
  if (ended) { return; }
  showEnded();
  document.dispatchEvent(new CustomEvent("trivsel:session-ended"));
}

function unsavedWork() {
  const outbox = byId("outbox");
  return dirty || (!!outbox && !outbox.hidden);
}

function checkIdle() {
  if (ended || !IDLE_MS) { return; }
  const idle = Date.now() - lastActivity;
  // By the page's count the server has ended it (it counts from its last request, never
  // later than this page's): ask, since another tab may have kept it alive.
  if (idle >= IDLE_MS + CHECK_MS) { stayLoggedIn(); return; }
  const warning = byId("idle-warning");
  if (warning && idle >= IDLE_MS - WARN_MS && unsavedWork()) { warning.hidden = false; }
}

function stayLoggedIn() {
  fetch("/api/v1/session", {credentials: "same-origin", cache: "no-store", headers: {Accept: "application/json"}})
    .then((response) => {
      if (response.ok) {
        touch();
        const warning = byId("idle-warning");
        if (warning) { warning.hidden = true; }
        return;
      }
      if (response.status === 401) { endedNow(); }
    })
    .catch(logged("no connection to stay logged in"));
}

function responseOf(xhr) {
  try {
    return JSON.parse(xhr.responseText || "{}");
  } catch (error) {
    console.warn("trivsel: an error answer that is not JSON", error);
    return {};
  }
}

export function setUpSession() {
  if (!loggedIn) { return; }
  const stay = byId("idle-stay");
  if (stay) { stay.addEventListener("click", stayLoggedIn); }
  // What counts as unsaved: anything typed or ticked that no request has carried yet.
  ["input", "change"].forEach((type) => document.addEventListener(type, (event) => {
    const target = event.target;
    if (target && target.closest && target.closest("form") && !target.closest(".app-logout")) { dirty = true; }
  }));
  document.addEventListener("submit", () => { dirty = false; });
  document.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail && event.detail.xhr;
    if (!xhr) { return; }
    if (xhr.status > 0 && xhr.status < 400) {
      touch();
      dirty = false;
      return;
    }
    const answer = responseOf(xhr);
    const code = answer.error ? answer.error.code : "";
    if (xhr.status === 401 || code === "session_expired") { endedNow(); }
  });
  window.setInterval(checkIdle, CHECK_MS);
}
