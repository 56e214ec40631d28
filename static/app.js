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
  });

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
  document.addEventListener("htmx:responseError", function (event) {
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
