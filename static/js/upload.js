// Upload page: send the chosen CSV by XHR so a <progress> bar can follow the upload, then show the
// server's report in place. Without this script the same forms post normally and the page reloads.
// Its sentences are translated by the JavaScript catalogue (gettext, interpolate: /jsi18n/) and its
// numbers written as the page's language writes them (formatNumber: static/js/numbers.js).
(function () {
  "use strict";

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // Replace the report and the batch list with the ones in the server's answer.
  function showAnswer(html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    ["upload-result", "recent-batches"].forEach(function (id) {
      var fresh = answer.getElementById(id);
      var current = document.getElementById(id);
      if (fresh && current) current.replaceWith(document.importNode(fresh, true));
    });
    var result = document.getElementById("upload-result");
    if (result && result.firstElementChild) {
      result.scrollIntoView({ block: "start" });
      result.focus({ preventScroll: true });
    }
  }

  function setUp(form) {
    var file = form.querySelector('input[type="file"]');
    var key = form.querySelector('input[name="idempotency_key"]');
    var progress = form.querySelector("progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector('button[type="submit"]');
    var busy = false;

    // A new file is a new batch: a new key. Sending the same file again keeps its key (harmless).
    file.addEventListener("change", function () {
      key.value = newKey();
      progress.hidden = true;
      progress.value = 0;
      status.textContent = "";
    });

    form.addEventListener("submit", function (event) {
      if (!file.files.length) return; // let the browser say the file is required
      event.preventDefault();
      if (busy) return; // a double click sends once
      // The server refuses a larger file without reading it; say so before sending it at all.
      var maxBytes = Number(form.dataset.maxBytes || 0);
      if (maxBytes && file.files[0].size > maxBytes) {
        status.textContent = interpolate(
          gettext("%(name)s is larger than %(size)s bytes, the most one upload may be. Split it into smaller files."),
          { name: file.files[0].name, size: formatNumber(maxBytes) },
          true,
        );
        return;
      }
      busy = true;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      progress.hidden = false;
      progress.max = 100;
      progress.value = 0;
      status.textContent = interpolate(gettext("Uploading %(name)s…"), { name: file.files[0].name }, true);

      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        progress.max = e.total;
        progress.value = e.loaded;
        const percent = formatNumber(Math.round((100 * e.loaded) / e.total)) + "%";
        status.textContent = interpolate(gettext("Uploading… %(percent)s"), { percent: percent }, true);
      });
      xhr.upload.addEventListener("load", function () {
        progress.value = progress.max;
        status.textContent = gettext("Uploaded; checking every row…");
      });
      xhr.addEventListener("load", function () {
        progress.value = progress.max;
        status.textContent = xhr.status < 300 ? gettext("Uploaded and accepted.") : gettext("Uploaded and checked: see the report.");
        showAnswer(xhr.responseText);
      });
      xhr.addEventListener("error", function () {
        status.textContent = gettext(
          "The upload did not reach Pagar (network). Nothing was written; sending the same file again is safe.",
        );
      });
      xhr.addEventListener("loadend", function () {
        busy = false;
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
      xhr.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(setUp);
})();
