// A run's page: the smoothing slider and live updates. Charts are drawn by the server (the report's SVG charts);
// this script only fetches them again when the smoothing changes or a new epoch arrives over server-sent events.
"use strict";
(() => {
  const run = document.getElementById("run");
  if (!run) return;
  const slider = document.getElementById("smoothing");
  const shownValue = document.getElementById("smoothing-value");
  const live = document.getElementById("live");
  let pending = null;

  async function redraw() {
    const smoothing = slider.value;
    const url = run.dataset.chartsUrl;
    await Promise.all([...document.querySelectorAll("figure.chart")].map(async figure => {
      const kind = figure.dataset.chart;
      const response = await fetch(`${url}?kind=${encodeURIComponent(kind)}&smoothing=${encodeURIComponent(smoothing)}`);
      if (!response.ok) return;
      // Our own server's SVG, with every name in it escaped: safe to place as markup.
      figure.innerHTML = await response.text();
    }));
    run.dataset.drawn = run.dataset.epochs;
  }

  // Slider moves come fast; one redraw per animation-ish interval is enough.
  function scheduleRedraw() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(() => { pending = null; redraw(); }, 80);
  }

  slider.addEventListener("input", () => {
    shownValue.textContent = Number(slider.value).toFixed(2);
    scheduleRedraw();
  });

  // The final numbers and test-set figures, rendered by the server once the run has ended.
  async function showResults() {
    for (const [url, id] of [[run.dataset.summaryUrl, "summary"], [run.dataset.resultsUrl, "results"]]) {
      const response = await fetch(url);
      if (response.ok) document.getElementById(id).innerHTML = await response.text();
    }
  }

  if (run.dataset.live === "true" && window.EventSource) {
    const events = new EventSource(`${run.dataset.eventsUrl}?after=${encodeURIComponent(run.dataset.epochs)}`);
    events.addEventListener("epoch", e => {
      const epoch = JSON.parse(e.data);
      run.dataset.epochs = String(epoch.epoch);
      document.getElementById("epochs").textContent = String(epoch.epoch);
      const acc = epoch.valAccuracy ?? epoch.trainAccuracy;
      live.textContent = `live: epoch ${epoch.epoch}` + (acc == null ? "" : `, accuracy ${(100 * acc).toFixed(2)}%`);
      scheduleRedraw();
    });
    events.addEventListener("end", e => {
      // Close before the server does, or EventSource would reconnect to a finished run forever.
      events.close();
      const end = JSON.parse(e.data);
      live.textContent = `the run is ${end.status}`;
      scheduleRedraw();
      showResults();
    });
  }
})();
