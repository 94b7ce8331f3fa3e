// Passkeys (WebAuthn) for the forms marked data-passkey="register" or
// data-passkey="login". Hand-written for this back office; no inline
// script, so it runs under the Content-Security-Policy (script-src 'self').
//
// On submit: post the form (its _csrf included) to data-passkey-options
// for the server's options, convert their base64url fields to bytes, let
// the browser create or use a passkey (navigator.credentials.create/get),
// encode the answer as JSON in the form's "credential" field and submit
// the form for real. The server keeps the challenge; this script only
// carries it. References:
// https://www.w3.org/TR/webauthn-3/#sctn-api and
// https://developer.mozilla.org/en-US/docs/Web/API/Web_Authentication_API
(function () {
  "use strict";

  function toBytes(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toBase64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function idsToBytes(list) {
    return (list || []).map(function (d) {
      return Object.assign({}, d, { id: toBytes(d.id) });
    });
  }

  function creationOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.user = Object.assign({}, o.user, { id: toBytes(o.user.id) });
    if (o.excludeCredentials) o.excludeCredentials = idsToBytes(o.excludeCredentials);
    return o;
  }

  function requestOptions(o) {
    o.challenge = toBytes(o.challenge);
    if (o.allowCredentials) o.allowCredentials = idsToBytes(o.allowCredentials);
    return o;
  }

  // credentialJSON is the answer in the JSON form the server parses
  // (https://www.w3.org/TR/webauthn-3/#dictdef-registrationresponsejson).
  function credentialJSON(cred) {
    var r = cred.response;
    var response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
    }
    return {
      id: cred.id,
      rawId: toBase64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: response
    };
  }

  function say(form, msg) {
    var el = form.querySelector("[data-passkey-status]");
    if (el) el.textContent = msg;
  }

  async function run(form) {
    if (!window.PublicKeyCredential || !navigator.credentials) {
      say(form, "This browser cannot use passkeys.");
      return;
    }
    var register = form.dataset.passkey === "register";
    say(form, register ? "Follow your browser's steps to create the passkey\u2026" : "Choose your passkey in the browser's window\u2026");
    var resp = await fetch(form.dataset.passkeyOptions, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    });
    var opts = null;
    try { opts = await resp.json(); } catch (e) { opts = null; }
    if (!resp.ok || !opts || !opts.publicKey) {
      say(form, (opts && opts.error) || "The server did not start the passkey step. Reload the page and try again.");
      return;
    }
    var cred;
    try {
      cred = register
        ? await navigator.credentials.create({ publicKey: creationOptions(opts.publicKey) })
        : await navigator.credentials.get({ publicKey: requestOptions(opts.publicKey) });
    } catch (e) {
      say(form, e && e.name === "InvalidStateError"
        ? "This passkey is registered already."
        : "No passkey was used (cancelled or timed out). Try again when ready.");
      return;
    }
    if (!cred) {
      say(form, "No passkey was used. Try again when ready.");
      return;
    }
    form.querySelector('input[name="credential"]').value = JSON.stringify(credentialJSON(cred));
    say(form, "Checking\u2026");
    // submit() sends the form without a submit event, so this handler
    // does not run again.
    form.submit();
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.passkey) return;
    ev.preventDefault();
    if (form.dataset.passkeyBusy) return;
    form.dataset.passkeyBusy = "1";
    run(form).catch(function () {
      say(form, "The passkey step failed. Reload the page and try again.");
    }).finally(function () {
      delete form.dataset.passkeyBusy;
    });
  });
})();
