// Live sample-size and duration plan for the propose/edit form.
// Reads the form, POSTs JSON to the calculator API (session auth + CSRF header), renders the answer.
(function () {
  const form = document.getElementById("experiment-form");
  const output = form && form.querySelector("[data-calculator-output]");
  if (!form || !output) return;
  const url = form.dataset.calculatorUrl;
  const metricKeys = JSON.parse(document.getElementById("metric-keys").textContent);
  // Which planning fields each row sends: the rule's table (experiments.validation.metric_row_fields),
  // so a value left in a field the row does not show is not sent, as the server ignores it.
  const metricKinds = JSON.parse((document.getElementById("metric-kinds") || { textContent: "{}" }).textContent);
  const metricFields = JSON.parse((document.getElementById("metric-fields") || { textContent: "{}" }).textContent);
  const csrfToken = form.querySelector("[name=csrfmiddlewaretoken]").value;
  // Translated sentences from the page (experiments/views/calculator_text.py), %(name)s placeholders.
  const T = JSON.parse(document.getElementById("calculator-text").textContent);
  const say = (key, values = {}) => T[key].replace(/%\((\w+)\)s/g, (_, name) => String(values[name])).replace(/%%/g, "%");
  const fieldLabels = T.fields;
  let timer = null;
  let latest = 0;

  const field = (name) => form.elements.namedItem(name);
  const text = (name) => (field(name) ? field(name).value.trim() : "");
  const number = (name) => {
    const raw = text(name);
    if (raw === "") return null;
    const value = Number(raw);
    return Number.isFinite(value) ? value : null;
  };
  const checked = (name) => Boolean(field(name) && field(name).checked);

  function rowPrefixes(prefix) {
    const total = Number(text(`${prefix}-TOTAL_FORMS`)) || 0;
    const prefixes = [];
    for (let i = 0; i < total; i += 1) {
      const p = `${prefix}-${i}-`;
      if (checked(`${p}DELETE`)) continue;
      prefixes.push(p);
    }
    return prefixes;
  }

  function readPayload() {
    const variants = rowPrefixes("variants")
      .filter((p) => text(`${p}key`) !== "")
      .map((p) => ({ key: text(`${p}key`), weight: number(`${p}weight`), is_control: checked(`${p}is_control`) }));
    const metrics = rowPrefixes("metrics")
      .filter((p) => text(`${p}metric`) !== "")
      .map((p) => {
        const kind = metricKinds[text(`${p}metric`)];
        const role = text(`${p}role`);
        const needed = kind && role && metricFields[kind] ? metricFields[kind][role] : null;
        const planning = (name) => (!needed || needed.includes(name) ? number(`${p}${name}`) : null);
        return {
          metric: metricKeys[text(`${p}metric`)] || null,
          role: role || null,
          effect_unit: text(`${p}effect_unit`) || "absolute",
          minimum_detectable_effect: planning("minimum_detectable_effect"),
          non_inferiority_margin: planning("non_inferiority_margin"),
          baseline_rate: planning("baseline_rate"),
          baseline_mean: planning("baseline_mean"),
          baseline_sd: planning("baseline_sd"),
        };
      });
    const payload = {
      alpha: number("alpha"),
      power: number("power"),
      expected_daily_traffic: number("expected_daily_traffic"),
      exposure_cap_pct: number("exposure_cap_pct"),
      variants,
      metrics,
    };
    if (text("planned_start")) payload.planned_start = text("planned_start");
    if (text("planned_end")) payload.planned_end = text("planned_end");
    if (number("min_runtime_days") !== null) payload.min_runtime_days = number("min_runtime_days");
    const rho = number("expected_correlation");
    if (rho !== null && rho > 0) payload.expected_correlation = rho;
    return payload;
  }

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function show(...nodes) {
    output.replaceChildren(...nodes);
  }

  function hint(message, details) {
    const nodes = [element("p", "muted", message)];
    if (details && details.length) {
      const list = element("ul", "calculator-problems");
      details.slice(0, 5).forEach((line) => list.append(element("li", "", line)));
      nodes.push(list);
    }
    show(...nodes);
  }

  const grouped = (n) => Number(n).toLocaleString(document.documentElement.lang || "en-GB");

  function stat(value, label) {
    const box = element("div", "stat");
    box.append(element("span", "stat-value", value), element("span", "stat-label", label));
    return box;
  }

  function renderPlan(plan) {
    const summary = element("div", `plan-summary${plan.fits ? "" : " plan-short"}`);
    summary.append(
      stat(grouped(plan.total_units), say("units_in_total")),
      stat(plan.days_needed === null ? "?" : grouped(plan.days_needed), say("days_needed")),
      stat(plan.planned_days === null ? "?" : grouped(plan.planned_days), say("days_planned")),
    );
    const arms = Object.entries(plan.units_per_arm).map(([key, units]) => `${key} ${grouped(units)}`).join("; ");
    const detail = element(
      "p", "",
      say("per_arm", { arms, daily: grouped(Math.round(plan.daily_units)) })
        + (plan.deciding_metric ? ` ${say("deciding", { metric: plan.deciding_metric })}` : ""),
    );
    const nodes = [summary];
    if (plan.fits) {
      nodes.push(element("p", "ok-text", say("fits")));
    } else if (!plan.warnings || !plan.warnings.length) {
      nodes.push(element("p", "warn-text", say("too_short")));
    }
    if (plan.warnings && plan.warnings.length) {
      const list = element("ul", "warnings");
      plan.warnings.forEach((w) => list.append(element("li", "", w)));
      nodes.push(list);
    }
    nodes.push(detail);
    if (plan.expected_correlation > 0 && plan.total_units_without_cuped) {
      nodes.push(plan.total_units < plan.total_units_without_cuped
        ? element(
          "p", "ok-text cuped-plan",
          say("cuped_gain", {
            rho: plan.expected_correlation,
            units: grouped(plan.total_units),
            without: grouped(plan.total_units_without_cuped),
          }),
        )
        : element("p", "muted cuped-plan", say("cuped_none")));
    }
    // The policy's limits, said by the server's contract check (experiments/contract.py).
    if (plan.policy_problems && plan.policy_problems.length) {
      const list = element("ul", "policy-problems");
      plan.policy_problems.forEach((p) => list.append(element("li", "policy-problem", p.message)));
      nodes.push(list);
    }
    // Always said: the plan is computed at the capped exposure (the server caps it at the policy's maximum).
    const entered = number("exposure_cap_pct");
    if (plan.planned_exposure_pct) {
      const capped = entered !== null && Number(plan.planned_exposure_pct) < entered;
      nodes.push(element(
        "p", "muted calculator-exposure",
        say(capped ? "exposure_capped" : "exposure_entered", { pct: plan.planned_exposure_pct }),
      ));
    }
    if (plan.looks > 1) {
      const deciding = plan.metrics.find((m) => m.name === plan.deciding_metric);
      const factor = deciding ? deciding.inflation.toFixed(3) : "";
      nodes.push(element(
        "p", "muted",
        say("looks", { looks: plan.looks, factor }),
      ));
    }
    show(...nodes);
  }

  // The API's refusal ({detail, code, problems: [{field, message}]}, fields dotted as
  // "metrics.1.baseline_rate") -> readable lines ("Metric row 2, baseline rate: ...").
  function describeField(name) {
    const parts = (name || "").split(".").filter(Boolean);
    const words = [];
    for (let i = 0; i < parts.length; i += 1) {
      const part = parts[i];
      const row = Number(parts[i + 1]);
      if ((part === "metrics" || part === "variants") && Number.isInteger(row) && parts[i + 1] !== "") {
        words.push(say(part === "metrics" ? "metric_row" : "variant_row", { number: row + 1 }));
        i += 1;
      } else {
        words.push(fieldLabels[part] || part);
      }
    }
    return words.join(", ");
  }

  function describeErrors(refusal) {
    const problems = (refusal && Array.isArray(refusal.problems)) ? refusal.problems : [];
    if (!problems.length) return refusal && refusal.detail ? [refusal.detail] : [];
    return problems.map((p) => {
      const where = describeField(p.field);
      return where ? `${where}: ${p.message}` : p.message;
    });
  }

  function headline(refusal) {
    const fields = ((refusal && refusal.problems) || []).map((p) => p.field || "");
    if (fields.some((f) => f === "metrics" || f.startsWith("metrics."))) return say("complete_metrics");
    if (fields.some((f) => f === "variants" || f.startsWith("variants."))) return say("complete_variants");
    return say("complete_plan");
  }

  async function calculate() {
    const payload = readPayload();
    if (payload.variants.length < 2 || payload.metrics.length < 1) {
      hint(say("add_rows"));
      return;
    }
    const ticket = ++latest;
    output.setAttribute("aria-busy", "true");
    let response;
    let body = null;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
        credentials: "same-origin",
        body: JSON.stringify(payload),
      });
      body = await response.json().catch(() => null);
    } catch (error) {
      response = null;
    }
    if (ticket !== latest) return; // a newer request is on its way
    output.removeAttribute("aria-busy");
    if (response && response.ok && body) renderPlan(body);
    else if (response && response.status === 400) hint(headline(body), describeErrors(body));
    else hint(say("unavailable"));
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(calculate, 400);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  calculate();
})();
