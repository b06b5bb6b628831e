// Parts of a page worked out after it is shown (the 待办 count in the header, the 待办 panel of the home page):
// each element with data-fragment="URL" is replaced by the HTML fragment at that URL, once, when the page loads.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-fragment]").forEach(function (el) {
      fetch(el.getAttribute("data-fragment"), { credentials: "same-origin", headers: { "X-Fragment": "1" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (html) { el.outerHTML = html; } })
        .catch(function () { /* the page works without it: the 待办 link stays */ });
    });
  });
})();
