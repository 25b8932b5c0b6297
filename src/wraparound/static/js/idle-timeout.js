// Warns before a signed-in session ends for want of activity, and offers "Stay signed in".
// The server ends the session whatever this script does (governance.middleware.IdleTimeout);
// this only tells people in time. An external file: the CSP allows no inline script.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var warnBefore = parseInt(body.getAttribute("data-idle-warning-seconds"), 10);
  var loginUrl = body.getAttribute("data-login-url");
  var box = document.getElementById("idle-warning");
  var text = document.getElementById("idle-warning-text");
  var announce = document.getElementById("idle-announce");
  var form = document.getElementById("idle-keep-alive");
  if (!idle || !loginUrl || !box || !form) return;

  var warnTimer = null;
  var endTimer = null;
  // Typing or clicking on this page sends no request by itself (a long note being written):
  // input in the last few minutes before the warning counts as activity, and is sent instead.
  var RECENT_INPUT_MS = Math.min(5 * 60, Math.max(0, idle - warnBefore)) * 1000;
  var lastInput = 0;

  function minutes(seconds) {
    var m = Math.max(1, Math.round(seconds / 60));
    return m + (m === 1 ? " minute" : " minutes");
  }

  function signedOut() {
    // A few seconds after the server's deadline, so the server has certainly ended it. If
    // another tab kept the session alive, the login page sends us straight back.
    var next = window.location.pathname;
    window.location.assign(loginUrl + "?signed_out=idle&next=" + encodeURIComponent(next));
  }

  function hideWarning() {
    box.hidden = true;
    announce.textContent = "";
  }

  function showWarning() {
    if (Date.now() - lastInput < RECENT_INPUT_MS) {
      keepAlive(); // they are working on this page: that is activity too
      return;
    }
    var words =
      "You will be signed out in " + minutes(warnBefore) +
      " to protect people's information.";
    text.textContent = words;
    announce.textContent = words + " Select Stay signed in to carry on.";
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function restart() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(showWarning, Math.max(0, idle - warnBefore) * 1000);
    endTimer = window.setTimeout(signedOut, (idle + 5) * 1000);
  }

  function keepAlive() {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) {
        if (response.status === 204) {
          hideWarning();
          restart();
        } else {
          signedOut();
        }
      })
      .catch(function () {
        /* offline: leave the warning up; the server decides */
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    keepAlive();
  });
  ["keydown", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (!box.contains(event.target)) lastInput = Date.now(); // not the warning's own button
    }, { passive: true });
  });
  // A part of the page fetched by htmx is a request too: the server counted it.
  document.addEventListener("htmx:afterRequest", restart);
  restart();
})();
