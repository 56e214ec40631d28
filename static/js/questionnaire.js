// The questionnaire keeps working without the server: without a network, or after the
// session has ended, ticks and texts stay on the device (encrypted, static/js/keyring.js),
// the level is computed in the browser (static/guide-engine.js), and finishing is kept
// until it can be sent. Every page works without this file.

import {loadKey, newId, seal, unseal} from "./keyring.js";
import {renderOutbox} from "./outbox.js";
import {MSG, build, byId, el, logged} from "./page.js";
import {sessionEnded as isSessionEnded, showEnded, touch} from "./session.js";
import {outbox} from "./store.js";
import {finishErrors, levelBadge, summaryTree, todayIso} from "./summary.js";
import {onSynced, syncAll} from "./sync.js";
import {swReady} from "./sw-client.js";

export const GUIDE_INDEX = "/api/v1/offline/guide";

const form = byId("assessment-form");
export const q = form && form.hasAttribute("data-offline-assessment") ? {
  draftId: form.getAttribute("data-offline-assessment"),
  syncUrl: form.getAttribute("data-sync-url"),
  catalogUrl: form.getAttribute("data-catalog-src"),
  detailUrl: form.getAttribute("data-detail-url"),
  childName: form.getAttribute("data-child-name"),
  local: false,
  ended: false,
  checked: false,
  finished: false,
  recordId: null,
  guide: null,
  evaluation: null,
  chain: Promise.resolve(),
} : null;

function setStatus(kind, extra) {
  const status = byId("save-status");
  if (!status) { return; }
  status.textContent = MSG[kind] + (extra ? ". " + extra : ".");
  status.className = "save-status save-" + kind;
}

/** Ticks and texts go to the device instead of the server. */
function keptHere() { return q.local || q.ended || !navigator.onLine; }

function getJson(url) {
  // The service worker's cache first (no network when warm), then the network through it.
  const cached = window.caches ? caches.match(url).catch(logged("the cache")) : Promise.resolve(null);
  return cached.then((hit) => hit || fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}}))
    .then((response) => {
      if (!response.ok) { throw new Error(url + ": " + response.status); }
      return response.json();
    });
}

function loadGuide() {
  if (q.guide) { return Promise.resolve(q.guide); }
  return Promise.all([getJson(q.catalogUrl), getJson(GUIDE_INDEX)]).then(([catalog, index]) => {
    q.guide = {catalog, levels: index.levels, calls: index.calls || {}};
    return q.guide;
  });
}

function formState() {
  const observed = Array.prototype.map.call(form.querySelectorAll("input[name=observed]:checked"), (box) => box.value);
  const notes = form.querySelector("[name=notes]");
  const resources = form.querySelector("[name=resources]");
  return {observed, notes: notes ? notes.value : "", resources: resources ? resources.value : ""};
}

function applyState(payload) {
  const wanted = new Set(payload.observed);
  form.querySelectorAll("input[name=observed]").forEach((box) => { box.checked = wanted.has(box.value); });
  const notes = form.querySelector("[name=notes]");
  const resources = form.querySelector("[name=resources]");
  if (notes) { notes.value = payload.notes; }
  if (resources) { resources.value = payload.resources; }
}

// The summary panel as _summary.html renders it, from the browser's evaluation.
function renderSummary(evaluation) {
  const panel = byId("summary");
  if (!panel) { return; }
  const [, attrs, ...children] = summaryTree(evaluation, q.guide);
  panel.textContent = "";
  panel.setAttribute("data-shown", attrs["data-shown"]);
  children.forEach((child) => panel.appendChild(build(child)));
  panel.appendChild(el("p", {"class": "summary-local-note", id: "summary-local-note"},
    (q.ended ? "Beregnet på tabletten." : "Beregnet på tabletten uden net.") + " Serverens beregning gemmes, når vurderingen sendes."));
}

// Each area's "N af M markeret" as _saved.html swaps it in online, counted from the ticks.
function renderAreaCounts() {
  form.querySelectorAll("fieldset.area").forEach((area) => {
    const id = area.id.replace(/^area-/, "");
    const boxes = area.querySelectorAll("input[name=observed]");
    const ticked = area.querySelectorAll("input[name=observed]:checked").length;
    ["nav", "legend"].forEach((suffix) => {
      const count = byId(`area-count-${suffix}-${id}`);
      if (!count) { return; }
      count.textContent = `${ticked} af ${boxes.length} markeret`;
      count.classList.toggle("area-count-some", ticked > 0);
    });
  });
}

