// Starts the NHS.UK frontend components (header menu, error summary focus, skip link...).
// A module script is deferred, so the page is parsed by the time this runs.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();

// After htmx swaps a part of the page (the timeline), start any components inside it again and
// move focus to the swapped region's heading so keyboard and screen reader users know it changed.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail && event.detail.target;
  if (!target) return;
  initAll({ scope: target });
  const heading = target.querySelector("[data-focus-after-swap]");
  if (heading) heading.focus();
});
