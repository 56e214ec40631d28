// Trivselsguiden: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary after a failed HTMX form submission.
  document.addEventListener("htmx:afterSwap", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });

  // A tick sends its own state: observed=1 when checked, 0 when not (hx-vals holds the id).
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-tick")) {
      event.detail.parameters.observed = elt.checked ? "1" : "0";
    }
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
    if (elt.hasAttribute("data-tick")) { elt.checked = !elt.checked; }
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
