// Inventory forms (initial stock, slips by hand): add product rows without a round trip.
// Without JavaScript the "Add a line" button posts the form and the page comes back with
// one more row.
(() => {
  function addLine(button) {
    const form = button.form;
    const total = form && form.querySelector("input[name='lines-TOTAL_FORMS']");
    const template = document.getElementById("line-template");
    const rows = document.getElementById("line-rows");
    const table = document.getElementById("line-table");
    if (!total || !template || !rows || !table) return false;
    const count = parseInt(total.value, 10) || 0;
    const limit = parseInt(table.dataset.maxLines, 10) || 0;
    if (limit && count >= limit) {
      button.disabled = true;
      return true;
    }
    const html = template.innerHTML
      .replace(/__prefix__/g, String(count))
      .replace(/__number__/g, String(count + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(count + 1);
    const added = rows.lastElementChild;
    const product = added && added.querySelector("select");
    if (product) product.focus();
    if (limit && count + 1 >= limit) button.disabled = true;
    return true;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-add-line]");
    if (button && addLine(button)) event.preventDefault();
  });
})();
