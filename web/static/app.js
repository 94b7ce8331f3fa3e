// ordercare: the little behaviour htmx does not give us. Loaded from a file
// (the CSP allows no inline script); everything works without it too.
(function () {
  "use strict";

  // Show error answers (4xx/5xx HTML fragments from the server's error
  // handler) in the request's target instead of dropping them silently.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.status >= 400 && type.indexOf("text/html") === 0) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // Search as you type only where the page has a #results region; elsewhere
  // the search box is a plain form and Enter opens the results page.
  document.addEventListener("htmx:confirm", function (e) {
    var el = e.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-live-search") && !document.getElementById("results")) {
      e.preventDefault();
    }
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute("data-search-form") || !document.getElementById("results") || !window.htmx) {
      return;
    }
    var input = form.querySelector("[data-live-search]");
    if (input) {
      e.preventDefault();
      window.htmx.trigger(input, "search");
    }
  });
})();
