// pgraph serve: sortable tables, the catalogue's search box, the SPARQL editor's examples.
// Served as a file (the Content-Security-Policy forbids inline script); it never inserts HTML,
// only moves existing rows and copies text.
"use strict";

function cellKey(cell) {
  if (cell.dataset.sort !== undefined) { return { n: parseFloat(cell.dataset.sort) }; }
  const text = cell.textContent.trim();
  const number = /^-?\d+(\.\d+)?$/.test(text) ? parseFloat(text) : NaN;
  return isNaN(number) ? { s: text.toLowerCase() } : { n: number };
}

function compare(a, b) {
  if (a.n !== undefined && b.n !== undefined) { return a.n - b.n; }
  if (a.n !== undefined) { return -1; }
  if (b.n !== undefined) { return 1; }
  return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
}

function sortTable(button) {
  const table = button.closest("table");
  const column = parseInt(button.dataset.column, 10);
  const ascending = button.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("button.sort").forEach(function (b) { b.removeAttribute("aria-sort"); });
  button.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort(function (r1, r2) {
    const d = compare(cellKey(r1.cells[column]), cellKey(r2.cells[column]));
    return ascending ? d : -d;
  });
  rows.forEach(function (r) { body.appendChild(r); });
}

document.addEventListener("click", function (event) {
  const button = event.target.closest("button.sort");
  if (button) { sortTable(button); }
});

document.querySelectorAll("input.filter").forEach(function (input) {
  input.addEventListener("input", function () {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll(input.dataset.filter).forEach(function (entry) {
      const text = entry.textContent.toLowerCase();
      entry.hidden = !words.every(function (w) { return text.includes(w); });
    });
    document.querySelectorAll("section.group").forEach(function (group) {
      group.hidden = group.querySelectorAll(".entry:not([hidden])").length === 0;
    });
  });
});

const examples = document.getElementById("example");
if (examples) {
  examples.addEventListener("change", function () {
    const template = document.getElementById("example-" + examples.value);
    if (template) { document.getElementById("query").value = template.content.textContent || template.textContent; }
  });
}
