// A study with running trials reloads itself, so its figures follow the optimisation.
(() => {
  const live = document.querySelector('[data-live]');
  if (live) setTimeout(() => location.reload(), 1000 * Number(live.getAttribute('data-live') || 5));
})();
