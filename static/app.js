// Trivselsguiden: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary after a failed HTMX form submission.
  document.addEventListener("htmx:afterSwap", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });

  // The checkbox whose "change" made a list of indicators ([data-ticks]) send a tick.
  function tickedBox(detail) {
    var elt = detail.elt;
    var config = detail.requestConfig || detail;
    var box = config.triggeringEvent && config.triggeringEvent.target;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-ticks")) { return null; }
    return box && box.type === "checkbox" && box.name === "observed" ? box : null;
  }

  // A tick sends the one indicator and its state: observed=1 when checked, 0 when not.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-ticks")) { return; }
    var box = tickedBox(event.detail);
    if (!box) { event.preventDefault(); return; }
    event.detail.parameters.indicator_id = box.value;
    event.detail.parameters.observed = box.checked ? "1" : "0";
    // The level the summary shows: if the tick leaves it so, the answer is the rationale only.
    var panel = document.getElementById("summary");
    var shown = panel && panel.getAttribute("data-shown");
    if (shown) { event.detail.parameters.shown = shown; }
  });

  // The finish form follows the level the summary shows (a tick's answer redraws the summary,
  // and so does the offline engine): the hint, the "(beregnet)" option, the selected level and
  // the suggested date. A level the user chose stays until the computed level changes.
  function followLevel() {
    var panel = document.getElementById("summary");
    var select = document.getElementById("input-level");
    if (!panel || !select) { return; }
    var level = (panel.getAttribute("data-shown") || "").split(":")[0];
    if (!level || select.getAttribute("data-computed") === level) { return; }
    select.setAttribute("data-computed", level);
    Array.prototype.forEach.call(select.options, function (option) {
      option.textContent = "Niveau " + option.value + ": " + option.getAttribute("data-name") +
        (option.value === level ? " (beregnet)" : "");
    });
    select.value = level;
    var hint = document.getElementById("hint-level");
    var computed = select.options[select.selectedIndex];
    if (hint && computed) {
      hint.textContent = "Guiden har beregnet niveau " + level + ": " + computed.getAttribute("data-name") +
        ". Vælger du et andet niveau, skal du skrive hvorfor.";
    }
    var date = document.getElementById("input-follow_up_on");
    var suggested = ((date && date.getAttribute("data-suggest")) || "").split(" ");
    if (date && suggested.length === 4) {
      date.value = suggested[Number(level) - 1] === "-" ? "" : suggested[Number(level) - 1];
    }
  }
  document.addEventListener("htmx:afterRequest", followLevel);
  window.TrivselFinish = {follow: followLevel};

  // A save that failed: say so in the save status, and undo the tick on screen.
  function saveFailed(event, fallback) {
    var elt = event.detail.elt;
    var status = document.getElementById("save-status");
    if (!status || !elt || !elt.closest || !elt.closest("#assessment-form")) { return; }
    var message = fallback;
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseText && window.DOMParser) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var heading = doc.querySelector(".alert-heading");
      if (heading && heading.textContent) { message = heading.textContent.trim(); }
    }
    status.textContent = "Ikke gemt: " + message;
    var box = tickedBox(event.detail);
    if (box) { box.checked = !box.checked; }
  }
  // The session has ended (401, static/js/session.js): the page, and what was typed, stay.
  function sessionEnded(event) {
    var xhr = event.detail && event.detail.xhr;
    return !!xhr && xhr.status === 401;
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (sessionEnded(event)) { event.detail.shouldSwap = false; }
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (sessionEnded(event)) {
      // The questionnaire keeps the tick or the text on the device until the login.
      if (window.TrivselOffline) { window.TrivselOffline.captureSessionEnded(event); }
      return;
    }
    saveFailed(event, "Genindlæs siden, og prøv igen.");
  });
  document.addEventListener("htmx:sendError", function (event) {
    // Without a network the questionnaire keeps the tick on the device (offline.js).
    if (window.TrivselOffline && window.TrivselOffline.captureSendError(event)) { return; }
    saveFailed(event, "Der er ingen forbindelse. Prøv igen om lidt.");
  });

  // "Udskriv": shown only when it can work.
  function setUpPrint() {
    var buttons = document.querySelectorAll("[data-print]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpPrint);
  } else {
    setUpPrint();
  }
})();
