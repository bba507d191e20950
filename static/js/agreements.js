// Contract and order forms: add line rows without a round trip, and fill a line's unit price
// from the chosen product's list price (each option carries it in data-price).
(() => {
  function fillPrice(select) {
    const row = select.closest("[data-line]");
    const price = row && row.querySelector("[data-unit-price]");
    if (!price) return;
    const option = select.selectedOptions[0];
    const listPrice = option ? option.dataset.price || "" : "";
    price.placeholder = listPrice || price.dataset.placeholder || price.placeholder;
    // Only a price the user has not typed is replaced: an empty one, or one filled before.
    if (price.value === "" || price.value === price.dataset.filled) {
      price.value = listPrice;
      price.dataset.filled = listPrice;
    }
  }

  function addLine(button) {
    const form = button.form;
    const total = form.querySelector("input[name='lines-TOTAL_FORMS']");
    const template = document.getElementById("line-template");
    const rows = document.getElementById("line-rows");
    if (!total || !template || !rows) return false;
    const count = parseInt(total.value, 10) || 0;
    const limit = parseInt(rows.dataset.maxLines, 10) || 0;
    if (limit && rows.querySelectorAll("[data-line]").length >= limit) {
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

  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-line] select")) fillPrice(event.target);
  });

  document.addEventListener("DOMContentLoaded", () => {
    const rows = document.getElementById("line-rows");
    const limit = rows ? parseInt(rows.dataset.maxLines, 10) || 0 : 0;
    if (limit && rows.querySelectorAll("[data-line]").length >= limit) {
      document.querySelectorAll("[data-add-line]").forEach((button) => {
        button.disabled = true;
      });
    }
    document.querySelectorAll("[data-line] select").forEach((select) => {
      const row = select.closest("[data-line]");
      const price = row.querySelector("[data-unit-price]");
      const option = select.selectedOptions[0];
      if (price && option && option.dataset.price) price.placeholder = option.dataset.price;
    });
  });
})();