function renderLocal(observed) {
  renderAreaCounts();
  return loadGuide().then(() => {
    const evaluation = window.TrivselEngine.evaluate(q.guide.catalog, observed, q.guide.levels);
    const current = byId("current-level");
    if (current) { current.textContent = ""; current.appendChild(build(levelBadge(q.guide.levels, evaluation.level))); }
    renderSummary(evaluation);
    // The finish form follows the level the panel now shows (static/app.js).
    if (window.TrivselFinish) { window.TrivselFinish.follow(); }
    q.evaluation = evaluation;
    return evaluation;
  });
}

function payloadOf(state, finish) {
  return {
    draftId: q.draftId,
    childName: q.childName,
    detailUrl: q.detailUrl,
    syncUrl: q.syncUrl,
    observed: state.observed,
    notes: state.notes,
    resources: state.resources,
    finish: finish || null,
  };
}

// Keep the form's state on the device, encrypted; one record per assessment.
function saveLocal(finish) {
  q.local = true;
  const state = formState();
  q.chain = q.chain.then(() => {
    const shown = renderLocal(state.observed).catch((error) => {
      console.warn("trivsel: no offline summary (the guide is not cached)", error);
      const panel = byId("summary");
      if (panel) { panel.setAttribute("data-stale", "true"); }
      return null;
    });
    const saved = loadKey().then((ring) => (q.recordId ? outbox.get(q.recordId) : Promise.resolve(null)).then((found) => {
      const now = Date.now();
      const record = found || {id: newId(), owner: ring.owner, draftId: q.draftId, rev: 0, createdAt: now};
      q.recordId = record.id;
      record.rev += 1;
      record.updatedAt = now;
      record.state = q.ended ? "auth" : "queued";
      record.finished = !!finish;
      record.message = "";
      record.refused = false;
      return seal(record, payloadOf(state, finish)).then(outbox.put);
    })).then(() => {
      if (q.ended) { showEnded(); } else { setStatus("device", finish ? "Vurderingen er afsluttet på tabletten" : ""); }
      return renderOutbox();
    }, (error) => {
      console.error("trivsel: could not keep the work on the device", error);
      setStatus("error", "Det kunne ikke gemmes på tabletten. Bliv på siden, til der er net igen");
    });
    return Promise.all([shown, saved]);
  });
  return q.chain;
}

function fieldError(name, message) {
  const group = byId("field-" + name);
  const input = byId("input-" + name);
  if (!group || !input) { return; }
  group.classList.add("form-error");
  let span = byId("error-" + name);
  if (!span) {
    span = el("span", {"class": "form-error-message", id: "error-" + name});
    input.parentNode.insertBefore(span, input);
  }
  span.textContent = "";
  span.appendChild(el("span", {"class": "sr-only"}, "Fejl: "));
  span.appendChild(document.createTextNode(message));
  input.setAttribute("aria-invalid", "true");
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes("error-" + name)) { described.push("error-" + name); }
  input.setAttribute("aria-describedby", described.join(" "));
}

// The plan's errors go beside its fieldset, as _focus_points.html and _parents.html render
// them: "focus_points[0].text" beside the focus points, "parents.on" beside the parents.
const PLAN_GROUPS = {focus_points: ["focus-points", "error-focus-points", "hint-focus-points"],
  parents: ["parents-informed", "error-parents", "hint-parents"]};

