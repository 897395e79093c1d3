/* Barzan's shell: the Jalali date picker, progress bars and confirmations. No network access.
   Data goes into the page as text (textContent), never as HTML. */
(function () {
  "use strict";

  function startDatePicker() {
    if (!window.jalaliDatepicker) return;
    var persian = document.documentElement.lang === "fa";
    window.jalaliDatepicker.startWatch({
      persianDigits: persian,
      separatorChars: { date: "/" },
      autoShow: true,
      hideAfterChange: true,
      showTodayBtn: true,
      showEmptyBtn: true,
      zIndex: 2000
    });
  }

  document.addEventListener("DOMContentLoaded", startDatePicker);

  // Progress bars carry their width in data-progress: the Content-Security-Policy refuses
  // style attributes, but a style set from a script is allowed.
  function setProgressWidths(root) {
    root.querySelectorAll(".progress-bar[data-progress]").forEach(function (bar) {
      var percent = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-progress")) || 0));
      bar.style.width = percent + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setProgressWidths(document); });

  // Fields swapped in by htmx get the date picker too, and progress bars their width.
  document.addEventListener("htmx:afterSettle", function () {
    if (window.jalaliDatepicker) window.jalaliDatepicker.updateOptions({});
    setProgressWidths(document);
  });

  // Confirm dangerous buttons (data-confirm="…") before they submit.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
