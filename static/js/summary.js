// The browser's copies of two server rules, pure (no DOM, no page), so that Node runs them
// against the Python in tests/offline/test_js_parity.py:
// - summaryTree: the summary panel as templates/assessments/_summary.html renders it;
// - finishErrors: the checks app/assessments/service.py makes when a draft is finished.
// A tree is [tag, attrs, ...children]; strings are text (static/js/page.js builds it).

function badge(levels, number, id) {
  const def = levels.levels[number - 1];
  const attrs = {"class": "level-badge level-" + number};
  if (id) { attrs.id = id; }
  return ["span", attrs, ["span", {"class": "level-badge-number"}, "Niveau " + number], " ",
    ["span", {"class": "level-badge-name"}, def.name]];
}

export function levelBadge(levels, number, id) { return badge(levels, number, id); }

const GUIDANCE = [["Det skal du gøre", "what_to_do"], ["Hvem du skal inddrage", "who_to_involve"], ["Forældrene", "parents"]];

// Which rule the panel leads with (views.Summary.mode): 1 critical, 2 acute, 0 neither.
function mode(evaluation) {
  if (evaluation.critical) { return 1; }
  return evaluation.acute ? 2 : 0;
}

// Whom to call, as templates/_macros/contacts.html renders it (the guide data's "calls":
// the contacts of the user's institution by action key, from the cached guide index).
function whoToCall(entries, id, heading, notification) {
  if (!entries || !entries.length) { return null; }
  const box = ["div", {"class": "who-to-call", id: id},
    ["p", {"class": "who-to-call-heading"}, ["strong", {}, heading]]];
  if (notification) {
    box.push(["p", {"class": "who-to-call-note"}, "Ring gerne, men send også underretningen: et opkald erstatter den ikke."]);
  }
  const list = ["ul", {"class": "nobullet-list who-to-call-list"}];
  entries.forEach((c) => {
    const name = ["span", {"class": "who-to-call-name"}, c.name];
    if (c.scope !== "municipality") { name.push(" ", ["span", {"class": "muted"}, "(" + c.role_label + ")"]); }
    const li = ["li", {"class": "who-to-call-item"}, name];
    if (c.phone) { li.push(["a", {"class": "who-to-call-phone", href: c.tel}, "Ring " + c.phone_shown]); }
    if (c.email) { li.push(["a", {"class": "who-to-call-mail", href: "mailto:" + c.email}, c.email]); }
    if (c.hours) { li.push(["span", {"class": "who-to-call-hours"}, c.hours]); }
    list.push(li);
  });
  box.push(list);
  return box;
}

function alertBox(id, classes, heading, line112, guidance, calls) {
  const body = ["div", {"class": "alert-body"}, ["p", {"class": "alert-heading"}, heading],
    ["p", {"class": "alert-text critical-112"}, line112[0], ["strong", {}, "112"], line112[1]]];
  const call = whoToCall(calls, id.replace("-alert", "-call"), "Hvem du ringer til", true);
  if (call) { body.push(call); }
  GUIDANCE.forEach(([title, key]) => {
    body.push(["h3", {"class": "h5"}, title], ["p", {"class": "alert-text"}, guidance[key]]);
  });
  return ["div", {"class": classes, role: "alert", id: id}, body];
}

