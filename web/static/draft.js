// ordercare: nothing typed is lost when a session ends. Every form that
// sends something is copied into this tab's sessionStorage just before it
// is sent. If the server answers with the sign-in page because the session
// had ended, the copy is kept; after the same member signs in again and is
// back on that form, the fields are filled in again and the form waits for
// them to check it and send it (it is never sent by this script). Anyone
// else signing in on this tab makes the copy be deleted unread, and any
// other answer deletes it. Hidden fields (the CSRF token, versions) and
// passwords are never copied: the form's own fresh values stay, except a
// hidden field marked data-draft, which belongs to what was typed (the
// order line a row of the line editor was made from).
//
// Rows the person added or removed (the line editor's "Add line" and
// "Remove") are laid out by the server: when the kept rows differ from
// the fresh form's, the form is filled in and sent once with its
// data-draft-rebuild button ("Update totals"), which only re-renders it
// with every row as it was; nothing is sent to the provider.
(function () {
  "use strict";

  var KEY = "ordercare.draft";
  // NOTE_KEY remembers, across the rebuild's round trip, to say that the
  // form was filled in again.
  var NOTE_KEY = "ordercare.draft.note";
  var MAX_AGE_MS = 30 * 60 * 1000;
  var NOTE_MAX_AGE_MS = 60 * 1000;

  function storage() {
    try {
      return window.sessionStorage;
    } catch (err) {
      return null; // storage disabled: nothing is kept
    }
  }
  function load(key) {
    var s = storage();
    if (!s) {
      return null;
    }
    try {
      return JSON.parse(s.getItem(key || KEY) || "null");
    } catch (err) {
      s.removeItem(key || KEY);
      return null;
    }
  }
  function save(d, key) {
    var s = storage();
    if (s) {
      try {
        s.setItem(key || KEY, JSON.stringify(d));
      } catch (err) { /* full: nothing is kept */ }
    }
  }
  function drop(key) {
    var s = storage();
    if (s) {
      s.removeItem(key || KEY);
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
    if (!el.name || el.disabled) {
      return false;
    }
    if (t === "hidden") {
      return el.hasAttribute("data-draft");
    }
    return t !== "password" && t !== "file" && t !== "submit" && t !== "button" && t !== "reset";
  }

  function keep(form) {
    if (!form || (form.method || "").toLowerCase() !== "post" || !member() || form.hasAttribute("data-no-draft") ||
      form.hasAttribute("data-draft-rebuilding")) {
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
    var names = {};
    var missing = [];
    var filled = 0;
    for (var i = 0; i < d.fields.length; i++) {
      var f = d.fields[i];
      names[f.name] = true;
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
        missing.push(f);
        continue;
      }
      if (f.checked !== null) {
        el.checked = f.checked;
      } else {
        el.value = f.value;
      }
      filled++;
    }
    if (rebuild(form, d, names, missing)) {
      return;
    }
    if (filled === 0) {
      return;
    }
    say(form);
  }

  // rebuild sends form, filled in, to be laid out again by the server
  // when the kept rows differ from its own: rows it has that were not
  // kept (removed) are left out, fields kept that it has no row for
  // (added) go as they were typed. It reports whether it did.
  function rebuild(form, d, names, missing) {
    var button = form.querySelector("[data-draft-rebuild]");
    if (!button) {
      return false;
    }
    var gone = [];
    var rows = form.querySelectorAll("[data-draft-row]");
    for (var i = 0; i < rows.length; i++) {
      var fields = rows[i].querySelectorAll("input, select, textarea");
      var kept = false;
      for (var j = 0; j < fields.length; j++) {
        if (copied(fields[j]) && names[fields[j].name]) {
          kept = true;
        }
      }
      if (!kept) {
        gone.push(fields);
      }
    }
    if (missing.length === 0 && gone.length === 0) {
      return false;
    }
    for (i = 0; i < gone.length; i++) {
      for (j = 0; j < gone[i].length; j++) {
        gone[i][j].disabled = true; // not sent
      }
    }
    for (i = 0; i < missing.length; i++) {
      if (missing[i].checked === false) {
        continue;
      }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = missing[i].name;
      input.value = missing[i].value;
      form.appendChild(input);
    }
    save({ member: d.member, form: d.form, at: Date.now() }, NOTE_KEY);
    form.setAttribute("data-draft-rebuilding", "");
    whenReady(function () { button.click(); });
    return true;
  }

  // whenReady runs fn once htmx has taken over the page's forms (it does
  // so when the document is loaded), so the round trip answers into the
  // form's panel like any "Update totals", not as a whole-page POST.
  function whenReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { setTimeout(fn, 0); });
    } else {
      fn();
    }
  }

  // sayPending says, on the form laid out again by rebuild, that it was
  // filled in again.
  function sayPending() {
    var n = load(NOTE_KEY);
    if (!n) {
      return;
    }
    if (n.member !== member() || Date.now() - n.at > NOTE_MAX_AGE_MS) {
      if (member()) {
        drop(NOTE_KEY);
      }
      return;
    }
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      if (formKey(forms[i]) === n.form && !forms[i].hasAttribute("data-draft-rebuilding")) {
        drop(NOTE_KEY);
        say(forms[i]);
        return;
      }
    }
  }

  function say(form) {
    var note = document.createElement("p");
    note.className = "flash";
    note.setAttribute("role", "status");
    note.setAttribute("data-testid", "draft-restored");
    note.textContent = "Filled in again what you typed before your session ended. Check it and send it again: nothing was sent.";
    form.insertBefore(note, form.firstChild);
  }

  function onPage() {
    sayPending();
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
