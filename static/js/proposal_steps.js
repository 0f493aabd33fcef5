// The proposal form, one step at a time, each metric row asking only for what it needs.
// Without JavaScript every step and every field shows and the server applies the same rules.
(function () {
  const form = document.getElementById("experiment-form");
  if (!form) return;
  const json = (id, fallback) => {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : fallback;
  };

  // --- Steps ---------------------------------------------------------------------------------
  const nav = document.querySelector("[data-stepper]");
  const steps = Array.from(form.querySelectorAll("[data-step]"));
  const links = nav ? Array.from(nav.querySelectorAll("[data-step-link]")) : [];

  function show(id, { scroll = true } = {}) {
    steps.forEach((step) => step.classList.toggle("is-current", step.dataset.step === id));
    links.forEach((link) => {
      if (link.dataset.stepLink === id) link.setAttribute("aria-current", "step");
      else link.removeAttribute("aria-current");
    });
    if (scroll && nav) nav.scrollIntoView({ block: "start" });
    form.dispatchEvent(new CustomEvent("step-shown", { detail: id }));
  }

  function reveal(target) {
    // Open the step and every folded part holding the target, then bring it into view.
    const step = target.closest("[data-step]");
    if (step) show(step.dataset.step, { scroll: false });
    for (let node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
      if (node.hidden && node.matches("[data-ai-fields], [data-plan-field]")) node.hidden = false;
    }
    target.scrollIntoView({ block: "center" });
    const input = target.matches("input, select, textarea") ? target : target.querySelector("input:not([type=hidden]), select, textarea");
    if (input) input.focus({ preventScroll: true });
  }

  if (nav && steps.length) {
    form.classList.add("stepped");
    nav.hidden = false;
    form.querySelectorAll("[data-step-nav]").forEach((node) => { node.hidden = false; });
    const troubled = links.find((link) => link.classList.contains("troubled"));
    show(troubled ? troubled.dataset.stepLink : "basics", { scroll: false });
    nav.addEventListener("click", (event) => {
      const link = event.target.closest("[data-step-link]");
      if (!link) return;
      event.preventDefault();
      show(link.dataset.stepLink);
    });
    form.addEventListener("click", (event) => {
      const button = event.target.closest("[data-step-go]");
      if (button) show(button.dataset.stepGo);
    });
  }

  // Links to a field (the error summary, the policy's problems, the approver's request) open its step.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link || link.closest("[data-stepper]")) return;
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target || !form.contains(target)) return;
    event.preventDefault();
    reveal(target);
    history.replaceState(null, "", link.getAttribute("href"));
  });
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  const linked = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (linked && form.contains(linked)) reveal(linked);

  // --- Metric rows: only the fields the metric's kind and role need --------------------------
  // The table comes from experiments.validation.metric_row_fields, the rule the server applies.
  const kinds = json("metric-kinds", {});
  const needs = json("metric-fields", {});

  function neededFields(row) {
    const metric = row.querySelector("select[name$='-metric']");
    const role = row.querySelector("select[name$='-role']");
    const kind = metric && kinds[metric.value];
    return kind && role && role.value && needs[kind] ? needs[kind][role.value] || null : null;
  }

  function fitRow(row) {
    const fields = neededFields(row);
    row.querySelectorAll("[data-plan-field]").forEach((node) => {
      const name = node.dataset.planField;
      node.hidden = !fields || (name !== "effect_unit" && !fields.includes(name));
    });
  }

  function fitRows() {
    form.querySelectorAll("#metrics-rows [data-row]").forEach(fitRow);
  }

  // --- AI safeguards: asked when a chosen sensitive category needs them ----------------------
  const aiCategories = new Set(json("ai-category-ids", []));
  const aiFields = form.querySelector("[data-ai-fields]");

  function fitAiFields() {
    if (!aiFields) return;
    const chosen = Array.from(form.querySelectorAll("input[name=sensitive_categories]:checked"))
      .some((box) => aiCategories.has(box.value));
    const written = Array.from(aiFields.querySelectorAll("textarea, input"))
      .some((input) => input.value.trim() !== "");
    aiFields.hidden = !(chosen || written || aiFields.querySelector(".field-error, .policy-problem"));
  }

  form.addEventListener("change", () => { fitRows(); fitAiFields(); });
  fitRows();
  fitAiFields();

  // --- Co-authors: a search box over the list --------------------------------------------------
  form.querySelectorAll("select[data-searchable]").forEach((select) => {
    const search = document.createElement("input");
    search.type = "search";
    search.className = "list-search";
    search.placeholder = select.dataset.textSearch || "";
    search.setAttribute("aria-label", select.dataset.textSearch || "");
    search.setAttribute("aria-controls", select.id);
    const chosen = document.createElement("small");
    chosen.className = "chosen-people";
    chosen.setAttribute("aria-live", "polite");
    const sayChosen = () => {
      const names = Array.from(select.selectedOptions).map((option) => option.textContent.trim());
      chosen.textContent = names.length ? `${select.dataset.textChosen || ""} ${names.join(", ")}` : "";
    };
    search.addEventListener("input", () => {
      const words = search.value.trim().toLowerCase();
      Array.from(select.options).forEach((option) => {
        option.hidden = words !== "" && !option.selected && !option.textContent.toLowerCase().includes(words);
      });
    });
    // Enter in the search box must not submit the form.
    search.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
    select.addEventListener("change", sayChosen);
    select.before(search);
    select.after(chosen);
    sayChosen();
  });
})();
