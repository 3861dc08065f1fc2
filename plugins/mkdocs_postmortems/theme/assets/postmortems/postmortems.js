/* Filter and sort the tables of mkdocs-postmortems in the page, without reloading.
 * A container [data-pm-table] holds controls [data-pm-filter=NAME] and one table whose rows
 * carry data-* values ("a|b" for several). The state is kept in the URL query, so a filtered
 * view can be shared as a link. No dependencies, no requests. */
(function () {
  "use strict";

  function matches(row, control) {
    var value = control.value.trim().toLowerCase();
    if (!value) return true;
    var mode = control.dataset.pmMatch || "any";
    if (mode === "text") return row.textContent.toLowerCase().indexOf(value) !== -1;
    var cell = (row.dataset[control.dataset.pmKey || control.dataset.pmFilter] || "").toLowerCase();
    if (mode === "from") return cell >= value;
    if (mode === "to") return cell <= value;
    return cell.split("|").indexOf(value) !== -1;
  }

  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) return x - y;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function init(root) {
    var table = root.querySelector("table");
    if (!table || !table.tBodies.length) return;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var controls = Array.prototype.slice.call(root.querySelectorAll("[data-pm-filter]"));
    var sorters = Array.prototype.slice.call(root.querySelectorAll("button[data-pm-sort]"));
    var count = root.querySelector("[data-pm-count]");
    var form = root.querySelector("form");
    var sort = "";

    function saveState() {
      var query = new URLSearchParams(window.location.search);
      controls.forEach(function (c) {
        if (c.value) query.set(c.dataset.pmFilter, c.value); else query.delete(c.dataset.pmFilter);
      });
      if (sort) query.set("sort", sort); else query.delete("sort");
      var text = query.toString();
      window.history.replaceState(null, "", window.location.pathname + (text ? "?" + text : "") + window.location.hash);
    }

    function filter() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = controls.every(function (c) { return matches(row, c); });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + " shown";
    }

    function applySort(spec) {
      var descending = spec.charAt(0) === "-";
      var key = descending ? spec.slice(1) : spec;
      var button = sorters.filter(function (b) { return b.dataset.pmSort === key; })[0];
      if (!button) return;
      sort = spec;
      sorters.forEach(function (b) { b.closest("th").setAttribute("aria-sort", "none"); });
      button.closest("th").setAttribute("aria-sort", descending ? "descending" : "ascending");
      rows.sort(function (a, b) {
        var order = compare(a.dataset[key] || "", b.dataset[key] || "");
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }

    var query = new URLSearchParams(window.location.search);
    controls.forEach(function (c) {
      var value = query.get(c.dataset.pmFilter);
      if (value !== null) c.value = value;
      c.addEventListener(c.tagName === "SELECT" ? "change" : "input", function () { filter(); saveState(); });
    });
    sorters.forEach(function (b) {
      b.addEventListener("click", function () {
        var key = b.dataset.pmSort;
        var ascending = b.closest("th").getAttribute("aria-sort") !== "ascending";
        applySort((ascending ? "" : "-") + key);
        saveState();
      });
    });
    if (form) form.addEventListener("submit", function (event) { event.preventDefault(); });
    if (query.get("sort")) applySort(query.get("sort"));
    filter();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pm-table]"), init);
    // Material's search dialog has no accessible name (axe: aria-dialog-name).
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