function planError(field, message) {
  const ids = PLAN_GROUPS[field.split(/[.[]/)[0]];
  const group = ids && byId(ids[0]);
  if (!group) { return false; }
  if (byId(ids[1])) { return true; } // the group's first error is shown
  group.classList.add("form-error");
  const span = el("span", {"class": "form-error-message", id: ids[1]});
  span.appendChild(el("span", {"class": "sr-only"}, "Fejl: "));
  span.appendChild(document.createTextNode(message));
  const hint = byId(ids[2]);
  group.insertBefore(span, hint ? hint.nextSibling : group.firstChild);
  group.setAttribute("aria-describedby", (hint ? ids[2] + " " : "") + ids[1]);
  return true;
}

// Before the checks run again: no error of an earlier try (the server's or the tablet's).
function clearPlanErrors() {
  Object.keys(PLAN_GROUPS).forEach((key) => {
    const [groupId, spanId, hintId] = PLAN_GROUPS[key];
    const span = byId(spanId);
    const group = byId(groupId);
    if (span) { span.parentNode.removeChild(span); }
    if (group) {
      group.classList.remove("form-error");
      if (byId(hintId)) { group.setAttribute("aria-describedby", hintId); }
    }
  });
}

function clearFieldErrors() {
  clearPlanErrors();
  ["level", "reason", "follow_up_on"].forEach((name) => {
    const group = byId("field-" + name);
    const span = byId("error-" + name);
    const input = byId("input-" + name);
    if (group) { group.classList.remove("form-error"); }
    if (span) { span.parentNode.removeChild(span); }
    if (input) {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "").split(" ")
        .filter((id) => id !== "error-" + name).join(" "));
    }
  });
}

function valueIn(row, name) {
  const field = row.querySelector(`[name=${name}]`);
  return field ? field.value : "";
}

// The focus points and the parents' note, when the finish step asks them (the same fields
// the page posts online: _focus_points.html, _parents.html). Rows left empty are left out.
function planChoice() {
  const plan = {};
  const points = byId("focus-points");
  if (points) {
    plan.focus_points = Array.prototype.map.call(points.querySelectorAll(".focus-point"), (row) => ({
      text: valueIn(row, "fp_text"),
      who: valueIn(row, "fp_who"),
      responsible_id: Number(valueIn(row, "fp_responsible")) || null,
      due_on: valueIn(row, "fp_due_on") || null,
    })).filter((p) => p.text.trim() || p.who.trim());
  }
  const parents = byId("parents-informed");
  const chosen = parents && parents.querySelector("input[name=parents_involvement]:checked");
  if (chosen && chosen.value) {
    plan.parents = {involvement: chosen.value, on: byId("input-parents-on").value || null, how: byId("input-parents-how").value};
  }
  return plan;
}

// The same checks the server makes when finishing (static/js/summary.js, parity-tested).
function finishChoice() {
  const followUp = byId("input-follow_up_on").value;
  const finish = {level: Number(byId("input-level").value), reason: byId("input-reason").value.trim(), follow_up_on: followUp || null, ...planChoice()};
  return {errors: finishErrors(q.evaluation, finish, todayIso()), finish};
}

function lockQuestionnaire(message) {
  q.finished = true;
  Array.prototype.forEach.call(form.elements, (control) => { control.disabled = true; });
  const section = byId("finish");
  if (!section) { return; }
  section.textContent = "";
  section.appendChild(el("h2", {id: "finish-heading"}, "Vurderingen er afsluttet"));
  section.appendChild(el("p", {id: "finish-state", role: "status"}, message));
}

function finishLocal() {
  return q.chain.then(() => renderLocal(formState().observed).catch(logged("no offline evaluation"))).then(() => {
    clearFieldErrors();
    const choice = finishChoice();
    if (choice.errors.length) {
      choice.errors.forEach(([field, message]) => { if (!planError(field, message)) { fieldError(field, message); } });
      setStatus("error", choice.errors[0][1]);
      const field = choice.errors[0][0];
      const first = byId("input-" + field) || byId(field.startsWith("focus_points") ? "input-fp-text-0" : "input-parents-on");
      if (first) { first.focus(); }
      return;
    }
    return saveLocal(choice.finish).then(() => {
      const where = q.ended ? MSG.ended : MSG.device + ". Du kan lukke siden – vurderingen bliver på tabletten, til den er sendt";
      lockQuestionnaire(where + ".");
      if (q.ended) { showEnded(); }
    });
  });
}

function synced(record, payload, result, removed) {
  if (record.draftId !== q.draftId) { return; }
  if (!result) {
    if (record.state === "auth") { endedHere(); } else { setStatus("error", record.message); }
    return;
  }
  if (!removed) { window.setTimeout(syncAll, 500); return; }
  q.local = false;
  q.recordId = null;
  setStatus("server");
  const note = byId("summary-local-note");
  if (note) { note.parentNode.removeChild(note); }
  if (payload.finish) {
    const state = byId("finish-state");
    if (state) {
      state.textContent = MSG.server + ". ";
      state.appendChild(el("a", {href: q.detailUrl, id: "finish-result-link"}, "Se resultatet"));
    }
  }
}

