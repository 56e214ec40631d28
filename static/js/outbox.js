// The outbox list ("Venter på at blive sendt"): what waits on this tablet for the one
// whose key is loaded, and for a record the server refused, reading and deleting it.

import {keyring, storedOwner, unseal} from "./keyring.js";
import {MSG, byId, el, hasIdb, logged, offlinePage} from "./page.js";
import {outbox} from "./store.js";

function describe(record, payload) {
  let what = payload && payload.childName ? "Vurdering af " + payload.childName : "Vurdering";
  if (record.finished) { what += " (afsluttet)"; }
  const when = new Date(record.updatedAt).toLocaleString("da-DK", {day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit"});
  let state = MSG.device;
  if (record.state === "error") { state = MSG.error + (record.message ? ": " + record.message : ""); }
  if (record.state === "auth") { state = "Log ind igen, så sendes den"; }
  return {what: what + ", " + when, state, url: payload && payload.detailUrl, record, payload};
}

const INVOLVEMENT = {informed: "Orienteret", involved: "Inddraget"};

function dayOf(iso) {
  return new Date(iso + "T12:00:00").toLocaleDateString("da-DK", {day: "2-digit", month: "2-digit", year: "numeric"});
}

// The queued finish's focus points and parents' note, one line each, labelled as the finish
// step labels them (_focus_points.html, _parents.html): what matters to copy before deleting.
function planLines(finish) {
  const lines = [];
  ((finish && finish.focus_points) || []).forEach((point, index) => {
    const more = [];
    if (point.who && point.who.trim()) { more.push("Hvem gør det: " + point.who.trim()); }
    if (point.due_on) { more.push("opfølgning " + dayOf(point.due_on)); }
    lines.push("Fokuspunkt " + (index + 1) + ": " + (point.text || "").trim() + (more.length ? " (" + more.join(", ") + ")" : ""));
  });
  const parents = finish && finish.parents;
  if (parents) {
    const said = [INVOLVEMENT[parents.involvement] || parents.involvement];
    if (parents.on) { said.push(dayOf(parents.on)); }
    if (parents.how && parents.how.trim()) { said.push(parents.how.trim()); }
    lines.push("Forældrene: " + said.join(", "));
  }
  return lines;
}

// A record the server refused (the draft was finished elsewhere, say) would wait for ever.
// Its owner may read what it holds and delete it from the tablet, after a second "yes".
function refusedControls(li, record, payload) {
  const details = el("details", {"class": "outbox-details"});
  details.appendChild(el("summary", {}, "Se det indtastede"));
  const ticked = payload.observed.length;
  details.appendChild(el("p", {}, ticked === 1 ? "1 tegn er markeret." : ticked + " tegn er markeret."));
  [["Noter", payload.notes], ["Barnets ressourcer", payload.resources], ["Begrundelse", payload.finish && payload.finish.reason]]
    .forEach(([label, text]) => {
      if (text) { details.appendChild(el("p", {"class": "outbox-text"}, label + ": " + text)); }
    });
  planLines(payload.finish).forEach((line) => details.appendChild(el("p", {"class": "outbox-text"}, line)));
  li.appendChild(details);
  const ask = el("button", {type: "button", "class": "button button-secondary outbox-discard"}, "Slet fra tabletten");
  li.appendChild(ask);
  ask.addEventListener("click", () => {
    if (byId("outbox-confirm-" + record.id)) { return; }
    const box = el("div", {"class": "alert alert-warning outbox-confirm", id: "outbox-confirm-" + record.id, role: "alert"});
    const text = el("p", {"class": "alert-text", tabindex: "-1"},
      "Det indtastede bliver slettet fra tabletten og kan ikke hentes igen. Serveren har ikke fået det. Skriv noterne af først, hvis du får brug for dem.");
    box.appendChild(text);
    const yes = el("button", {type: "button", "class": "button button-primary outbox-discard-yes"}, "Ja, slet det");
    const no = el("button", {type: "button", "class": "button button-secondary"}, "Fortryd");
    box.appendChild(yes);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(no);
    li.appendChild(box);
    text.focus();
    no.addEventListener("click", () => { li.removeChild(box); ask.focus(); });
    yes.addEventListener("click", () => {
      yes.disabled = true;
      outbox.get(record.id).then((current) => {
        // Changed meanwhile (sent again, edited on the questionnaire): keep it.
        if (!current || current.rev !== record.rev) { return renderOutbox(); }
        return outbox.remove(record.id).then(() => {
          document.dispatchEvent(new CustomEvent("trivsel:discarded", {detail: {draftId: record.draftId}}));
          return renderOutbox("Slettet fra tabletten.");
        });
      }).catch(logged("deleting a refused record"));
    });
  });
}

export function renderOutbox(note) {
  const section = byId("outbox");
  if (!section || !hasIdb) { return Promise.resolve(); }
  const owner = keyring.owner || (offlinePage ? storedOwner() : null);
  return outbox.mine(owner).then((records) => {
    const list = byId("outbox-list");
    const status = byId("outbox-status");
    // Someone is reading or deleting a refused record: do not pull the list from under them.
    if (!note && list.querySelector(".outbox-confirm, .outbox-details[open]")) { return; }
    if (note && status) { status.textContent = note; }
    if (!records.length) {
      list.textContent = "";
      section.hidden = !note;
      return;
    }
    return Promise.all(records.map((record) => (keyring.key ? unseal(record) : Promise.resolve(null))
      .catch(logged("a record this key cannot open"))
      .then((payload) => describe(record, payload))))
      .then((items) => {
        list.textContent = "";
        items.forEach((item) => {
          const li = el("li", {"class": "outbox-item"});
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
  }).catch(logged("showing the outbox"));
}
