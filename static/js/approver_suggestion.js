// Suggest the chosen touchpoint's owner (its charter) as approver; fill the field only if empty.
(function () {
  "use strict";
  const data = document.getElementById("touchpoint-owners");
  const approver = document.querySelector("select[name='approver']");
  const hint = document.getElementById("approver-suggestion");
  if (!data || !approver || !hint) return;
  const owners = JSON.parse(data.textContent);

  function suggest() {
    const ticked = [...document.querySelectorAll("input[name='touchpoints']:checked")];
    const found = ticked.map((box) => owners[box.value]).find(Boolean);
    if (!found) {
      hint.hidden = true;
      return;
    }
    if (!approver.value) approver.value = found.owner;
    hint.textContent = interpolate(
      gettext("Suggested: %(name)s, owner of the %(touchpoint)s touchpoint."),
      { name: found.name, touchpoint: found.touchpoint },
      true,
    );
    hint.hidden = false;
  }

  document.querySelectorAll("input[name='touchpoints']").forEach((box) => box.addEventListener("change", suggest));
  suggest();
})();
