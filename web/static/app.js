// ordercare: the little behaviour htmx does not give us. Loaded from a file
// (the CSP allows no inline script); everything works without it too.
(function () {
  "use strict";

  // Tell the server the agent's time zone, so times and "expires in 3 days"
  // are shown in it (the tz cookie; the server falls back to its own zone).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + zone) === -1) {
      document.cookie = "tz=" + zone + ";path=/;SameSite=Lax;max-age=31536000";
    }
  } catch (err) { /* no Intl: server zone */ }

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
  // the search box stays a plain form and Enter opens the results page.
  // Deferred scripts run before htmx processes the page at DOMContentLoaded,
  // so removing the attributes here keeps htmx from ever wiring them.
  if (!document.getElementById("results")) {
    var live = document.querySelectorAll("[data-live-search]");
    for (var i = 0; i < live.length; i++) {
      ["hx-get", "hx-trigger", "hx-target", "hx-push-url"].forEach(function (a) {
        live[i].removeAttribute(a);
      });
    }
  }
  // A change form opened in the order page's #order-form panel: move focus
  // to its heading so keyboard and screen-reader users land in it; Close
  // empties the panel (without JavaScript it is a link to the order page).
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail.target;
    if (target && target.id === "order-form") {
      var title = target.querySelector("#form-title");
      if (title) {
        title.focus();
        title.scrollIntoView({ block: "nearest" });
      }
    }
  });
  // Keyboard: Escape closes the panel like Close does, and both give focus
  // back to the action that opened it; after a change succeeded (the
  // server swaps #order-page) focus goes to the confirmation, not to the
  // top of the page.
  var opener = null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.getAttribute && elt.getAttribute("hx-target") === "#order-form" && elt.tagName === "A") {
      opener = elt;
    }
  });
  function closePanel(panel) {
    panel.innerHTML = "";
    if (opener && document.body.contains(opener)) {
      opener.focus();
    }
  }
  document.addEventListener("click", function (e) {
    var close = e.target.closest ? e.target.closest("[data-close-form]") : null;
    var panel = document.getElementById("order-form");
    if (close && panel && panel.contains(close) && document.getElementById("order-actions")) {
      e.preventDefault();
      closePanel(panel);
    }
  });
  document.addEventListener("keydown", function (e) {
    var panel = document.getElementById("order-form");
    if (e.key !== "Escape" || e.defaultPrevented || !panel || !panel.firstElementChild ||
        !document.getElementById("order-actions") || !panel.contains(document.activeElement)) {
      return;
    }
    e.preventDefault();
    closePanel(panel);
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || xhr.getResponseHeader("HX-Retarget") !== "#order-page") {
      return;
    }
    var flash = document.querySelector("#order-flash [data-testid='flash']");
    if (flash) {
      flash.setAttribute("tabindex", "-1");
      flash.focus();
    }
  });
  // Capture and refund forms: typing a quantity or an amount chooses the
  // matching mode ("Chosen lines", "An amount"), so what is sent is what
  // was typed. The live preview fires 300 ms later and sees the choice.
  // Without JavaScript the server infers the mode from the typed values.
  document.addEventListener("input", function (e) {
    var t = e.target;
    if (!t || t.type === "radio" || !t.value || !t.closest || !t.form) {
      return;
    }
    var area = t.closest("[data-selects-mode]");
    if (!area) {
      return;
    }
    var radio = t.form.querySelector('input[type="radio"][name="mode"][value="' + area.getAttribute("data-selects-mode") + '"]');
    if (radio && !radio.checked) {
      radio.checked = true;
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