export function summaryTree(evaluation, guide) {
  const levels = guide.levels;
  const calls = guide.calls || {};
  const signs = {};
  guide.catalog.areas.forEach((area) => area.indicators.forEach((i) => { signs[i.id] = i; }));
  const def = levels.levels[evaluation.level - 1];
  const panel = ["section", {id: "summary", "data-shown": evaluation.level + ":" + mode(evaluation)}];
  if (evaluation.critical) {
    panel.push(alertBox("critical-alert", "alert alert-error critical-alert",
      "Mistanke om vold eller overgreb: Underret kommunen nu. Fortæl ikke forældrene om bekymringen først.",
      ["Er barnet i akut fare, så ring ", "."], levels.critical_guidance, calls.notification));
  } else if (evaluation.acute) {
    panel.push(alertBox("acute-alert", "alert alert-error critical-alert acute-alert",
      "Akut fare: Handl nu. Overlad ikke barnet til en voksen, der ikke kan passe på det.",
      ["Vil en påvirket forælder køre bil, eller er der fare for liv, så ring ", "."], levels.acute_guidance, calls.notification));
  }
  panel.push(["h2", {id: "summary-heading", "class": "summary-heading"}, "Opsummering"]);
  panel.push(["div", {"class": "summary-level", id: "summary-level"}, badge(levels, evaluation.level, "summary-level-badge"),
    ["p", {"class": "summary-level-description"}, def.description]]);
  panel.push(["h3", {"class": "h4"}, "Hvorfor"]);
  const reasons = ["div", {id: "rationale-box"}];
  if (evaluation.rationale.length) {
    const list = ["ul", {"class": "rationale-list", id: "rationale"}];
    evaluation.rationale.forEach((sign) => {
      const li = ["li", {}, signs[sign.indicator_id].text + " ", ["span", {"class": "level-marker level-" + sign.level}, "Niveau " + sign.level]];
      if (sign.critical) { li.push(" ", ["span", {"class": "critical-marker"}, "Vold eller overgreb"]); }
      if (signs[sign.indicator_id].acute) { li.push(" ", ["span", {"class": "critical-marker acute-marker"}, "Akut fare"]); }
      list.push(li);
    });
    reasons.push(list);
  } else {
    reasons.push(["p", {id: "rationale-empty"}, "Der er ikke markeret tegn på bekymring."]);
  }
  if (evaluation.escalated_from) {
    const from = evaluation.escalated_from;
    const rule = levels.breadth;
    const spread = rule ? " mindst " + rule.min_signs + " tegn på mindst " + rule.min_areas + " forskellige områder" : " tegn på flere områder";
    reasons.push(["p", {"class": "breadth-note", id: "breadth-note"}, ["strong", {}, "Hævet fra niveau " + from + " pga. bredde:"],
      " Hvert tegn peger for sig på niveau " + from + ", men" + spread + " peger tilsammen på niveau " + evaluation.level + ". Det er tegnene ovenfor."]);
  }
  const strengths = evaluation.strengths || [];
  if (strengths.length && evaluation.level > 1) {
    reasons.push(["h3", {"class": "h4", id: "strengths-heading"}, "Det, der går godt"]);
    const list = ["ul", {"class": "strength-list", id: "strengths"}];
    strengths.forEach((id) => list.push(["li", {}, signs[id].text]));
    reasons.push(list);
  }
  panel.push(reasons);
  panel.push(["h3", {"class": "h4"}, "Anbefalede handlinger"]);
  const actions = ["ul", {"class": "action-list", id: "actions"}];
  evaluation.recommended_actions.forEach((key) => {
    const action = levels.actions.find((a) => a.key === key);
    const li = ["li", {id: "action-" + key}, ["strong", {}, action.name], ["br", {}], action.description];
    const call = whoToCall(calls[key], "call-" + key, "Hvem du kan kontakte", key === "notification");
    if (call) { li.push(call); }
    actions.push(li);
  });
  panel.push(actions);
  if (!evaluation.critical) {
    panel.push(["h3", {"class": "h4"}, "Vejledning"]);
    const dl = ["dl", {"class": "guidance", id: "guidance"}];
    GUIDANCE.forEach(([title, key]) => dl.push(["dt", {}, title], ["dd", {}, def.guidance[key]]));
    panel.push(dl);
  }
  return panel;
}

/** Today in Denmark, as a date field's value (yyyy-mm-dd): the server's calendar
 * (app/db.py local_today), not the tablet's own time zone, so that the two agree on which
 * dates lie in the past also late in the evening. Without Intl's time zones, the tablet's. */
