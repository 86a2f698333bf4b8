// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Resend countdown: <button data-countdown-until="ISO-8601"> stays disabled until then.
  // A button with a <span data-countdown> child (after a visually hidden part of its name) shows the
  // seconds there, so the rest of its content and its accessible name stay as they are.
  function tick(button) {
    var until = Date.parse(button.getAttribute("data-countdown-until"));
    var slot = button.querySelector("[data-countdown]");
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    window.clearTimeout(button.bcCountdown);  // a new countdown replaces a running one
    function show(text) {
      if (slot) { slot.textContent = text ? " " + text : ""; } else { button.textContent = label + (text ? " " + text : ""); }
    }
    function update() {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) {
        button.disabled = true;
        show("(" + left + "s)");
        button.bcCountdown = window.setTimeout(update, 1000);
      } else {
        button.disabled = false;
        show("");
      }
    }
    update();
  }

  function countdownUntil(button, when) {
    button.setAttribute("data-countdown-until", when.toISOString());
    tick(button);
  }

  // The CSRF token: the form's hidden csrfmiddlewaretoken, else the csrftoken cookie.
  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) { return input.value; }
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  function paragraph(text, className) {
    var p = document.createElement("p");
    p.textContent = text;
    if (className) { p.className = className; }
    return p;
  }

  // Proof of work (docs/security.md): "<unix seconds>:<nonce>" whose SHA-256 after `prefix` starts with
  // `bits` zero bits; about 2^bits hashes, in batches so the page stays responsive.
  function solvePow(prefix, bits) {
    var encoder = new TextEncoder();
    var stem = Math.floor(Date.now() / 1000) + ":" + Math.random().toString(36).slice(2, 10) + "n";
    function zeroBits(bytes) {
      var count = 0;
      for (var i = 0; i < bytes.length; i++) {
        if (bytes[i] !== 0) { return count + Math.clz32(bytes[i]) - 24; }
        count += 8;
      }
      return count;
    }
    function batch(start) {
      var candidates = [];
      for (var i = 0; i < 512; i++) { candidates.push(stem + (start + i)); }
      return Promise.all(candidates.map(function (candidate) {
        return crypto.subtle.digest("SHA-256", encoder.encode(prefix + candidate));
      })).then(function (digests) {
        for (var j = 0; j < digests.length; j++) {
          if (zeroBits(new Uint8Array(digests[j])) >= bits) { return candidates[j]; }
        }
        return batch(start + candidates.length);
      });
    }
    return batch(0);
  }

  // "Send code" without a reload: <button data-send-code-url data-channel data-target-input=<id>
  // data-status=<id> [data-language-input=<id>]> POSTs {channel, target, language} as JSON and shows
  // the answer in the status region. Message templates come from the page's data-msg-* attributes
  // (rendered by Django, so localized): data-msg-sent ("… %(target)s …"), data-msg-valid,
  // data-msg-delayed, data-msg-empty, data-msg-failed. Problem answers show their own detail.
  function sendCode(button) {
    var form = button.form;
    var messages = button.closest("[data-msg-sent]") || form || document.body;
    function msg(name) { return messages.getAttribute("data-msg-" + name) || ""; }
    var input = document.getElementById(button.getAttribute("data-target-input"));
    var status = document.getElementById(button.getAttribute("data-status"));
    var languageInput = document.getElementById(button.getAttribute("data-language-input") || "");
    var target = input ? input.value.trim() : "";

    function show(nodes, failed) {
      if (!status) { return; }
      status.replaceChildren.apply(status, nodes);
      if (input) {
        if (failed) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
      }
    }
    function showError(text) { show([paragraph(text, "error")], true); }

    if (!target) {
      showError(msg("empty"));
      if (input) { input.focus(); }
      return;
    }
    var body = { channel: button.getAttribute("data-channel"), target: target };
    if (languageInput && languageInput.value) { body.language = languageInput.value; }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    var retryAfter = null;
    function post() {
      return fetch(button.getAttribute("data-send-code-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json, application/problem+json",
          "X-CSRFToken": csrfToken(form)
        },
        body: JSON.stringify(body)
      }).then(function (response) {
        retryAfter = parseInt(response.headers.get("Retry-After") || "", 10);
        return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
      });
    }
    post().then(function (result) {
      // While sign-up SMS are in high demand the server asks for a proof of work: solve it, ask again.
      var pow = (result.answer || {}).pow;
      if (result.status === 422 && result.answer.code === "pow_required" && pow && !body.pow && window.crypto && crypto.subtle) {
        return solvePow(pow.prefix, pow.bits).then(function (solution) { body.pow = solution; return post(); });
      }
      return result;
    }).then(function (result) {
      button.removeAttribute("aria-busy");
      button.disabled = false;
      var answer = result.answer || {};
      if (result.status === 202) {
        var notice = document.createElement("div");
        notice.className = "notice";
        notice.appendChild(paragraph(msg("sent").replace("%(target)s", answer.target_masked) + " " + msg("valid")));
        if (answer.delivery === "delayed") { notice.appendChild(paragraph(msg("delayed"), "warning")); }
        show([notice], false);
        if (answer.resend_available_at) { countdownUntil(button, new Date(answer.resend_available_at)); }
        return;
      }
      if (!answer.title && !answer.detail) { throw new Error("not a problem answer"); }
      showError(answer.detail || answer.title);
      if (result.status === 429 && retryAfter > 0) {
        countdownUntil(button, new Date(Date.now() + retryAfter * 1000));
      }
    }).catch(function () {
      button.removeAttribute("aria-busy");
      button.disabled = false;
      showError(msg("failed"));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-countdown-until]").forEach(tick);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    if (!window.fetch) { return; }  // then "Send code" stays an ordinary form submit
    document.querySelectorAll("button[data-send-code-url]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        sendCode(button);
      });
    });
  });
})();
