// The proposal form's "Standards in force here" list, refreshed as the touchpoints, segments and
// metric rows change: it asks /api/standards/relevant/ (the one relevance rule) and redraws the
// list, keeping the "re-tests it" boxes the author ticked. Words come from the page (translated).
(function () {
  "use strict";
  const form = document.getElementById("experiment-form");
  const panel = form && form.querySelector(".standards-in-force[data-live-url]");
  const keysData = document.getElementById("standards-catalogue-keys");
  const metricData = document.getElementById("metric-keys");
  if (!panel || !keysData || !metricData) return;
  const keys = JSON.parse(keysData.textContent);
  const metricKeys = JSON.parse(metricData.textContent);
  const list = panel.querySelector("[data-standards-list]");
  const words = panel.dataset;
  let timer = null;
  let latest = 0;

  function query() {
    const params = new URLSearchParams();
    form.querySelectorAll("input[name='touchpoints']:checked").forEach((box) => {
      if (keys.touchpoints[box.value]) params.append("touchpoint", keys.touchpoints[box.value]);
    });
    form.querySelectorAll("input[name='segments']:checked").forEach((box) => {
      if (keys.segments[box.value]) params.append("segment", keys.segments[box.value]);
    });
    form.querySelectorAll("select[name$='-metric']").forEach((select) => {
      const prefix = select.name.slice(0, -"metric".length);
      const removed = form.elements.namedItem(prefix + "DELETE");
      const key = metricKeys[select.value];
      if (!key || (removed && removed.checked)) return;
      params.append("metric", key);
      const role = form.elements.namedItem(prefix + "role");
      if (role && role.value === "success") params.append("success_metric", key);
    });
    return params;
  }

  function line(parent, className, content) {
    parent.appendChild(document.createElement("br"));
    const node = document.createElement(className === "muted" ? "span" : "strong");
    node.className = className;
    node.textContent = content;
    parent.appendChild(node);
  }

  function draw(items, ticked) {
    list.replaceChildren();
    if (!items.length) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = words.textEmpty;
      list.appendChild(empty);
      return;
    }
    items.forEach((item) => {
      const li = document.createElement("li");
      li.className = "standard-in-force" + (item.retest_declared || item.retest_detected ? " retests" : "");
      li.dataset.standard = item.id;
      const link = document.createElement("a");
      link.href = item.url;
      link.textContent = `${item.code} ${item.statement}`;
      li.appendChild(link);
      if (item.status === "under_review") {
        const chip = document.createElement("span");
        chip.className = "chip chip-sensitive";
        chip.textContent = words.textUnderReview;
        li.append(" ", chip);
      }
      const why = [];
      if (item.touchpoints.length) why.push(`${words.textSameTouchpoint} ${item.touchpoints.join(", ")}`);
      if (item.metrics.length) why.push(`${words.textProvenOn} ${item.metrics.join(", ")}`);
      li.appendChild(document.createElement("br"));
      const small = document.createElement("small");
      small.className = "muted";
      small.textContent = why.join(" · ");
      li.appendChild(small);
      const declared = ticked.has(String(item.id));
      if (declared) line(li, "warn-text", words.textDeclared);
      else if (item.retest_detected) line(li, "warn-text", words.textDetected);
      else if (item.on_scope) line(li, "muted", words.textContradict);
      li.appendChild(document.createElement("br"));
      const label = document.createElement("label");
      label.className = "inline";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = "retests_standards";
      box.value = item.id;
      box.checked = declared;
      label.append(box, " " + words.textDeclare);
      li.appendChild(label);
      list.appendChild(li);
    });
  }

  async function refresh() {
    const asked = ++latest;
    const ticked = new Set(
      [...form.querySelectorAll("input[name='retests_standards']:checked")].map((box) => box.value)
    );
    let response;
    try {
      response = await fetch(`${panel.dataset.liveUrl}?${query()}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      return; // offline: the list is refreshed on save
    }
    if (!response.ok || asked !== latest) return;
    draw(await response.json(), ticked);
  }

  function later(event) {
    const name = event.target.name || "";
    if (!/^(touchpoints|segments)$|^metrics-\d+-(metric|role|DELETE)$/.test(name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener("change", later);
})();
