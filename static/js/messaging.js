// SMS and e-mail forms: a live character and message count under an SMS text (one message
// up to 70 characters, beyond that 67 per part, as Chinese gateways count), and choosing a
// template fills in its text (each option carries it in data-body / data-subject).
(function () {
  "use strict";

  function smsParts(text) {
    const characters = Array.from(text).length;
    if (characters === 0) return [0, 0];
    if (characters <= 70) return [characters, 1];
    return [characters, Math.ceil(characters / 67)];
  }

  function updateCount(textarea) {
    const output = document.getElementById(textarea.dataset.smsCounter);
    if (!output) return;
    const [characters, parts] = smsParts(textarea.value);
    output.textContent = (output.dataset.format || "[characters] / [parts]")
      .replace("[characters]", characters)
      .replace("[parts]", parts);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-sms-counter]")) updateCount(event.target);
  });

  document.addEventListener("change", function (event) {
    const select = event.target;
    if (!select.matches("select[name=template]")) return;
    const option = select.selectedOptions[0];
    if (!option || !option.value) return;
    const form = select.form;
    const body = form.querySelector("textarea[name=body]");
    const subject = form.querySelector("input[name=subject]");
    if (body) {
      body.value = option.dataset.body || "";
      if (body.dataset.smsCounter) updateCount(body);
    }
    if (subject && option.dataset.subject) subject.value = option.dataset.subject;
  });

  document.querySelectorAll("textarea[data-sms-counter]").forEach(updateCount);
})();
