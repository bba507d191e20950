// Customer pages: tick every row of a list at once; show the sharing level only for sharing.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-pick-all]");
  if (!all) return;
  const form = all.form || all.closest("form");
  form.querySelectorAll(`input[type=checkbox][name='${all.dataset.pickAll}']`).forEach((box) => {
    box.checked = all.checked;
  });
});

function showShareLevel(form) {
  const action = form.querySelector("select[name='action']");
  const level = form.querySelector("[data-share-only]");
  if (action && level) level.hidden = action.value !== "share";
}

document.addEventListener("change", (event) => {
  if (event.target.matches("select[name='action']") && event.target.form) {
    showShareLevel(event.target.form);
  }
});

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form#bulk-form").forEach(showShareLevel);
});
