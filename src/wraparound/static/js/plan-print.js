// The print view's "Print this plan" button (CSP: no inline script). Without JavaScript the
// browser's own Print does the same.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-plan");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
