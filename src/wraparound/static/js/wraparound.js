// Starts the NHS.UK frontend components (header menu, error summary focus, skip link...).
// A module script is deferred, so the page is parsed by the time this runs.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();

// After htmx swaps a part of the page (the timeline, search results, a caseload), start any
// components inside it again and move focus to the swapped region's heading, so keyboard and
// screen reader users know it changed. With an outerHTML swap the event's target is the old
// element, already taken out of the page: look the region up again by its id.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.target;
  if (!target) return;
  const region = target.isConnected ? target : target.id && document.getElementById(target.id);
  if (!region) return;
  initAll({ scope: region });
  const heading = region.querySelector("[data-focus-after-swap]");
  if (heading) heading.focus();
});
