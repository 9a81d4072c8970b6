// Share buttons: "Copy the link", the phone's own share sheet for a link (Web Share API), and
// "Send the poster…", which hands the poster's PNG itself to the share sheet (chat apps take
// it as a picture). Each starts hidden and appears only where the browser can do it; the
// poster's button may arrive later in an htmx swap, so clicks are handled by delegation.
(function () {
  "use strict";

  function copyButton(button) {
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input || !navigator.clipboard) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = button.getAttribute("data-copied");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        input.select();
      });
    });
  }

  function shareButton(button) {
    if (!navigator.share) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({
        title: button.getAttribute("data-share-title"),
        url: button.getAttribute("data-share-url"),
      }).catch(function () { /* the person closed the share sheet */ });
    });
  }

  function canShareFiles() {
    if (!navigator.canShare || !window.File) {
      return false;
    }
    var probe = new File([""], "probe.png", { type: "image/png" });
    return navigator.canShare({ files: [probe] });
  }

  function revealFileButtons() {
    if (!canShareFiles()) {
      return;
    }
    document.querySelectorAll("[data-share-file]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function shareFile(button) {
    fetch(button.getAttribute("data-share-file"), { credentials: "same-origin" })
      .then(function (response) { return response.blob(); })
      .then(function (blob) {
        var file = new File([blob], button.getAttribute("data-share-name"), { type: blob.type });
        return navigator.share({ files: [file], title: button.getAttribute("data-share-title") });
      })
      .catch(function () { /* closed, or the download below still works */ });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-share-file]");
    if (button) {
      shareFile(button);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(copyButton);
    document.querySelectorAll("[data-share-url]").forEach(shareButton);
    revealFileButtons();
  });
  document.addEventListener("htmx:afterSwap", revealFileButtons);
})();
