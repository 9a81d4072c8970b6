// Share buttons: "Copy the link" and the phone's own share sheet (Web Share API).
// Both start hidden and appear only where the browser can do what they promise.
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

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(copyButton);
    document.querySelectorAll("[data-share-url]").forEach(shareButton);
  });
})();