export function todayIso(date) {
  const day = date || new Date();
  try {
    return new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Europe/Copenhagen", year: "numeric", month: "2-digit", day: "2-digit",
    }).format(day);
  } catch {
    const mm = String(day.getMonth() + 1).padStart(2, "0");
    const dd = String(day.getDate()).padStart(2, "0");
    return day.getFullYear() + "-" + mm + "-" + dd;
  }
}

// The finish step's plan (app/messages.py, the same words).
const FOCUS_POINTS_REQUIRED = "Skriv mindst ét fokuspunkt: hvad I voksne vil gøre, hvem der gør det, og hvornår I følger op. Det skal udfyldes ved niveau 2 eller højere.";
const FOCUS_POINT_TEXT = "Fokuspunkt {n}: skriv hvad I voksne vil gøre.";
const FOCUS_POINT_PAST = "Fokuspunkt {n}: opfølgningsdatoen ligger i fortiden.";
const PARENTS_ABUSE_RULE = "Ved mistanke om vold eller seksuelle overgreb må forældrene ikke orienteres, før kommunen er kontaktet. Kommunen beslutter, hvornår forældrene får besked.";
const PARENTS_DATE = "Skriv hvornår forældrene blev orienteret eller inddraget (ikke en dato i fremtiden).";
const PARENTS_HOW = "Skriv hvordan forældrene blev orienteret eller inddraget.";

function filled(value) { return typeof value === "string" && value.trim() !== ""; }

// The plan's checks (service._check_plan) after the level's: ``focus_points`` absent means
// the step did not ask (nothing required); given, at level 2 or higher one is needed. Who
// follows up and a missing date are left to the server (it knows the colleagues and the
// level's follow-up date).
function planErrors(evaluation, choice, level, today) {
  const errors = [];
  const given = (choice.focus_points || []).filter((p) => filled(p.text) || filled(p.who));
  given.forEach((point, index) => {
    const n = String(index + 1);
    if (!filled(point.text)) { errors.push([`focus_points[${index}].text`, FOCUS_POINT_TEXT.replace("{n}", n)]); }
    const due = point.due_on || choice.follow_up_on;
    if (due && due < today) { errors.push([`focus_points[${index}].due_on`, FOCUS_POINT_PAST.replace("{n}", n)]); }
  });
  if (Array.isArray(choice.focus_points) && !given.length && level >= 2) {
    errors.push(["focus_points", FOCUS_POINTS_REQUIRED]);
  }
  const parents = choice.parents;
  if (parents) {
    if (evaluation && !evaluation.parents_may_be_informed) {
      errors.push(["parents", PARENTS_ABUSE_RULE]);
    } else {
      if (parents.involvement !== "informed" && parents.involvement !== "involved") { errors.push(["parents.involvement", PARENTS_HOW]); }
      if (!parents.on || parents.on > today) { errors.push(["parents.on", PARENTS_DATE]); }
      if (!filled(parents.how)) { errors.push(["parents.how", PARENTS_HOW]); }
    }
  }
  return errors;
}

/** [[field, message], …] for a finish the server would refuse: another level than the
 * computed one without a reason, a critical sign below level 4, a follow-up in the past;
 * then the plan (focus points, the parents), when the finish step asked it. */
export function finishErrors(evaluation, choice, today) {
  const errors = [];
  let level = evaluation ? evaluation.level : choice.level;
  if (evaluation && choice.level !== evaluation.level) {
    if (!choice.reason) { errors.push(["reason", "Skriv en begrundelse, når du vælger et andet niveau end det beregnede."]); }
    if (evaluation.critical && choice.level < 4) {
      errors.push(["level", "Et kritisk tegn (mistanke om vold eller overgreb) kan ikke vurderes under niveau 4: underret kommunen nu."]);
    }
    level = choice.level;
  }
  if (choice.follow_up_on && choice.follow_up_on < today) { errors.push(["follow_up_on", "Opfølgningsdatoen ligger i fortiden."]); }
  return errors.concat(planErrors(evaluation, choice, level, today));
}
