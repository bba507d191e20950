// Small behaviours shared by every page; no inline scripts (the CSP forbids them).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  const refresh = event.target.closest("[data-captcha-refresh]");
  if (!refresh) return;
  event.preventDefault();
  fetch(refresh.dataset.captchaRefresh, { headers: { "X-Requested-With": "XMLHttpRequest" } })
    .then((response) => response.json())
    .then((data) => {
      const form = refresh.closest("form");
      form.querySelector("img.captcha").src = data.image_url;
      form.querySelector("input[name='captcha_0']").value = data.key;
      const answer = form.querySelector("input[name='captcha_1']");
      answer.value = "";
      answer.focus();
    });
});

// An Export button carries the list's filters and sort as they stand now: a list that
// filters with htmx pushes them into the address, after the page (and its button) was drawn.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.export-buttons");
  if (!form) return;
  const params = new URLSearchParams(window.location.search);
  params.delete("page");
  form.querySelector("input[name='query']").value = params.toString();
});
