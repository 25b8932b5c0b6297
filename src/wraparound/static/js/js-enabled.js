// Runs first thing in <body> (an external file: the CSP allows no inline script).
// NHS.UK frontend styles its components differently once it knows JavaScript is on.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
