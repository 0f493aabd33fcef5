// Numbers as the page's language writes them, with Django's formats for that language (from the
// JavaScript catalogue, /jsi18n/, loaded before this file): 12,500.5 in English, 12.500,5 in
// Bahasa Indonesia. formatNumber(value) keeps the value's own decimals; formatNumber(value, 2)
// rounds to two.
(function () {
  "use strict";
  const format = (name, fallback) => (typeof window.get_format === "function" ? window.get_format(name) : fallback);

  function formatNumber(value, decimals) {
    const number = Number(value);
    if (!Number.isFinite(number)) return String(value);
    const fixed = decimals === undefined ? String(number) : number.toFixed(decimals);
    const negative = fixed.startsWith("-");
    const [whole, fraction] = fixed.replace(/^-/, "").split(".");
    const grouping = Number(format("NUMBER_GROUPING", 3)) || 3;
    const grouped = whole.replace(new RegExp(`\\B(?=(\\d{${grouping}})+(?!\\d))`, "g"), format("THOUSAND_SEPARATOR", ","));
    return (negative ? "-" : "") + grouped + (fraction ? format("DECIMAL_SEPARATOR", ".") + fraction : "");
  }

  window.formatNumber = formatNumber;
})();
