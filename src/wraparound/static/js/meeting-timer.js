// Meeting mode's timer (CSP: no inline script). The server writes the words first and gives
// the seconds left of this person's time (data-seconds-left, only once their turn started);
// this counts down each second from the page's own clock, and after the time is up counts
// "2 min over" in a warning style. It never blocks anything. Screen readers hear only three
// moments, through a polite live region: 5 minutes left, 1 minute left and time up; never
// every second.
(() => {
  const box = document.getElementById("timer");
  const text = document.getElementById("timer-text");
  const announce = document.getElementById("timer-announce");
  if (!box || !text || box.dataset.secondsLeft === undefined) return;
  const start = Number(box.dataset.secondsLeft);
  if (!Number.isFinite(start)) return;
  const deadline = Date.now() + start * 1000;
  const moments = [
    [300, "5 minutes left"],
    [60, "1 minute left"],
    [0, "Time is up"],
  ];
  const said = new Set(moments.filter(([at]) => start < at).map(([at]) => at));

  const words = (left) => {
    if (left >= 0) return `${Math.floor(left / 60)} min ${left % 60} s left`;
    const over = -left;
    return over >= 60 ? `${Math.floor(over / 60)} min over` : `${over} s over`;
  };

  const tick = () => {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    text.textContent = words(left);
    box.classList.toggle("wrap-timer--over", left < 0);
    for (const [at, message] of moments) {
      if (left <= at && !said.has(at)) {
        said.add(at);
        if (announce) announce.textContent = message;
      }
    }
  };
  tick();
  window.setInterval(tick, 1000);
})();
