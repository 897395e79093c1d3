/* The data-entry grid: cells save on their own (htmx), so the per-row Save buttons are
   only for browsers without scripts; Enter moves to the next figure. No network access. */
(function () {
  "use strict";

  function hideSaveButtons(root) {
    if (!window.htmx) return;
    root.querySelectorAll(".entry-save").forEach(function (button) {
      button.classList.add("d-none");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    hideSaveButtons(document);

    // Choosing another data set reloads the form with its areas and periods.
    var start = document.getElementById("entry-start");
    var dataSet = start && start.querySelector("select[name=data_set]");
    if (dataSet) {
      dataSet.addEventListener("change", function () {
        if (!dataSet.value) return;
        window.location.search = "?data_set=" + encodeURIComponent(dataSet.value);
      });
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    hideSaveButtons(document);
  });

  // Enter in a figure moves to the next one (leaving the box saves it) instead of
  // posting the whole row.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches(".entry-row input[type=text]")) {
      return;
    }
    event.preventDefault();
    var inputs = Array.prototype.slice.call(
      document.querySelectorAll(".entry-row input[name=value], .entry-row select[name=value]")
    );
    var row = input.closest(".entry-row");
    var index = inputs.findIndex(function (candidate) { return row.contains(candidate); });
    var next = inputs[index + 1];
    if (next) {
      next.focus();
      if (next.select) next.select();
    } else {
      input.blur();
    }
  });
})();
