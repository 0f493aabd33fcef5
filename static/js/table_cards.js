// Tables become cards on a phone (components.css, "table.as-cards"); a wide table never widens the page.
(function () {
  "use strict";

  // Tables become cards on a phone: each cell gets its column's heading as data-label, which
  // components.css shows before the value. Tables with their own phone layout are left alone.
  var OWN_LAYOUT = ".experiment-table, .live-table, table.diff, [data-cards='off']";
  function labelTable(table) {
    if (table.matches(OWN_LAYOUT) || !table.tHead) return;
    var headings = Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) {
      return cell.textContent.replace(/\s+/g, " ").trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && headings[column]) cell.setAttribute("data-label", headings[column]);
          column += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("as-cards");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("main table").forEach(labelTable);
  });
})();
