/* Barzan's shell: the Jalali date picker and htmx settings. No network access. */
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

  // Fields swapped in by htmx get the date picker too.
  document.addEventListener("htmx:afterSettle", function () {
    if (window.jalaliDatepicker) window.jalaliDatepicker.updateOptions({});
  });

  // Confirm dangerous buttons (data-confirm="…") before they submit.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
