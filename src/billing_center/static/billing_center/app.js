// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Resend countdown: <button data-countdown-until="ISO-8601"> stays disabled until then.
  function tick(button) {
    var until = Date.parse(button.getAttribute("data-countdown-until"));
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    function update() {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) {
        button.disabled = true;
        button.textContent = label + " (" + left + "s)";
        window.setTimeout(update, 1000);
      } else {
        button.disabled = false;
        button.textContent = label;
      }
    }
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-countdown-until]").forEach(tick);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  });
})();
