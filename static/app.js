// Trivselsguiden: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary after a failed HTMX form submission.
  document.addEventListener("htmx:afterSwap", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
