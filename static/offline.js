// Trivselsguiden: the offline questionnaire, the encrypted outbox and the service worker's
// life cycle. Every page works without this file; with it, an assessment survives a dropped
// connection, a closed tab and a log-out, and the page says honestly where the work is:
// "Gemt på serveren", "Gemt på enheden – sendes når der er net" or "Fejl – prøv igen".
// See docs/offline.md.
(function () {
  "use strict";

  var DB_NAME = "trivselsguiden";
  var DB_VERSION = 1;
  var OWNER_STORAGE = "trivsel-owner";
  var KEY_URL = "/api/v1/offline/device-key";
  var GUIDE_INDEX = "/api/v1/offline/guide";
  var RETRY_MS = 15000;
  var MSG = {
    server: "Gemt på serveren",
    device: "Gemt på enheden – sendes når der er net",
    error: "Fejl – prøv igen"
  };

  var body = document.body;
  var loggedIn = body.hasAttribute("data-session");
  var offlinePage = body.hasAttribute("data-offline-page");
  var csrf = "";
  try { csrf = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; } catch (e) { csrf = ""; }
  var hasIdb = typeof indexedDB !== "undefined";
  var hasCrypto = !!(window.crypto && window.crypto.subtle);

  function byId(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // --- IndexedDB: the outbox (one record per assessment) and small meta values -------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("outbox")) {
          db.createObjectStore("outbox", {keyPath: "id"}).createIndex("owner", "owner");
        }
        if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta", {keyPath: "key"}); }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(name, mode, fn) {
    if (!hasIdb) { return Promise.reject(new Error("IndexedDB findes ikke")); }
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var request = fn(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  var outbox = {
    mine: function (owner) {
      if (!owner) { return Promise.resolve([]); }
      return store("outbox", "readonly", function (s) { return s.index("owner").getAll(owner); })
        .then(function (records) { return (records || []).sort(function (a, b) { return a.createdAt - b.createdAt; }); });
    },
    get: function (id) { return store("outbox", "readonly", function (s) { return s.get(id); }); },
    put: function (record) { return store("outbox", "readwrite", function (s) { return s.put(record); }); },
    remove: function (id) { return store("outbox", "readwrite", function (s) { return s.delete(id); }); },
    count: function () { return store("outbox", "readonly", function (s) { return s.count(); }); }
  };
  var meta = {
    get: function (key) { return store("meta", "readonly", function (s) { return s.get(key); }); },
    put: function (value) { return store("meta", "readwrite", function (s) { return s.put(value); }); },
    remove: function (key) { return store("meta", "readwrite", function (s) { return s.delete(key); }); }
  };

  // --- the owner's key: fetched from the server, held in memory only -----------------------
  var keyring = {key: null, owner: null, loading: null};

  function base64UrlBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  // The questionnaire carries the key in its (never cached) page, so that a tablet that loses
  // the network right after loading it can still keep the work; other pages fetch it.
  function keyInPage() {
    var holder = document.querySelector("[data-device-key]");
    if (!holder) { return null; }
    var data = {key: holder.getAttribute("data-device-key"), owner: holder.getAttribute("data-device-owner")};
    holder.removeAttribute("data-device-key");
    return data;
  }

  function fetchKey() {
    return fetch(KEY_URL, {credentials: "same-origin", cache: "no-store", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("nøglen: " + response.status); }
        return response.json();
      });
  }

  function loadKey() {
    if (keyring.key) { return Promise.resolve(keyring); }
    if (!loggedIn || !hasCrypto) { return Promise.reject(new Error("ingen nøgle")); }
    if (!keyring.loading) {
      var inPage = keyInPage();
      keyring.loading = (inPage ? Promise.resolve(inPage) : fetchKey())
        .then(function (data) {
          return crypto.subtle.importKey("raw", base64UrlBytes(data.key), {name: "AES-GCM"}, false, ["encrypt", "decrypt"])
            .then(function (key) {
              keyring.key = key;
              keyring.owner = data.owner;
              try { localStorage.setItem(OWNER_STORAGE, data.owner); } catch (e) { /* private mode */ }
              return keyring;
            });
        })
        .catch(function (error) { keyring.loading = null; throw error; });
    }
    return keyring.loading;
  }

  function forgetKey() {
    keyring.key = null;
    keyring.owner = null;
    keyring.loading = null;
    try { localStorage.removeItem(OWNER_STORAGE); } catch (e) { /* private mode */ }
  }

  function aad(record) { return new TextEncoder().encode(record.owner + "|" + record.id); }

  function seal(record, payload) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(payload));
    return crypto.subtle.encrypt({name: "AES-GCM", iv: iv, additionalData: aad(record)}, keyring.key, plain)
      .then(function (cipher) { record.iv = iv; record.data = new Uint8Array(cipher); return record; });
  }

  function open(record) {
    return crypto.subtle.decrypt({name: "AES-GCM", iv: record.iv, additionalData: aad(record)}, keyring.key, record.data)
      .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  function newId() {
    if (crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // --- the outbox list ("what waits") -------------------------------------------------------
  function describe(record, payload) {
    var what = payload && payload.childName ? "Vurdering af " + payload.childName : "Vurdering";
    if (record.finished) { what += " (afsluttet)"; }
    var when = new Date(record.updatedAt).toLocaleString("da-DK", {day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit"});
    var state = MSG.device;
    if (record.state === "error") { state = MSG.error + (record.message ? ": " + record.message : ""); }
    if (record.state === "auth") { state = "Log ind igen, så sendes den"; }
    return {what: what + ", " + when, state: state, url: payload && payload.detailUrl, record: record, payload: payload};
  }

  // A record the server refused (the draft was finished elsewhere, say) would wait for ever.
  // Its owner may read what it holds and delete it from the tablet, after a second "yes".
  function refusedControls(li, record, payload) {
    var details = el("details", {"class": "outbox-details"});
    details.appendChild(el("summary", {}, "Se det indtastede"));
    var ticked = payload.observed.length;
    details.appendChild(el("p", {}, ticked === 1 ? "1 tegn er markeret." : ticked + " tegn er markeret."));
    [["Noter", payload.notes], ["Barnets ressourcer", payload.resources], ["Begrundelse", payload.finish && payload.finish.reason]]
      .forEach(function (pair) {
        if (pair[1]) { details.appendChild(el("p", {"class": "outbox-text"}, pair[0] + ": " + pair[1])); }
      });
    li.appendChild(details);
    var ask = el("button", {type: "button", "class": "button button-secondary outbox-discard"}, "Slet fra tabletten");
    li.appendChild(ask);
    ask.addEventListener("click", function () {
      if (byId("outbox-confirm-" + record.id)) { return; }
      var box = el("div", {"class": "alert alert-warning outbox-confirm", id: "outbox-confirm-" + record.id, role: "alert"});
      var text = el("p", {"class": "alert-text", tabindex: "-1"},
        "Det indtastede bliver slettet fra tabletten og kan ikke hentes igen. Serveren har ikke fået det. Skriv noterne af først, hvis du får brug for dem.");
      box.appendChild(text);
      var yes = el("button", {type: "button", "class": "button button-primary outbox-discard-yes"}, "Ja, slet det");
      var no = el("button", {type: "button", "class": "button button-secondary"}, "Fortryd");
      box.appendChild(yes);
      box.appendChild(document.createTextNode(" "));
      box.appendChild(no);
      li.appendChild(box);
      text.focus();
      no.addEventListener("click", function () { li.removeChild(box); ask.focus(); });
      yes.addEventListener("click", function () {
        yes.disabled = true;
        outbox.get(record.id).then(function (current) {
          // Changed meanwhile (sent again, edited on the questionnaire): keep it.
          if (!current || current.rev !== record.rev) { return renderOutbox(); }
          return outbox.remove(record.id).then(function () {
            if (q && record.draftId === q.draftId) { window.location.reload(); return; }
            return renderOutbox("Slettet fra tabletten.");
          });
        });
      });
    });
  }

  function renderOutbox(note) {
    var section = byId("outbox");
    if (!section || !hasIdb) { return Promise.resolve(); }
    var owner = keyring.owner || (offlinePage ? storedOwner() : null);
    return outbox.mine(owner).then(function (records) {
      var list = byId("outbox-list");
      var status = byId("outbox-status");
      // Someone is reading or deleting a refused record: do not pull the list from under them.
      if (!note && list.querySelector(".outbox-confirm, .outbox-details[open]")) { return; }
      if (note && status) { status.textContent = note; }
      if (!records.length) {
        list.textContent = "";
        section.hidden = !note;
        return;
      }
      return Promise.all(records.map(function (record) {
        return (keyring.key ? open(record) : Promise.reject()).then(null, function () { return null; })
          .then(function (payload) { return describe(record, payload); });
      })).then(function (items) {
        list.textContent = "";
        items.forEach(function (item) {
          var li = el("li", {"class": "outbox-item"});
          if (item.url && navigator.onLine) {
            li.appendChild(el("a", {href: item.url}, item.what));
          } else {
            li.appendChild(el("span", {"class": "outbox-what"}, item.what));
          }
          li.appendChild(document.createTextNode(": "));
          li.appendChild(el("span", {"class": "outbox-state"}, item.state));
          if (item.record.state === "error" && item.record.refused && item.payload) {
            refusedControls(li, item.record, item.payload);
          }
          list.appendChild(li);
        });
        section.hidden = false;
      });
    }).catch(function () { /* nothing to show */ });
  }

  function storedOwner() {
    try { return localStorage.getItem(OWNER_STORAGE); } catch (e) { return null; }
  }

  // --- sending: one record at a time, each with its own Idempotency-Key -----------------------
  var syncing = null;
  var listeners = [];

  function syncOne(record) {
    return open(record).then(null, function () {
      // Not this key's record after all (should not happen: records are listed by owner).
      record.state = "error";
      record.message = "Kan ikke åbnes med din nøgle.";
      return outbox.put(record).then(function () { return null; });
    }).then(function (payload) {
      if (!payload) { return; }
      return fetch(payload.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRF-Token": csrf,
          "Idempotency-Key": record.id + ":" + record.rev
        },
        body: JSON.stringify({
          observed: payload.observed,
          notes: payload.notes,
          resources: payload.resources,
          finish: payload.finish || null
        })
      }).then(function (response) {
        if (response.ok) {
          return response.json().then(function (result) {
            // Remove what was sent, unless the page has changed the record meanwhile.
            return outbox.get(record.id).then(function (current) {
              var unchanged = current && current.rev === record.rev;
              return (unchanged ? outbox.remove(record.id) : Promise.resolve()).then(function () {
                listeners.forEach(function (fn) { fn(record, payload, result, unchanged); });
              });
            });
          });
        }
        return response.json().then(null, function () { return {}; }).then(function (answer) {
          return outbox.get(record.id).then(function (current) {
            if (!current || current.rev !== record.rev) { return; }
            // 401, or a CSRF token of a session that has ended: the owner must log in again.
            var code = answer && answer.error ? answer.error.code : "";
            current.state = response.status === 401 || code === "csrf_failed" ? "auth" : "error";
            // Refused for good (a 4xx), as opposed to a server that failed for now (5xx, 408,
            // 429, or the same record still being saved by another request).
            var transient = response.status === 408 || response.status === 429 || code === "idempotency_in_progress";
            current.refused = current.state === "error" && response.status >= 400 && response.status < 500 && !transient;
            current.message = answer && answer.error && answer.error.message ? answer.error.message : "Serveren svarede " + response.status + ".";
            return outbox.put(current).then(function () {
              listeners.forEach(function (fn) { fn(current, payload, null, false); });
            });
          });
        });
      });
    });
  }

  // Records the server refused are sent again on a page load and with "Prøv igen nu" (the
  // conflict may be gone), not every 15 seconds.
  function syncAll(skipRefused) {
    if (syncing) { return syncing; }
    if (!loggedIn || !navigator.onLine || !hasIdb) { return Promise.resolve(); }
    syncing = loadKey().then(function (ring) { return outbox.mine(ring.owner); }).then(function (records) {
      if (skipRefused === true) { records = records.filter(function (r) { return !r.refused; }); }
      return records.reduce(function (chain, record) {
        return chain.then(function () { return syncOne(record); });
      }, Promise.resolve());
    }).then(null, function () { /* offline again, or no session: stays in the outbox */ })
      .then(function () { syncing = null; return renderOutbox(); });
    return syncing;
  }

  function retryLater() {
    window.setInterval(function () {
      if (!navigator.onLine || !keyring.owner) { return; }
      outbox.mine(keyring.owner).then(function (records) {
        if (records.some(function (r) { return !r.refused; })) { syncAll(true); }
      });
    }, RETRY_MS);
  }

  // --- the questionnaire: capture on the device when the network is gone ----------------------
  var form = byId("assessment-form");
  var q = null;
  if (form && form.hasAttribute("data-offline-assessment")) {
    q = {
      draftId: form.getAttribute("data-offline-assessment"),
      syncUrl: form.getAttribute("data-sync-url"),
      catalogUrl: form.getAttribute("data-catalog-src"),
      detailUrl: form.getAttribute("data-detail-url"),
      childName: form.getAttribute("data-child-name"),
      local: false,
      finished: false,
      recordId: null,
      guide: null,
      chain: Promise.resolve()
    };
  }

  function setStatus(kind, extra) {
    var status = byId("save-status");
    if (!status) { return; }
    status.textContent = MSG[kind] + (extra ? ". " + extra : ".");
    status.className = "save-status save-" + kind;
  }

  function getJson(url) {
    // The service worker's cache first (no network when warm), then the network through it.
    var cached = window.caches ? caches.match(url).then(null, function () { return null; }) : Promise.resolve(null);
    return cached.then(function (hit) {
      return hit || fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
    }).then(function (response) {
      if (!response.ok) { throw new Error(url + ": " + response.status); }
      return response.json();
    });
  }

  function swReady() {
    // On the very first visit the service worker is still installing (and caching the guide).
    if (!("serviceWorker" in navigator) || navigator.serviceWorker.controller) { return Promise.resolve(); }
    return Promise.race([
      navigator.serviceWorker.ready,
      new Promise(function (resolve) { window.setTimeout(resolve, 10000); })
    ]);
  }

  function loadGuide() {
    if (q.guide) { return Promise.resolve(q.guide); }
    return Promise.all([getJson(q.catalogUrl), getJson(GUIDE_INDEX)]).then(function (parts) {
      q.guide = {catalog: parts[0], levels: parts[1].levels};
      return q.guide;
    });
  }

  function formState() {
    var observed = Array.prototype.map.call(form.querySelectorAll("input[name=observed]:checked"), function (box) { return box.value; });
    var notes = form.querySelector("[name=notes]");
    var resources = form.querySelector("[name=resources]");
    return {observed: observed, notes: notes ? notes.value : "", resources: resources ? resources.value : ""};
  }

  function applyState(payload) {
    var wanted = {};
    payload.observed.forEach(function (id) { wanted[id] = true; });
    Array.prototype.forEach.call(form.querySelectorAll("input[name=observed]"), function (box) { box.checked = wanted[box.value] === true; });
    var notes = form.querySelector("[name=notes]");
    var resources = form.querySelector("[name=resources]");
    if (notes) { notes.value = payload.notes; }
    if (resources) { resources.value = payload.resources; }
  }

  function badge(levels, number, id) {
    var def = levels.levels[number - 1];
    var span = el("span", {"class": "level-badge level-" + number});
    if (id) { span.id = id; }
    span.appendChild(el("span", {"class": "level-badge-number"}, "Niveau " + number));
    span.appendChild(document.createTextNode(" "));
    span.appendChild(el("span", {"class": "level-badge-name"}, def.name));
    return span;
  }

  function guidanceList(guidance, id) {
    var dl = el("dl", {"class": "guidance"});
    if (id) { dl.id = id; }
    [["Det skal du gøre", guidance.what_to_do], ["Hvem du skal inddrage", guidance.who_to_involve], ["Forældrene", guidance.parents]]
      .forEach(function (pair) { dl.appendChild(el("dt", {}, pair[0])); dl.appendChild(el("dd", {}, pair[1])); });
    return dl;
  }

  // The summary panel as _summary.html renders it, from the browser's evaluation.
  function renderSummary(evaluation) {
    var levels = q.guide.levels;
    var texts = {};
    q.guide.catalog.areas.forEach(function (area) { area.indicators.forEach(function (i) { texts[i.id] = i.text; }); });
    var def = levels.levels[evaluation.level - 1];
    var panel = byId("summary");
    if (!panel) { return; }
    panel.textContent = "";
    panel.setAttribute("data-shown", evaluation.level + ":" + (evaluation.critical ? 1 : 0));
    if (evaluation.critical) {
      var alert = el("div", {"class": "alert alert-error critical-alert", role: "alert", id: "critical-alert"});
      var alertBody = el("div", {"class": "alert-body"});
      alertBody.appendChild(el("p", {"class": "alert-heading"}, "Mistanke om vold eller overgreb: Underret kommunen nu. Fortæl ikke forældrene om bekymringen først."));
      var p112 = el("p", {"class": "alert-text critical-112"}, "Er barnet i akut fare, så ring ");
      p112.appendChild(el("strong", {}, "112"));
      p112.appendChild(document.createTextNode("."));
      alertBody.appendChild(p112);
      [["Det skal du gøre", "what_to_do"], ["Hvem du skal inddrage", "who_to_involve"], ["Forældrene", "parents"]].forEach(function (pair) {
        alertBody.appendChild(el("h3", {"class": "h5"}, pair[0]));
        alertBody.appendChild(el("p", {"class": "alert-text"}, levels.critical_guidance[pair[1]]));
      });
      alert.appendChild(alertBody);
      panel.appendChild(alert);
    }
    panel.appendChild(el("h2", {id: "summary-heading", "class": "summary-heading"}, "Opsummering"));
    var levelBox = el("div", {"class": "summary-level", id: "summary-level"});
    levelBox.appendChild(badge(levels, evaluation.level, "summary-level-badge"));
    levelBox.appendChild(el("p", {"class": "summary-level-description"}, def.description));
    panel.appendChild(levelBox);
    panel.appendChild(el("h3", {"class": "h4"}, "Hvorfor"));
    var reasons = el("div", {id: "rationale-box"});
    panel.appendChild(reasons);
    if (evaluation.rationale.length) {
      var ul = el("ul", {"class": "rationale-list", id: "rationale"});
      evaluation.rationale.forEach(function (sign) {
        var li = el("li", {}, texts[sign.indicator_id] + " ");
        li.appendChild(el("span", {"class": "level-marker level-" + sign.level}, "Niveau " + sign.level));
        if (sign.critical) {
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("span", {"class": "critical-marker"}, "Vold eller overgreb"));
        }
        ul.appendChild(li);
      });
      reasons.appendChild(ul);
    } else {
      reasons.appendChild(el("p", {id: "rationale-empty"}, "Der er ikke markeret tegn på bekymring."));
    }
    panel.appendChild(el("h3", {"class": "h4"}, "Anbefalede handlinger"));
    var actions = el("ul", {"class": "action-list", id: "actions"});
    evaluation.recommended_actions.forEach(function (key) {
      var action = levels.actions.filter(function (a) { return a.key === key; })[0];
      var li = el("li", {id: "action-" + key});
      li.appendChild(el("strong", {}, action.name));
      li.appendChild(el("br"));
      li.appendChild(document.createTextNode(action.description));
      actions.appendChild(li);
    });
    panel.appendChild(actions);
    if (!evaluation.critical) {
      panel.appendChild(el("h3", {"class": "h4"}, "Vejledning"));
      panel.appendChild(guidanceList(def.guidance, "guidance"));
    }
    panel.appendChild(el("p", {"class": "summary-local-note", id: "summary-local-note"},
      "Beregnet på tabletten uden net. Serverens beregning gemmes, når vurderingen sendes."));
  }

  // Today on the tablet, as a date field's value (yyyy-mm-dd).
  function todayIso() {
    var date = new Date();
    var mm = String(date.getMonth() + 1).padStart(2, "0");
    var dd = String(date.getDate()).padStart(2, "0");
    return date.getFullYear() + "-" + mm + "-" + dd;
  }

  // The finish form follows the level the panel now shows (static/app.js).
  function renderFinishFields() {
    if (window.TrivselFinish) { window.TrivselFinish.follow(); }
  }

  function renderLocal(observed) {
    return loadGuide().then(function () {
      var evaluation = window.TrivselEngine.evaluate(q.guide.catalog, observed, q.guide.levels);
      var current = byId("current-level");
      if (current) { current.textContent = ""; current.appendChild(badge(q.guide.levels, evaluation.level)); }
      renderSummary(evaluation);
      renderFinishFields();
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
      finish: finish || null
    };
  }

  // Keep the form's state on the device, encrypted; one record per assessment.
  function saveLocal(finish) {
    q.local = true;
    var state = formState();
    q.chain = q.chain.then(function () {
      var shown = renderLocal(state.observed).then(null, function () {
        var summaryNote = byId("summary");
        if (summaryNote) { summaryNote.setAttribute("data-stale", "true"); }
        return null;
      });
      var saved = loadKey().then(function (ring) {
        var found = q.recordId ? outbox.get(q.recordId) : Promise.resolve(null);
        return found.then(function (record) {
          var now = Date.now();
          record = record || {id: newId(), owner: ring.owner, draftId: q.draftId, rev: 0, createdAt: now};
          q.recordId = record.id;
          record.rev += 1;
          record.updatedAt = now;
          record.state = "queued";
          record.finished = !!finish;
          record.message = "";
          record.refused = false;
          return seal(record, payloadOf(state, finish)).then(outbox.put);
        });
      }).then(function () {
        setStatus("device", finish ? "Vurderingen er afsluttet på tabletten" : "");
        return renderOutbox();
      }, function () {
        setStatus("error", "Det kunne ikke gemmes på tabletten. Bliv på siden, til der er net igen");
      });
      return Promise.all([shown, saved]);
    });
    return q.chain;
  }

  function fieldError(name, message) {
    var group = byId("field-" + name);
    var input = byId("input-" + name);
    if (!group || !input) { return; }
    group.classList.add("form-error");
    var span = byId("error-" + name);
    if (!span) {
      span = el("span", {"class": "form-error-message", id: "error-" + name});
      input.parentNode.insertBefore(span, input);
    }
    span.textContent = "";
    span.appendChild(el("span", {"class": "sr-only"}, "Fejl: "));
    span.appendChild(document.createTextNode(message));
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf("error-" + name) < 0) { described.push("error-" + name); }
    input.setAttribute("aria-describedby", described.join(" "));
  }

  function clearFieldErrors() {
    ["level", "reason", "follow_up_on"].forEach(function (name) {
      var group = byId("field-" + name);
      var span = byId("error-" + name);
      var input = byId("input-" + name);
      if (group) { group.classList.remove("form-error"); }
      if (span) { span.parentNode.removeChild(span); }
      if (input) {
        input.removeAttribute("aria-invalid");
        input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "").split(" ")
          .filter(function (id) { return id !== "error-" + name; }).join(" "));
      }
    });
  }

  // The same checks the server makes when finishing (app/assessments/service.py).
  function finishChoice() {
    var evaluation = q.evaluation;
    var level = Number(byId("input-level").value);
    var reason = byId("input-reason").value.trim();
    var followUp = byId("input-follow_up_on").value;
    var errors = [];
    if (evaluation && level !== evaluation.level) {
      if (!reason) { errors.push(["reason", "Skriv en begrundelse, når du vælger et andet niveau end det beregnede."]); }
      if (evaluation.critical && level < 4) {
        errors.push(["level", "Et kritisk tegn (mistanke om vold eller overgreb) kan ikke vurderes under niveau 4: underret kommunen nu."]);
      }
    }
    if (followUp && followUp < todayIso()) { errors.push(["follow_up_on", "Opfølgningsdatoen ligger i fortiden."]); }
    return {errors: errors, finish: {level: level, reason: reason, follow_up_on: followUp || null}};
  }

  function lockQuestionnaire(message) {
    q.finished = true;
    Array.prototype.forEach.call(form.elements, function (control) { control.disabled = true; });
    var section = byId("finish");
    if (!section) { return; }
    section.textContent = "";
    section.appendChild(el("h2", {id: "finish-heading"}, "Vurderingen er afsluttet"));
    section.appendChild(el("p", {id: "finish-state", role: "status"}, message));
  }

  function finishLocal() {
    return q.chain.then(function () { return renderLocal(formState().observed).then(null, function () { return null; }); }).then(function () {
      clearFieldErrors();
      var choice = finishChoice();
      if (choice.errors.length) {
        choice.errors.forEach(function (pair) { fieldError(pair[0], pair[1]); });
        setStatus("error", choice.errors[0][1]);
        var first = byId("input-" + choice.errors[0][0]);
        if (first) { first.focus(); }
        return;
      }
      return saveLocal(choice.finish).then(function () {
        lockQuestionnaire(MSG.device + ". Du kan lukke siden – vurderingen bliver på tabletten, til den er sendt.");
      });
    });
  }

  function onSynced(record, payload, result, removed) {
    if (!q || record.draftId !== q.draftId) { return; }
    if (!result) {
      setStatus("error", record.state === "auth" ? "Log ind igen, så sendes det" : record.message);
      return;
    }
    if (!removed) { window.setTimeout(syncAll, 500); return; }
    q.local = false;
    q.recordId = null;
    setStatus("server");
    var note = byId("summary-local-note");
    if (note) { note.parentNode.removeChild(note); }
    if (payload.finish) {
      var state = byId("finish-state");
      if (state) {
        state.textContent = MSG.server + ". ";
        state.appendChild(el("a", {href: q.detailUrl, id: "finish-result-link"}, "Se resultatet"));
      }
    }
  }

  function setUpQuestionnaire() {
    listeners.push(onSynced);
    // Ticks and texts go to the server with HTMX; without a network they stay on the device.
    document.addEventListener("htmx:beforeRequest", function (event) {
      var elt = event.detail && event.detail.elt;
      if (!elt || !elt.closest || !elt.closest("#assessment-form")) { return; }
      if (q.finished) { event.preventDefault(); return; }
      if (q.local || !navigator.onLine) {
        event.preventDefault();
        saveLocal();
      }
    });
    form.addEventListener("submit", function (event) {
      if (!(q.local || !navigator.onLine)) { return; }
      event.preventDefault();
      if (q.finished) { return; }
      var submitter = event.submitter;
      if (submitter && submitter.id === "finish-button") { finishLocal(); } else { saveLocal(); }
    });
    window.addEventListener("offline", function () { if (!q.finished) { setStatus("device", "Der er ikke net lige nu"); } });
    // Work for this draft left on the device (a closed tab, a lost connection): it is newer.
    loadKey().then(function (ring) { return outbox.mine(ring.owner); }).then(function (records) {
      var mine = records.filter(function (r) { return r.draftId === q.draftId; })[0];
      if (!mine) { return; }
      return open(mine).then(function (payload) {
        q.recordId = mine.id;
        q.local = true;
        applyState(payload);
        return renderLocal(payload.observed).then(null, function () { return null; }).then(function () {
          if (payload.finish) {
            lockQuestionnaire(MSG.device + ". Vurderingen blev afsluttet på tabletten.");
          } else {
            setStatus(mine.state === "error" ? "error" : "device", mine.state === "error" ? mine.message : "");
          }
        });
      });
    }).then(null, function () { return null; }).then(function () {
      // Have the catalog of this questionnaire at hand for offline evaluation.
      return swReady().then(loadGuide).then(null, function () { return null; });
    }).then(syncAll);
  }

  // Called by app.js when an HTMX save could not reach the server.
  window.TrivselOffline = {
    captureSendError: function (event) {
      var elt = event.detail && event.detail.elt;
      if (!q || !elt || !elt.closest || !elt.closest("#assessment-form")) { return false; }
      saveLocal();
      return true;
    }
  };

  // --- log-out: never discard waiting work, never show it to the next person ------------------
  function showLogoutNotice(logoutForm, count) {
    var notice = byId("logout-notice");
    if (!notice) {
      notice = el("div", {id: "logout-notice", "class": "alert alert-warning logout-notice", role: "alert"});
      logoutForm.parentNode.insertBefore(notice, logoutForm.nextSibling);
    }
    notice.textContent = "";
    var text = count === 1
      ? "1 vurdering venter på at blive sendt. Den bliver på tabletten, krypteret, så kun du kan åbne den, og sendes, når du logger ind igen."
      : count + " vurderinger venter på at blive sendt. De bliver på tabletten, krypteret, så kun du kan åbne dem, og sendes, når du logger ind igen.";
    notice.appendChild(el("p", {"class": "alert-text"}, text));
    var again = el("button", {type: "button", "class": "button button-secondary", id: "logout-anyway"}, "Log ud alligevel");
    again.addEventListener("click", function () {
      forgetKey();
      logoutForm.submit();
    });
    notice.appendChild(again);
    again.focus();
  }

  document.addEventListener("submit", function (event) {
    var logoutForm = event.target;
    if (!logoutForm.classList || !logoutForm.classList.contains("app-logout")) { return; }
    var tokenField = logoutForm.querySelector("[name=csrf_token]");
    if (!navigator.onLine && hasIdb) {
      // The server cannot be told now: end the session at the first connection, before any
      // page loads (sw.js), and forget the key on this page at once.
      event.preventDefault();
      meta.put({key: "pendingLogout", csrf: tokenField ? tokenField.value : ""}).then(function () {
        forgetKey();
        window.location.assign("/login");
      });
      return;
    }
    if (!keyring.owner) { forgetKey(); return; }
    event.preventDefault();
    outbox.mine(keyring.owner).then(function (records) {
      if (records.length) { showLogoutNotice(logoutForm, records.length); return; }
      forgetKey();
      logoutForm.submit();
    }, function () { forgetKey(); logoutForm.submit(); });
  });

  // --- the offline page (served by sw.js when a page cannot be fetched) ----------------------
  function setUpOfflinePage() {
    meta.get("pendingLogout").then(function (pending) {
      if (pending) {
        var out = byId("offline-logged-out");
        if (out) { out.hidden = false; }
        return;
      }
      return renderOutbox();
    }).then(null, function () { return null; });
    window.addEventListener("online", function () { window.location.reload(); });
  }

  // --- the service worker: install, and "Ny version – genindlæs" -------------------------------
  function showUpdate(worker) {
    var banner = byId("update-banner");
    var button = byId("update-reload");
    if (!banner || !button) { return; }
    banner.hidden = false;
    button.onclick = function () {
      button.disabled = true;
      worker.postMessage({type: "SKIP_WAITING"});
    };
  }

  function setUpServiceWorker() {
    if (!("serviceWorker" in navigator)) { return; }
    var hadController = !!navigator.serviceWorker.controller;
    var reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      // Only a user-requested update replaces a controller; the first install just takes over.
      if (!hadController || reloading) { hadController = true; return; }
      reloading = true;
      window.location.reload();
    });
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).then(function (registration) {
      if (registration.waiting && navigator.serviceWorker.controller) { showUpdate(registration.waiting); }
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        if (!worker) { return; }
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed" && navigator.serviceWorker.controller) { showUpdate(worker); }
        });
      });
      // The page says which release rendered it; a service worker of another release is stale.
      var pageVersion = document.querySelector("meta[name=trivsel-version]");
      var active = registration.active;
      if (pageVersion && active && typeof MessageChannel !== "undefined") {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          if (event.data && event.data.version !== pageVersion.content) { registration.update(); }
        };
        active.postMessage({type: "VERSION"}, [channel.port2]);
      }
      if (loggedIn && window.caches) {
        // Installed while logged out (the login page): cache the guide content now.
        navigator.serviceWorker.ready.then(function (ready) {
          var urls = [GUIDE_INDEX].concat(q ? [q.catalogUrl] : []);
          return Promise.all(urls.map(function (url) { return caches.match(url); })).then(function (hits) {
            if (hits.some(function (hit) { return !hit; }) && ready.active) {
              ready.active.postMessage({type: "WARM", urls: q ? [q.catalogUrl] : []});
            }
          });
        });
      }
    }).catch(function () { /* no service worker: the pages still work online */ });
  }

  // --- start ---------------------------------------------------------------------------------
  function start() {
    setUpServiceWorker();
    if (offlinePage) { setUpOfflinePage(); return; }
    if (q) { setUpQuestionnaire(); }
    var retry = byId("outbox-retry");
    if (retry) { retry.addEventListener("click", function () { syncAll(); }); }
    window.addEventListener("online", function () { syncAll(true); });
    if (loggedIn && hasIdb) {
      if (!q) {
        // Fetch the key only when something on this tablet may be waiting.
        outbox.count().then(function (n) { if (n) { syncAll(); } }).then(null, function () { return null; });
      }
      retryLater();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
