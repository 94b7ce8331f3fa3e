// ordercare: nothing typed is lost when a session ends. Every form that
// sends something is copied into this tab's sessionStorage just before it
// is sent. If the server answers with the sign-in page because the session
// had ended, the copy is kept; after the same member signs in again and is
// back on that form, the fields are filled in again and the form waits for
// them to check it and send it (it is never sent by this script). Anyone
// else signing in on this tab makes the copy be deleted unread, and any
// other answer deletes it. Hidden fields (the CSRF token, versions) and
// passwords are never copied: the form's own fresh values stay.
(function () {
  "use strict";

  var KEY = "ordercare.draft";
  var MAX_AGE_MS = 30 * 60 * 1000;

  function storage() {
    try {
      return window.sessionStorage;
    } catch (err) {
      return null; // storage disabled: nothing is kept
    }
  }
  function load() {
    var s = storage();
    if (!s) {
      return null;
    }
    try {
      return JSON.parse(s.getItem(KEY) || "null");
    } catch (err) {
      s.removeItem(KEY);
      return null;
    }
  }
  function save(d) {
    var s = storage();
    if (s) {
      try {
        s.setItem(KEY, JSON.stringify(d));
      } catch (err) { /* full: nothing is kept */ }
    }
  }
  function drop() {
    var s = storage();
    if (s) {
      s.removeItem(KEY);
    }
  }

  function member() {
    return document.body.getAttribute("data-member") || "";
  }
  // A form is known by where it sends to, which is also in the sign-in
  // page's way back (its own page for the order forms).
  function formKey(form) {
    var to = form.getAttribute("hx-post") || form.getAttribute("action") || "";
    try {
      return new URL(to, location.href).pathname;
    } catch (err) {
      return "";
    }
  }
  function copied(el) {
    var t = (el.type || "").toLowerCase();
    return el.name && !el.disabled && t !== "hidden" && t !== "password" && t !== "file" &&
      t !== "submit" && t !== "button" && t !== "reset";
  }

  function keep(form) {
    if (!form || (form.method || "").toLowerCase() !== "post" || !member() || form.hasAttribute("data-no-draft")) {
      return;
    }
    var fields = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!copied(el)) {
        continue;
      }
      var t = (el.type || "").toLowerCase();
      fields.push({ name: el.name, value: el.value, checked: (t === "checkbox" || t === "radio") ? el.checked : null });
    }
    save({ member: member(), form: formKey(form), at: Date.now(), kept: false, fields: fields });
  }
  // Capture phase: before htmx's own submit handler sends the request.
  document.addEventListener("submit", function (e) { keep(e.target); }, true);
  // Requests htmx sends from inside a form without a submit (previews).
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    if (form && !(e.detail.requestConfig && e.detail.requestConfig.verb === "get")) {
      keep(form);
    }
  });

  function fill(form, d) {
    var seen = {};
    var filled = 0;
    for (var i = 0; i < d.fields.length; i++) {
      var f = d.fields[i];
      var n = seen[f.name] || 0;
      seen[f.name] = n + 1;
      var els = [];
      for (var j = 0; j < form.elements.length; j++) {
        if (form.elements[j].name === f.name && copied(form.elements[j])) {
          els.push(form.elements[j]);
        }
      }
      var el = els[n];
      if (!el) {
        continue;
      }
      if (f.checked !== null) {
        el.checked = f.checked;
      } else {
        el.value = f.value;
      }
      filled++;
    }
    if (filled === 0) {
      return;
    }
    var note = document.createElement("p");
    note.className = "flash";
    note.setAttribute("role", "status");
    note.setAttribute("data-testid", "draft-restored");
    note.textContent = "Filled in again what you typed before your session ended. Check it and send it again: nothing was sent.";
    form.insertBefore(note, form.firstChild);
  }

  function onPage() {
    var d = load();
    if (!d) {
      return;
    }
    if (!d.fields || Date.now() - d.at > MAX_AGE_MS) {
      drop();
      return;
    }
    var ended = document.querySelector("[data-session-ended]");
    if (ended) {
      d.kept = true;
      save(d);
      var say = ended.querySelector("[data-draft-kept]");
      if (say) {
        say.hidden = false;
      }
      return;
    }
    var who = member();
    if (!who) {
      // Signed-out pages (the sign-in steps) leave a kept copy alone.
      if (!d.kept) {
        drop();
      }
      return;
    }
    if (d.member !== who || !d.kept) {
      drop();
      return;
    }
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      if (formKey(forms[i]) === d.form) {
        drop();
        fill(forms[i], d);
        return;
      }
    }
  }
  onPage();
  // The same for a form opened later into the order page's panel.
  document.addEventListener("htmx:afterSettle", onPage);
})();
