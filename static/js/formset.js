// Rows of Django inline formsets: "Add" clones the formset's empty form and bumps TOTAL_FORMS;
// "Remove" ticks the row's DELETE box (the server then ignores or deletes it) and hides the row.
// Without JavaScript the add buttons stay hidden and each row shows its "Remove this row" box.
(function () {
  function removable(container) {
    if (container.dataset.ready) return;
    container.dataset.ready = "true";
    const box = container.querySelector("input[type=checkbox]");
    const row = container.closest("[data-row]");
    if (!box || !row) return;
    container.querySelector("label").hidden = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary outline remove-row";
    button.textContent = container.dataset.textRemove;
    button.addEventListener("click", () => {
      box.checked = true;
      row.hidden = true;
      const add = row.parentElement && document.querySelector(`[data-add-row="${row.parentElement.id.replace(/-rows$/, "")}"]`);
      if (add) add.focus();
      box.form.dispatchEvent(new Event("change", { bubbles: true }));
    });
    container.append(button);
    if (box.checked) row.hidden = true;
  }

  function prepare(root) {
    root.querySelectorAll("[data-remove-row]").forEach(removable);
  }

  document.querySelectorAll("[data-add-row]").forEach((button) => { button.hidden = false; });
  prepare(document);

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-add-row]");
    if (!button) return;
    const prefix = button.dataset.addRow;
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const template = document.getElementById(`${prefix}-empty`);
    const rows = document.getElementById(`${prefix}-rows`);
    if (!total || !template || !rows) return;
    const index = Number(total.value);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    prepare(rows.lastElementChild);
    const first = rows.lastElementChild.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
    button.form.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