/** The session has ended: from now on everything stays on the device until the login. */
function endedHere() {
  q.ended = true;
  showEnded();
}

// "Afslut" and "Gem kladde" are plain form posts: ask first whether the session still
// lives, so that an ended one neither loses the form nor shows a refusal page.
function checkedSubmit(event) {
  const submitter = event.submitter;
  fetch("/api/v1/session", {credentials: "same-origin", cache: "no-store", headers: {Accept: "application/json"}})
    .then((response) => {
      if (response.ok) {
        touch();
        q.checked = true;
        form.requestSubmit(submitter || undefined);
        return;
      }
      return response.json().catch(logged("a refusal without JSON")).then((answer) => {
        const code = answer && answer.error ? answer.error.code : "";
        if (!isSessionEnded(response.status, code)) { throw new Error("GET /api/v1/session: " + response.status); }
        endedHere();
        return submitter && submitter.id === "finish-button" ? finishLocal() : saveLocal();
      });
    }, (error) => {
      console.warn("trivsel: no connection when sending the form: kept on the device", error);
      return submitter && submitter.id === "finish-button" ? finishLocal() : saveLocal();
    })
    .catch(logged("sending the questionnaire"));
}

function start() {
  onSynced(synced);
  // Ticks and texts go to the server with HTMX; without a network, or after the session
  // has ended, they stay on the device.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail && event.detail.elt;
    if (!elt || !elt.closest || !elt.closest("#assessment-form")) { return; }
    if (q.finished) { event.preventDefault(); return; }
    if (keptHere()) {
      event.preventDefault();
      saveLocal();
    }
  });
  form.addEventListener("submit", (event) => {
    if (q.checked) { q.checked = false; return; }
    event.preventDefault();
    if (q.finished) { return; }
    if (!keptHere()) { checkedSubmit(event); return; }
    const submitter = event.submitter;
    if (submitter && submitter.id === "finish-button") { finishLocal(); } else { saveLocal(); }
  });
  window.addEventListener("offline", () => { if (!q.finished && !q.ended) { setStatus("device", "Der er ikke net lige nu"); } });
  document.addEventListener("trivsel:session-ended", endedHere);
  document.addEventListener("trivsel:discarded", (event) => {
    if (event.detail && event.detail.draftId === q.draftId) { window.location.reload(); }
  });
  // Work for this draft left on the device (a closed tab, a lost connection, an ended
  // session): it is newer.
  loadKey().then((ring) => outbox.mine(ring.owner)).then((records) => {
    const mine = records.find((r) => r.draftId === q.draftId);
    if (!mine) { return; }
    return unseal(mine).then((payload) => {
      q.recordId = mine.id;
      q.local = true;
      applyState(payload);
      return renderLocal(payload.observed).catch(logged("no offline evaluation")).then(() => {
        if (payload.finish) {
          lockQuestionnaire(MSG.device + ". Vurderingen blev afsluttet på tabletten.");
        } else {
          setStatus(mine.state === "error" ? "error" : "device", mine.state === "error" ? mine.message : "");
        }
      });
    });
  }).catch(logged("the work kept on this device"))
    // Have the catalog of this questionnaire at hand for offline evaluation.
    .then(() => swReady().then(loadGuide).catch(logged("the guide for offline use")))
    .then(syncAll);
}

/** For static/app.js: an HTMX save of the questionnaire that did not reach the server
 * (``ended``: the session had ended) stays on the device; true when it was taken. */
function capture(event, ended) {
  const elt = event.detail && event.detail.elt;
  if (!q || !elt || !elt.closest || !elt.closest("#assessment-form")) { return false; }
  if (ended) { endedHere(); }
  saveLocal();
  return true;
}

export function setUpQuestionnaire() {
  window.TrivselOffline = {
    captureSendError: (event) => capture(event, false),
    captureSessionEnded: (event) => capture(event, true),
  };
  if (q) { start(); }
}
