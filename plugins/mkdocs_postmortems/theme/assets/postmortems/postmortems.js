/* mkdocs-postmortems in the page: filter and sort tables, and the action-item dashboard.
 * A container [data-pm-table] holds controls [data-pm-filter=NAME] and one table whose rows
 * carry data-* values ("a|b" for several). The state is kept in the URL query, so a filtered
 * view can be shared as a link. No dependencies, no requests. */
(function () {
  "use strict";

  /* Keep [name, value] pairs in the URL query (empty values removed), without reloading. */
  function saveQuery(pairs) {
    var query = new URLSearchParams(window.location.search);
    pairs.forEach(function (pair) {
      if (pair[1]) query.set(pair[0], pair[1]); else query.delete(pair[0]);
    });
    var text = query.toString();
    window.history.replaceState(null, "", window.location.pathname + (text ? "?" + text : "") + window.location.hash);
  }

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
      var pairs = controls.map(function (c) { return [c.dataset.pmFilter, c.value]; });
      saveQuery(pairs.concat([["sort", sort]]));
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

  /* The action-item dashboard: loads api/actions.json once, then filters, sorts and pages the
   * rows in memory, drawing 100 rows at a time, so 50,000 items stay responsive. Every value goes
   * into the page as text (textContent), never as HTML. */
  var PRIORITY = { P0: 0, P1: 1, P2: 2, P3: 3 };

  function safeLink(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function keyOf(item, field) {
    if (field === "priority") return PRIORITY[item.priority];
    if (field === "age_days") return item.age_days;
    var value = item[field];
    return value === null || value === undefined ? "\uffff" : String(value).toLowerCase();
  }

  function initDashboard(root) {
    var body = root.querySelector("tbody");
    var count = root.querySelector("[data-pm-count]");
    var more = root.querySelector("[data-pm-more]");
    var fields = Array.prototype.slice.call(root.querySelectorAll("[data-pm-field]"));
    var sorters = Array.prototype.slice.call(root.querySelectorAll("button[data-pm-sort]"));
    var base = root.getAttribute("data-root") || "";
    var pageSize = parseInt(root.getAttribute("data-page-size"), 10) || 100;
    var items = [];
    var matching = [];
    var shown = 0;
    var sort = "";

    function value(name) {
      var field = fields.filter(function (f) { return f.dataset.pmField === name; })[0];
      return field ? field.value.trim() : "";
    }

    function matches(item, want) {
      if (want.status === "active" && item.status !== "open" && item.status !== "in-progress") return false;
      if (want.status === "overdue" && !item.overdue) return false;
      if (want.status === "due-soon" && !item.due_soon) return false;
      if (want.status && ["active", "overdue", "due-soon"].indexOf(want.status) === -1 && item.status !== want.status) return false;
      if (want.owner && item._owner !== want.owner) return false;
      if (want.priority && item.priority !== want.priority) return false;
      if (want.service && item._services.indexOf(want.service) === -1) return false;
      if (want.q && item._text.indexOf(want.q) === -1) return false;
      return true;
    }

    function cell(row, text) {
      var td = document.createElement("td");
      td.textContent = text;
      row.appendChild(td);
      return td;
    }

    function draw(item) {
      var row = document.createElement("tr");
      if (item.overdue) row.className = "pm-overdue";
      cell(row, item.action);
      cell(row, item.owner || "—");
      var due = cell(row, item.due || "—");
      if (item.overdue) {
        var flag = document.createElement("span");
        flag.className = "pm-flag pm-flag-overdue";
        flag.textContent = "overdue";
        due.appendChild(document.createTextNode(" "));
        due.appendChild(flag);
      }
      cell(row, item.priority);
      cell(row, item.status + (item.completed ? " " + item.completed : ""));
      var ticket = cell(row, "");
      var url = safeLink(item.ticket_url);
      if (url) {
        var a = document.createElement("a");
        a.href = url;
        a.textContent = item.ticket;
        ticket.appendChild(a);
      } else {
        ticket.textContent = item.ticket || "—";
      }
      var pm = cell(row, "");
      var link = document.createElement("a");
      link.href = base + (item.url || "");
      link.textContent = item.postmortem_title;
      pm.appendChild(link);
      cell(row, String(item.age_days));
      return row;
    }

    function showMore() {
      var fragment = document.createDocumentFragment();
      var end = Math.min(shown + pageSize, matching.length);
      for (var i = shown; i < end; i += 1) fragment.appendChild(draw(matching[i]));
      body.appendChild(fragment);
      shown = end;
      more.hidden = shown >= matching.length;
      more.textContent = "Show " + Math.min(pageSize, matching.length - shown) + " more";
      count.textContent = matching.length + " of " + items.length + " items" +
        (matching.length > shown ? " (" + shown + " shown)" : "");
    }

    function apply() {
      var want = {
        status: value("status"), owner: value("owner").toLowerCase(), priority: value("priority"),
        service: value("service").toLowerCase(), q: value("q").toLowerCase()
      };
      matching = items.filter(function (item) { return matches(item, want); });
      if (sort) {
        var descending = sort.charAt(0) === "-";
        var field = descending ? sort.slice(1) : sort;
        // Each key is computed once, not once per comparison (50,000 items: ~700,000 comparisons).
        var keyed = matching.map(function (item) { return { key: keyOf(item, field), item: item }; });
        keyed.sort(function (a, b) {
          var order = a.key < b.key ? -1 : a.key > b.key ? 1 : a.item._order - b.item._order;
          return descending ? -order : order;
        });
        matching = keyed.map(function (entry) { return entry.item; });
      }
      body.textContent = "";
      shown = 0;
      showMore();
    }

    function save() {
      var pairs = fields.map(function (f) { return [f.dataset.pmField, f.value]; });
      saveQuery(pairs.concat([["sort", sort]]));
    }

    function markSort() {
      sorters.forEach(function (b) {
        var state = "none";
        if (sort === b.dataset.pmSort) state = "ascending";
        if (sort === "-" + b.dataset.pmSort) state = "descending";
        b.closest("th").setAttribute("aria-sort", state);
      });
    }

    var query = new URLSearchParams(window.location.search);
    fields.forEach(function (f) {
      var wanted = query.get(f.dataset.pmField);
      if (wanted !== null) {
        if (f.tagName === "SELECT" && !Array.prototype.some.call(f.options, function (o) { return o.value === wanted; })) {
          var option = document.createElement("option");
          option.value = wanted;
          option.textContent = wanted;
          f.appendChild(option);
        }
        f.value = wanted;
      }
      f.addEventListener(f.tagName === "SELECT" ? "change" : "input", function () { apply(); save(); });
    });
    sort = query.get("sort") || "";
    markSort();
    sorters.forEach(function (b) {
      b.addEventListener("click", function () {
        sort = sort === b.dataset.pmSort ? "-" + b.dataset.pmSort : b.dataset.pmSort;
        markSort();
        apply();
        save();
      });
    });
    more.addEventListener("click", showMore);
    var form = root.querySelector("form");
    if (form) form.addEventListener("submit", function (event) { event.preventDefault(); });

    fetch(root.getAttribute("data-src"))
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        items = data.items;
        items.forEach(function (item, index) {
          item._order = index;
          /* Lower-cased once here, not on every keystroke for each of 50,000 items. */
          item._owner = (item.owner || "(no owner)").toLowerCase();
          item._services = item.services.map(function (s) { return s.toLowerCase(); });
          item._text = [item.action, item.owner, item.ticket, item.postmortem_title, item.status, item.priority].join(" ").toLowerCase();
        });
        apply();
        root.setAttribute("data-pm-ready", "");
      })
      .catch(function () {
        count.textContent = "The items could not be loaded here; open the site over http(s), or read api/actions.json.";
      });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pm-table]"), init);
    Array.prototype.forEach.call(document.querySelectorAll("[data-pm-dashboard]"), initDashboard);
    // Material's search dialog has no accessible name (axe: aria-dialog-name).
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
