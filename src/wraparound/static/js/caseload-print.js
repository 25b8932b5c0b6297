// The huddle sheet's "Print" button (CSP: no inline script). Without JavaScript the browser's
// own Print does the same: the print stylesheet leaves out the header, menus and page links.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-caseload");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
