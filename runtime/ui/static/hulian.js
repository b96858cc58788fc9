// hulian UI enhancements. Every page works without this file; it only adds comfort.
(function () {
  "use strict";

  // Tell the server the browser's time zone (a `tz` cookie): history times are shown in it.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && /^[A-Za-z0-9_+\-\/]+$/.test(zone) && document.cookie.indexOf("tz=" + zone) < 0) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: times stay in UTC */ }

  // Close an open <details> menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) { summary.focus(); }
    });
  });

  // Keep the scroll position when a page reloads itself (post-redirect-get to the same path).
  var key = "hulian-scroll:" + location.pathname + location.search;
  try {
    var saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      window.addEventListener("load", function () { window.scrollTo(0, parseInt(saved, 10) || 0); });
    }
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form && form.hasAttribute("data-keep-scroll")) {
        sessionStorage.setItem(key, String(window.scrollY));
      }
    });
  } catch (e) {
    // storage may be disabled: scrolling back is a comfort, not a need
  }

  // Focus the first field with an error, or the error summary, after a failed submit.
  window.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
})();
