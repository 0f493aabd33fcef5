// The inbox card's "evidence in full" is fetched when it is opened (approvals/views/evidence_page.py):
// the page then costs its cards, not every card's evidence. Without JavaScript, the link inside
// opens the same evidence as a page of its own.
(function () {
  "use strict";

  function load(details) {
    var holder = details.querySelector("[data-evidence-src]");
    if (!holder) return Promise.resolve();
    if (holder._loading) return holder._loading; // opened again while it loads
    holder.setAttribute("aria-busy", "true");
    holder._loading = fetch(holder.dataset.evidenceSrc, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        holder.insertAdjacentHTML("afterend", html);
        holder.remove();
      })
      .catch(function () {
        // The link to the evidence page stays: it works where the fetch did not.
        holder._loading = null;
        holder.removeAttribute("aria-busy");
      });
    return holder._loading;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details.evidence-details").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open) load(details);
      });
    });
    // The card's "N overlapping experiments" and "all N in force here" open the evidence here.
    document.querySelectorAll("a[data-opens-evidence]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var details = document.getElementById(link.dataset.opensEvidence);
        if (!details) return;
        event.preventDefault();
        details.open = true;
        load(details).then(function () {
          var target = document.getElementById(link.hash.slice(1));
          (target || details).scrollIntoView({ block: "start" });
        });
      });
    });
  });
})();
