// Canned responses fill the reply box; a poll reloads the page when the customer writes
// (unless the agent is typing a reply).
(function () {
  "use strict";
  const script = document.currentScript;
  const id = script.dataset.ticket;
  let count = Number(script.dataset.count);
  let status = script.dataset.status;
  const canned = document.getElementById("canned");
  const text = document.getElementById("reply-text");
  if (canned && text) {
    canned.addEventListener("change", () => {
      const option = canned.selectedOptions[0];
      if (option && option.dataset.text) {
        text.value = text.value ? text.value + "\n" + option.dataset.text : option.dataset.text;
        text.focus();
      }
    });
  }
  // When the 24-hour window closes while the page is open, show the template choice.
  const window24 = document.getElementById("window");
  const left = window24 ? Number(window24.dataset.secondsLeft) : 0;
  if (left > 0 && left < 86400) setTimeout(() => location.reload(), left * 1000 + 1000);
  document.querySelectorAll("[data-jump]").forEach((a) => a.addEventListener("click", (e) => {
    e.preventDefault();
    const target = document.querySelector('[data-media-id="' + a.dataset.jump + '"]');
    if (target) target.scrollIntoView({behavior: "smooth"});
  }));
  setInterval(async () => {
    const answer = await fetch("/tickets/" + id + "/messages.json", {credentials: "same-origin"});
    if (!answer.ok) return;
    const data = await answer.json();
    const typing = text && text.value.trim();
    if ((data.count !== count || data.status !== status) && !typing) location.reload();
  }, 5000);
})();
