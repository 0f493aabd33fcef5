// The page shell's small enhancements; every page works without them.
(function () {
  "use strict";

  // Open dropdowns (the user menu) close on a click elsewhere or Escape.
  function closeDropdowns(except) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (details) {
      if (details !== except) details.removeAttribute("open");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The style guide shows summaries as examples; only a real one takes the focus.
    var summary = document.querySelector("[data-error-summary]:not(.styleguide-example *)");
    if (summary) summary.focus();
  });
  document.addEventListener("click", function (event) {
    closeDropdowns(event.target.closest("details.dropdown"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.dropdown[open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });
})();
