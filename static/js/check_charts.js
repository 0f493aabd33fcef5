// The experiment page's check charts: one per metric, the effect estimate and its interval over the
// daily checks, with the boundary to pass and (guardrails) the margin. The figures come from the
// page (#check-charts, json_script: the checks' own results); Chart.js is vendored, no CDN. Its own
// words come from the JavaScript catalogue (gettext: /jsi18n/), its numbers are written as the
// page's language writes them (formatNumber: static/js/numbers.js).
(function () {
  const source = document.getElementById("check-charts");
  if (!source || typeof window.Chart === "undefined") return;
  const specs = JSON.parse(source.textContent);
  const colours = {
    estimate: "#1d5fa8",
    band: "rgba(29, 95, 168, 0.16)",
    boundary: "#1f7a3f",
    margin: "#b3261e",
    zero: "#5d6b7a",
    grid: "rgba(0, 0, 0, 0.07)",
    text: "#373c44",
  };
  const phone = window.matchMedia("(max-width: 576px)").matches;

  function number(value) {
    if (value === null || value === undefined) return "—";
    const size = Math.abs(value);
    const decimals = size < 10 ? 2 : size < 100 ? 1 : 0;
    const rounded = Number(value.toFixed(decimals));
    const text = formatNumber(rounded);
    return rounded > 0 ? `+${text}` : text;
  }

  function withUnit(text, unit) {
    if (!unit || text === "—") return text;
    if (unit === "%") return `${text}%`;
    const one = text.replace(/^[+-]/, "") === "1";
    return `${text} ${one && unit.endsWith("points") ? unit.slice(0, -1) : unit}`;
  }

  // A round tick step (1, 2 or 5 times a power of ten) giving about `count` ticks over `span`.
  function niceStep(span, count) {
    const raw = span / count;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const scaled = raw / power;
    return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
  }

  // The y range the reader needs: every estimate, the latest interval, zero, the margin and the
  // latest boundary. The first looks' intervals and boundaries are very wide (little data yet);
  // they run off the top and bottom instead of flattening everything else.
  function yRange(spec) {
    const last = spec.estimate.length - 1;
    const values = [0, spec.low[last], spec.high[last], spec.boundary[last], spec.margin]
      .concat(spec.estimate)
      .filter((v) => v !== null && v !== undefined && Number.isFinite(v));
    const low = Math.min(...values);
    const high = Math.max(...values);
    const pad = Math.max((high - low) * 0.1, 0.1);
    const step = niceStep(high - low + 2 * pad, phone ? 4 : 6);
    return { min: Math.floor((low - pad) / step) * step, max: Math.ceil((high + pad) / step) * step, step };
  }

  function draw(spec) {
    const canvas = document.getElementById(spec.id);
    if (!canvas) return;
    const flat = (value) => spec.labels.map(() => value);
    const datasets = [
      // The interval: its upper edge filled down to the next dataset (its lower edge).
      { key: "high", label: spec.interval_label, data: spec.high, fill: "+1", backgroundColor: colours.band, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, pointStyle: "rect", spanGaps: false },
      { key: "low", label: "", data: spec.low, fill: false, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, spanGaps: false },
      { key: "estimate", label: gettext("Estimate"), data: spec.estimate, borderColor: colours.estimate, backgroundColor: colours.estimate, borderWidth: 2, pointRadius: phone ? 2 : 3, pointStyle: "circle", spanGaps: false },
      { key: "boundary", label: spec.boundary_label || gettext("Boundary to pass"), data: spec.boundary, borderColor: colours.boundary, backgroundColor: colours.boundary, borderWidth: 1.5, borderDash: [6, 4], pointRadius: 0, pointStyle: "line", spanGaps: false },
    ];
    if (spec.margin !== null) {
      datasets.push({ key: "margin", label: `${spec.margin_label || gettext("Margin")} (${withUnit(number(spec.margin), spec.unit)})`, data: flat(spec.margin), borderColor: colours.margin, backgroundColor: colours.margin, borderWidth: 2, borderDash: [2, 3], pointRadius: 0, pointStyle: "line" });
    }
    const range = yRange(spec);
    const chart = new window.Chart(canvas, {
      type: "line",
      data: { labels: spec.labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            title: { display: !phone, text: gettext("Check date"), color: colours.text },
            ticks: { color: colours.text, maxRotation: 0, autoSkip: true, autoSkipPadding: 12 },
            grid: { color: colours.grid },
          },
          y: {
            min: range.min,
            max: range.max,
            title: { display: true, text: phone ? spec.axis_short : spec.axis, color: colours.text },
            ticks: { color: colours.text, stepSize: range.step, callback: (value) => number(value) },
            // The zero line (no difference) stands out from the grid.
            grid: { color: (ctx) => (ctx.tick && ctx.tick.value === 0 ? colours.zero : colours.grid), lineWidth: (ctx) => (ctx.tick && ctx.tick.value === 0 ? 1.5 : 1) },
          },
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              color: colours.text,
              usePointStyle: true,
              pointStyleWidth: 24,
              boxHeight: 8,
              // Samples as drawn: a band for the interval, a line (dashed where dashed) for the rest.
              generateLabels: (chart) =>
                window.Chart.defaults.plugins.legend.labels
                  .generateLabels(chart)
                  .filter((item) => item.text !== "")
                  .map((item) => Object.assign(item, { pointStyle: item.text === spec.interval_label ? "rect" : "line", lineWidth: item.text === spec.interval_label ? 0 : 2 })),
            },
          },
          tooltip: {
            filter: (item) => item.dataset.key !== "low",
            callbacks: {
              title: (items) => (items.length ? interpolate(gettext("Check of %(date)s"), { date: spec.dates[items[0].dataIndex] }, true) : ""),
              label: (item) => {
                const i = item.dataIndex;
                if (item.dataset.key === "high") {
                  return interpolate(
                    gettext("%(interval)s: %(low)s to %(high)s"),
                    { interval: spec.interval_label, low: number(spec.low[i]), high: withUnit(number(spec.high[i]), spec.unit) },
                    true,
                  );
                }
                return `${item.dataset.label}: ${withUnit(number(item.raw), spec.unit)}`;
              },
            },
          },
        },
      },
    });
    canvas.dataset.drawn = "true";
    return chart;
  }

  specs.forEach(draw);
})();
