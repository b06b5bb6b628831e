// The bulk bar of a list: each action button is enabled only when every ticked row allows it (the rows carry
// the actions the workflow engine allows them in data-actions); "select all" ticks every row of the page.
(function () {
  "use strict";
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("input[data-actions]")); }
  function refresh() {
    var ticked = boxes().filter(function (b) { return b.checked; });
    document.querySelectorAll("[data-bulk-action]").forEach(function (button) {
      var action = button.getAttribute("data-bulk-action");
      button.disabled = ticked.length === 0 || !ticked.every(function (b) {
        return b.getAttribute("data-actions").split(" ").indexOf(action) >= 0;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    boxes().forEach(function (b) { b.addEventListener("change", refresh); });
    var all = document.querySelector("[data-bulk-all]");
    if (all) {
      all.addEventListener("change", function () {
        boxes().forEach(function (b) { b.checked = all.checked; });
        refresh();
      });
    }
    refresh();
  });
})();
