/* Search with Pagefind in Material's header (the plugin's `search: pagefind` option).
 *
 * Puts a search field where Material's is, with Material's own markup classes so it looks the
 * same (Material's script leaves it alone: it has no data-md-component and the form is not
 * named "search", so Material fetches no index). Pagefind's script, WASM and metadata are
 * loaded from this site's pagefind/ folder once the page is idle (or on focus, if sooner), never
 * from another host; a query loads only the index chunks and result fragments it needs.
 *
 * Keyboard: "/", "s" or "f" focuses the field (as in Material), arrow keys move through the
 * results, Enter opens the first result, Escape closes. Result text is set with textContent;
 * a Pagefind excerpt's <mark> elements are the only markup kept.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) return;
  var SITE = new URL("../../", script.src); // this file is assets/postmortems/pagefind-search.js
  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 80;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ICONS = {
    magnify:
      "M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 " +
      "6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5",
    back: "M20 11v2H8l5.5 5.5-1.42 1.42L4.16 12l7.92-7.92L13.5 5.5 8 11z",
    close:
      "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  };

  function translations() {
    var fallback = {
      placeholder: "Search",
      start: "Type to start searching",
      none: "No matching documents",
      one: "1 matching document",
      other: "# matching documents",
      failed: "Search is not available here; open the site over http(s).",
      more: "Show more results",
    };
    var config = document.getElementById("__config");
    if (!config) return fallback;
    try {
      var t = JSON.parse(config.textContent || "{}").translations || {};
      fallback.start = t["search.result.placeholder"] || fallback.start;
      fallback.none = t["search.result.none"] || fallback.none;
      fallback.one = t["search.result.one"] || fallback.one;
      fallback.other = t["search.result.other"] || fallback.other;
    } catch (e) {
      /* keep the English texts */
    }
    return fallback;
  }
  var TEXT = translations();

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function icon(name) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  // An excerpt as nodes: Pagefind marks the matches with <mark>; any other markup becomes text.
  // DOMParser's document is inert (no script runs, nothing is fetched).
  function excerpt(html) {
    var out = document.createDocumentFragment();
    var body = new DOMParser().parseFromString("<body>" + (html || ""), "text/html").body;
    Array.prototype.forEach.call(body.childNodes, function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") out.appendChild(el("mark", {}, [node.textContent || ""]));
      else out.appendChild(document.createTextNode(node.textContent || ""));
    });
    return out;
  }

  function build(header) {
    var input = el("input", {
      type: "text",
      class: "md-search__input",
      name: "query",
      "aria-label": TEXT.placeholder,
      placeholder: TEXT.placeholder,
      autocapitalize: "off",
      autocorrect: "off",
      autocomplete: "off",
      spellcheck: "false",
      required: "",
      "aria-controls": "pm-search-results",
      "aria-keyshortcuts": "/ s f",
      "data-pm-search-input": "",
    });
    var reset = el("button", { type: "reset", class: "md-search__icon md-icon", title: "Clear", "aria-label": "Clear", tabindex: "-1" }, [
      icon("close"),
    ]);
    var form = el("form", { class: "md-search__form", name: "pm-search", role: "search" }, [
      input,
      el("label", { class: "md-search__icon md-icon", for: "__search", "aria-hidden": "true" }, [icon("magnify"), icon("back")]),
      el("nav", { class: "md-search__options", "aria-label": TEXT.placeholder }, [reset]),
    ]);
    var meta = el("div", { class: "md-search-result__meta", role: "status", "aria-live": "polite" }, [TEXT.start]);
    var list = el("ol", { class: "md-search-result__list", id: "pm-search-results", "aria-label": "Search results" });
    var result = el("div", { class: "md-search-result", "data-pm-search-result": "" }, [meta, list]);
    var dialog = el("div", { class: "md-search", role: "dialog", "aria-label": TEXT.placeholder, "data-pm-search": "" }, [
      el("label", { class: "md-search__overlay", for: "__search", "aria-hidden": "true" }),
      el("div", { class: "md-search__inner" }, [
        form,
        el("div", { class: "md-search__output" }, [
          el("div", { class: "md-search__scrollwrap", tabindex: "0", "aria-label": "Search results", role: "region" }, [result]),
        ]),
      ]),
    ]);
    var button = el("label", { class: "md-header__button md-icon", for: "__search", title: TEXT.placeholder }, [icon("magnify")]);
    var before = header.querySelector(".md-header__source");
    header.insertBefore(button, before);
    header.insertBefore(dialog, before);
    return { input: input, form: form, meta: meta, list: list };
  }

  function start() {
    var header = document.querySelector(".md-header__inner");
    var toggle = document.getElementById("__search");
    if (!header || !toggle || header.querySelector("[data-pm-search], [data-md-component=search]")) return;
    var ui = build(header);
    var pagefind = null; // the promise of the loaded module
    var generation = 0; // the latest query; older answers are dropped
    var pending = []; // results not drawn yet (Show more)

    function load() {
      if (!pagefind) {
        pagefind = import(new URL("pagefind/pagefind.js", SITE).href).then(function (module) {
          return module.options({ baseUrl: SITE.pathname }).then(function () {
            return module.init();
          }).then(function () {
            return module;
          });
        });
        pagefind.catch(function () {
          ui.meta.textContent = TEXT.failed;
        });
      }
      return pagefind;
    }

    function open() {
      toggle.checked = true;
      load().catch(function () {});
    }

    function close() {
      toggle.checked = false;
      ui.input.blur();
    }

    function count(n) {
      if (n === 0) return TEXT.none;
      if (n === 1) return TEXT.one;
      return TEXT.other.replace("#", String(n));
    }

    function item(data) {
      var li = el("li", { class: "md-search-result__item" });
      var link = el("a", { href: data.url, class: "md-search-result__link" }, [
        el("article", { class: "md-search-result__article md-typeset" }, [
          el("div", { class: "md-search-result__icon md-icon" }),
          el("h1", {}, [(data.meta && data.meta.title) || data.url]),
          el("p", {}, [excerpt(data.excerpt)]),
        ]),
      ]);
      li.appendChild(link);
      (data.sub_results || [])
        .filter(function (sub) {
          return sub.url !== data.url && sub.anchor;
        })
        .slice(0, 3)
        .forEach(function (sub) {
          li.appendChild(
            el("a", { href: sub.url, class: "md-search-result__link" }, [
              el("article", { class: "md-search-result__article md-typeset" }, [
                el("h2", {}, [sub.title || ""]),
                el("p", {}, [excerpt(sub.excerpt)]),
              ]),
            ])
          );
        });
      return li;
    }

    // The next PAGE_SIZE results, each drawn as soon as its fragment arrives (in order: each
    // has its place in the list already).
    function more() {
      var mine = generation;
      var batch = pending.splice(0, PAGE_SIZE);
      var old = ui.list.querySelector("[data-pm-search-more]");
      if (old) old.remove();
      return Promise.all(
        batch.map(function (r) {
          var slot = ui.list.appendChild(el("li", { hidden: "" }));
          return r.data().then(function (data) {
            if (mine === generation) ui.list.replaceChild(item(data), slot);
          });
        })
      ).then(function () {
        if (mine !== generation) return;
        if (pending.length) {
          var button = el("button", { type: "button", class: "md-button pm-search-more" }, [TEXT.more]);
          button.addEventListener("click", function () {
            var shown = ui.list.querySelectorAll(".md-search-result__item").length;
            more().then(function () {
              var next = ui.list.querySelectorAll(".md-search-result__item")[shown];
              if (next) next.querySelector("a").focus();
            });
          });
          ui.list.appendChild(el("li", { "data-pm-search-more": "" }, [button]));
        }
      });
    }

    // One search at a time, the newest query next: Pagefind's worker answers in turn, and a
    // prefix such as "c" (every word with a c) costs a second at 10,000 pages, so searching
    // every keystroke of a word would queue up seconds. While keys come fast (DEBOUNCE_MS),
    // only the index chunks are fetched (preload) and the search waits for a pause.
    var running = false;
    var timer = null;

    function search() {
      var query = ui.input.value.trim();
      var mine = ++generation;
      clearTimeout(timer);
      if (!query) {
        pending = [];
        ui.list.textContent = "";
        ui.meta.textContent = TEXT.start;
        return;
      }
      if (query.length >= 3)
        load()
          .then(function (module) {
            return module.preload(query);
          })
          .catch(function () {});
      timer = setTimeout(function () {
        if (!running) run(query, mine);
      }, DEBOUNCE_MS);
    }

    function run(query, mine) {
      running = true;
      load()
        .then(function (module) {
          return module.search(query);
        })
        .then(function (found) {
          if (mine !== generation || !found) return;
          pending = found.results.slice();
          ui.list.textContent = "";
          ui.meta.textContent = count(found.results.length);
          return more();
        })
        .catch(function () {
          if (mine === generation) ui.meta.textContent = TEXT.failed;
        })
        .then(function () {
          running = false;
          var latest = ui.input.value.trim();
          if (mine !== generation && latest) run(latest, generation); // typed on meanwhile
        });
    }

    function links() {
      return Array.prototype.slice.call(ui.list.querySelectorAll("a, button"));
    }

    function move(step) {
      var all = links();
      if (!all.length) return;
      var at = all.indexOf(document.activeElement);
      var next = at === -1 ? (step > 0 ? 0 : all.length - 1) : at + step;
      if (next < 0) {
        ui.input.focus();
        return;
      }
      all[Math.min(next, all.length - 1)].focus();
    }

    // Pagefind's script, WASM and metadata (~150 kB, then cached) load once the page is idle,
    // so the first keystroke does not wait for them; or at once when the field is used first.
    (window.requestIdleCallback || function (f) { setTimeout(f, 200); })(function () {
      load().catch(function () {});
    }, { timeout: 2000 });
    ui.input.addEventListener("focus", open);
    ui.input.addEventListener("input", search);
    ui.form.addEventListener("reset", function () {
      setTimeout(function () {
        search();
        ui.input.focus();
      });
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = ui.list.querySelector("a");
      if (first) first.click();
    });
    toggle.addEventListener("change", function () {
      if (toggle.checked) ui.input.focus();
      else ui.input.blur();
    });
    header.querySelector("[data-pm-search]").addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        move(1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        move(-1);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      var target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      if (event.key === "/" || event.key === "s" || event.key === "f") {
        event.preventDefault();
        ui.input.focus();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
