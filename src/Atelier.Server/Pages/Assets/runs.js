// The runs page: filter by text and status, sort by a column, enable Compare once a run is ticked.
"use strict";
(() => {
  const table = document.getElementById("runs");
  if (!table) return;
  const body = table.tBodies[0];
  const filter = document.getElementById("filter");
  const status = document.getElementById("status-filter");
  const compare = document.getElementById("compare-button");
  const shown = document.getElementById("shown");

  function applyFilter() {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let visible = 0;
    for (const row of body.rows) {
      const text = row.textContent.toLowerCase();
      const ok = words.every(w => text.includes(w)) && (!status.value || row.dataset.status === status.value);
      row.hidden = !ok;
      if (ok) visible++;
    }
    shown.textContent = `${visible} of ${body.rows.length} runs`;
  }

  function sortBy(th) {
    const column = th.cellIndex;
    const numeric = th.dataset.sort === "num";
    const ascending = !th.classList.contains("asc");
    for (const other of table.tHead.rows[0].cells) other.classList.remove("asc", "desc");
    th.classList.add(ascending ? "asc" : "desc");
    const key = row => {
      const cell = row.cells[column];
      if (!numeric) return cell.textContent.trim().toLowerCase();
      const v = parseFloat(cell.dataset.value ?? cell.textContent);
      return Number.isFinite(v) ? v : -Infinity; // runs without the number sort last when descending
    };
    const rows = [...body.rows].sort((a, b) => {
      const x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
    });
    body.append(...rows);
  }

  function updateCompare() {
    const n = body.querySelectorAll("input[type=checkbox]:checked").length;
    compare.disabled = n === 0;
    compare.textContent = n > 0 ? `Compare ${n} selected` : "Compare selected";
  }

  filter.addEventListener("input", applyFilter);
  status.addEventListener("change", applyFilter);
  body.addEventListener("change", updateCompare);
  for (const th of table.tHead.rows[0].cells) if (th.dataset.sort) th.addEventListener("click", () => sortBy(th));
  applyFilter();
  updateCompare();
})();
