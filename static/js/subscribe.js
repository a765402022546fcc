// Subscribe panel: the Copy button next to a calendar address.
// Uses the asynchronous clipboard API where the page is allowed to, else selects the text and
// falls back to execCommand("copy"). The result is announced in the panel's aria-live region.
(function () {
  "use strict";
  if (window.meetingsSubscribe) {
    return; // several panels on one page each include this script
  }
  window.meetingsSubscribe = true;

  function legacyCopy(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function announce(status, message) {
    // Clear first so the same message is announced again on a second click.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function copy(button) {
    var input = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!input || !status) {
      return;
    }
    function done() {
      announce(status, button.dataset.copied);
    }
    function failed() {
      input.focus();
      input.select();
      announce(status, button.dataset.copyFailed);
    }
    function fallback() {
      if (legacyCopy(input)) {
        done();
      } else {
        failed();
      }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (button) {
      copy(button);
    }
  });

  function showButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showButtons);
  } else {
    showButtons();
  }
})();
