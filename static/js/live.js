// Keeps a back-office section current: every 10 seconds (while the tab is visible) it fetches
// the section's HTML from data-live-url and swaps it in; the status line says when it last did.
(function () {
  "use strict";
  const box = document.querySelector("[data-live-url]");
  const status = document.getElementById("live-status");
  if (!box) return;
  const every = 10000;

  function say(text) {
    if (status) status.firstChild.textContent = text + " ";
  }

  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(box.dataset.liveUrl, {credentials: "same-origin", cache: "no-store"});
      if (!response.ok) throw new Error(String(response.status));
      box.innerHTML = await response.text();
      say(box.dataset.updated.replace("%(time)s", new Date().toLocaleTimeString()));
    } catch (error) {
      say(box.dataset.failed);
    }
  }

  setInterval(refresh, every);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refresh();
  });
})();
