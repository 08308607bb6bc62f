/* policyscope dashboard: offline, self-contained. Document text is untrusted: it only ever
 * reaches the page through textContent / text nodes (never innerHTML), and Plotly hover text is
 * HTML-escaped in Python before it is embedded. */
(function () {
  "use strict";

  var META = JSON.parse(document.getElementById("ps-meta").textContent);
  var FIGS = JSON.parse(document.getElementById("ps-figures").textContent);
  var EV_NODE = document.getElementById("ps-evidence");
  var NARROW = window.matchMedia("(max-width: 640px)");
  var PAGE = 50;
  var state = { measure: META.default_measure, doctype: META.default_doc_type, milestones: true,
                ev: null, evRows: [], evShown: 0, kwicRows: [], kwicShown: 0, errors: [] };
  var CONFIG = { responsive: true, displaylogo: false, scrollZoom: false,
                 modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
                 toImageButtonOptions: { format: "png", scale: 2, filename: "policyscope-chart" } };

  // ---------------------------------------------------------------- DOM helpers (text only)
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = String(v);
        else if (k === "cls") node.className = v;
        else if (/^on/i.test(k)) throw new Error("event attributes are not allowed");
        else node.setAttribute(k, v === true ? "" : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    }
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function $(id) { return document.getElementById(id); }
  function fmtValue(v, percent) {
    if (v === null || v === undefined || isNaN(v)) return "–";
    return percent ? (v * 100).toFixed(1) + "%" : Number(v).toFixed(2);
  }
  function measureInfo(m) {
    for (var i = 0; i < META.measures.length; i++) if (META.measures[i].value === m) return META.measures[i];
    return { value: m, label: m, help: "", percent: false };
  }
  /* Text with every occurrence of the given terms wrapped in <mark>, built from text nodes. */
  function highlighted(text, terms) {
    var spans = [], low = text.toLowerCase();
    (terms || []).forEach(function (t) {
      t = String(t || "").toLowerCase();
      if (!t) return;
      var from = 0, i;
      while ((i = low.indexOf(t, from)) !== -1) { spans.push([i, i + t.length]); from = i + t.length; }
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push([s[0], s[1]]);
    });
    var frag = document.createDocumentFragment(), pos = 0;
    merged.forEach(function (s) {
      if (s[0] > pos) frag.appendChild(document.createTextNode(text.slice(pos, s[0])));
      frag.appendChild(el("mark", { text: text.slice(s[0], s[1]) }));
      pos = s[1];
    });
    if (pos < text.length) frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  // ---------------------------------------------------------------- evidence: decoded on demand
  var evidencePromise = null;
  function evidence() {
    if (evidencePromise) return evidencePromise;
    evidencePromise = (async function () {
      var enc = EV_NODE.getAttribute("data-encoding");
      var raw = EV_NODE.textContent.trim();
      var text;
      if (enc === "gzip+base64") {
        if (typeof DecompressionStream === "undefined") {
          $("compat").hidden = false;
          throw new Error("DecompressionStream unavailable");
        }
        var bin = atob(raw), bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
        text = await new Response(stream).text();
      } else {
        text = raw;
      }
      var ev = JSON.parse(text);
      ev.n = ev.rows.d.length;
      return ev;
    })();
    return evidencePromise;
  }
  function rowsForKey(ev, key) {
    var ranges = ev.points[key] || [], out = [];
    ranges.forEach(function (r) { for (var i = r[0]; i < r[1]; i++) out.push(i); });
    return out;
  }
  /* Hits -> one record per sentence (terms and concepts merged). */
  function sentencesFor(ev, rows) {
    var bySent = new Map(), list = [];
    rows.forEach(function (i) {
      var s = ev.rows.s[i], rec = bySent.get(s);
      if (!rec) {
        rec = { s: s, d: ev.rows.d[i], p: ev.rows.p[i], concepts: [], terms: [], matched: [], hits: 0 };
        bySent.set(s, rec); list.push(rec);
      }
      rec.hits += 1;
      var c = ev.concepts[ev.rows.c[i]], t = ev.terms[ev.rows.t[i]], m = ev.rows.m[i];
      if (rec.concepts.indexOf(c) < 0) rec.concepts.push(c);
      if (rec.terms.indexOf(t) < 0) rec.terms.push(t);
      if (m && rec.matched.indexOf(m) < 0) rec.matched.push(m);
    });
    return list;
  }
  /* cite.sentence_citation, rebuilt from the document part (mirrored by dashboard.compose_citation). */
  function citation(ev, rec) {
    var out = ev.docs.cite[rec.d];
    if (ev.docs.cite_pages[rec.d] && rec.p) out += ", p. " + rec.p;
    if (ev.docs.url[rec.d]) out += ", " + ev.docs.url[rec.d];
    return out + " [policyscope " + ev.sentences.id[rec.s] + "]";
  }

  // ---------------------------------------------------------------- evidence panel
  var evCurrent = { key: null, label: "", all: [] };
  async function showEvidence(key, label, scroll) {
    var ev;
    try { ev = await evidence(); } catch (e) { $("ev-title").textContent = "Evidence could not be loaded: " + e.message; return; }
    var rows = rowsForKey(ev, key);
    evCurrent = { key: key, label: label || key, all: sentencesFor(ev, rows), hits: rows.length };
    $("ev-search").value = "";
    $("ev-title").textContent = evCurrent.all.length + " sentence" + (evCurrent.all.length === 1 ? "" : "s") +
      " (" + rows.length + " hit" + (rows.length === 1 ? "" : "s") + ") behind: " + evCurrent.label;
    $("ev-controls").hidden = false;
    renderEvidence(true);
    if (scroll !== false) $("evidence").scrollIntoView({ behavior: "smooth", block: "start" });
  }
  function filteredEvidence(ev) {
    var q = $("ev-search").value.trim().toLowerCase();
    var list = evCurrent.all;
    if (q) {
      list = list.filter(function (r) {
        return ev.sentences.text[r.s].toLowerCase().indexOf(q) >= 0 ||
          String(ev.docs.title[r.d]).toLowerCase().indexOf(q) >= 0 ||
          r.terms.join(" ").toLowerCase().indexOf(q) >= 0;
      });
    }
    var sort = $("ev-sort").value, dir = sort.charAt(0) === "-" ? -1 : 1, k = sort.replace("-", "");
    var val = function (r) {
      if (k === "date") return String(ev.docs.date[r.d] || "") + "|" + ev.sentences.id[r.s];
      if (k === "title") return String(ev.docs.title[r.d] || "").toLowerCase() + "|" + ev.sentences.id[r.s];
      if (k === "page") return r.p;
      if (k === "hits") return r.hits;
      return 0;
    };
    return list.slice().sort(function (a, b) {
      var x = val(a), y = val(b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
  }
  async function renderEvidence(reset) {
    var ev = await evidence();
    var table = $("ev-table");
    if (reset) {
      state.evRows = filteredEvidence(ev);
      state.evShown = 0;
      clear(table);
      table.appendChild(el("caption", { cls: "sr", text: "Sentences behind " + evCurrent.label }));
      table.appendChild(el("thead", null, el("tr", null,
        el("th", { scope: "col", text: "Date" }), el("th", { scope: "col", text: "Document" }),
        el("th", { scope: "col", text: "Page" }), el("th", { scope: "col", text: "Concept · term" }),
        el("th", { scope: "col", text: "Sentence" }), el("th", { scope: "col", cls: "cite", text: "Citation" }))));
      table.appendChild(el("tbody"));
    }
    var body = table.tBodies[0];
    var end = Math.min(state.evRows.length, state.evShown + (reset ? PAGE : 2 * PAGE));
    for (var i = state.evShown; i < end; i++) {
      var r = state.evRows[i];
      body.appendChild(el("tr", { "data-sentence-id": ev.sentences.id[r.s] },
        el("td", { cls: "nowrap", text: ev.docs.date[r.d] || "n.d." }),
        el("td", { text: ev.docs.title[r.d] || "untitled" }),
        el("td", { cls: "num", text: r.p }),
        el("td", { text: r.concepts.join(", ") + " · " + r.terms.join(", ") }),
        el("td", { cls: "sent" }, highlighted(ev.sentences.text[r.s], r.matched.length ? r.matched : r.terms)),
        el("td", { cls: "cite", text: citation(ev, r) })));
    }
    state.evShown = end;
    table.hidden = state.evRows.length === 0;
    $("ev-count").textContent = state.evRows.length === evCurrent.all.length
      ? "Showing " + end + " of " + state.evRows.length + " sentences."
      : "Showing " + end + " of " + state.evRows.length + " matching sentences (" + evCurrent.all.length + " in all).";
    $("ev-more").hidden = end >= state.evRows.length;
  }
  function csvCell(v) {
    var s = String(v === null || v === undefined ? "" : v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;  // keep spreadsheets from running document text as formulas
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  async function downloadEvidence() {
    var ev = await evidence();
    var lines = [["concepts", "terms", "doc_id", "title", "date", "doc_type", "page", "sentence_id", "sentence",
                  "citation"].join(",")];
    state.evRows.forEach(function (r) {
      lines.push([r.concepts.join("; "), r.terms.join("; "), ev.docs.id[r.d], ev.docs.title[r.d], ev.docs.date[r.d],
        ev.docs.doc_type[r.d], r.p, ev.sentences.id[r.s], ev.sentences.text[r.s], citation(ev, r)].map(csvCell).join(","));
    });
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var a = el("a", { href: URL.createObjectURL(blob), download: "evidence-" + (evCurrent.key || "points").replace(/[^A-Za-z0-9_.-]+/g, "_") + ".csv" });
    document.body.appendChild(a); a.click(); a.remove();
  }

  // ---------------------------------------------------------------- figures
  function isMilestone(item) { return item && item.name === "milestone"; }
  function adapt(fig) {
    var layout = JSON.parse(JSON.stringify(fig.layout || {}));
    var data = fig.data || [];
    if (!state.milestones) {
      layout.shapes = (layout.shapes || []).filter(function (s) { return !isMilestone(s); });
      layout.annotations = (layout.annotations || []).filter(function (a) { return !isMilestone(a); });
      data = data.map(function (t) { return (t.meta && t.meta.role === "milestones") ? Object.assign({}, t, { visible: false }) : t; });
    }
    if (NARROW.matches) {
      // a phone: the section heading and help text carry the title; the footer carries the source line
      var legendRows = Math.ceil((data.filter(function (t) { return t.showlegend !== false; }).length || 1) / 2);
      layout.height = Math.min(layout.height || 460, 440) + 18 * legendRows;
      layout.margin = Object.assign({}, layout.margin || {}, { l: 46, r: 8, t: 16 + 22 * legendRows, b: 56 });
      layout.title = { text: "" };
      layout.legend = Object.assign({}, layout.legend || {}, { font: { size: 10 }, y: 1.0, yanchor: "bottom" });
      layout.annotations = (layout.annotations || []).filter(function (a) { return !isMilestone(a) && a.name !== "source"; });
    }
    layout.autosize = true;
    delete layout.width;
    return { data: data, layout: layout };
  }
  var rendered = {};
  function draw(divId, fig) {
    var div = $(divId);
    if (!fig) { var sec = div.closest("section"); if (sec && !sec.querySelector(".fig:not(:empty)")) div.hidden = true; return Promise.resolve(); }
    var f = adapt(fig);
    var p = rendered[divId] ? Plotly.react(div, f.data, f.layout, CONFIG) : Plotly.newPlot(div, f.data, f.layout, CONFIG);
    return p.then(function () {
      if (!rendered[divId]) {
        rendered[divId] = true;
        div.on("plotly_click", function (e) { onPointClick(divId, e); });
      }
      div.setAttribute("data-rendered", "1");
    });
  }
  function onPointClick(divId, e) {
    if (!e || !e.points || !e.points.length) return;
    var pt = e.points[0], cd = pt.customdata, meta = (pt.data && pt.data.meta) || {};
    if (!cd || !cd[0]) return;
    var key = String(cd[0]);
    if (meta.role === "topic") return showTopic(meta.topic);
    if (meta.role === "collocates") return kwicFor(meta.concept, key.split("|").slice(2).join("|"));
    if (meta.role === "keyness") return kwicFor(null, key.split("|").slice(1).join("|"));
    if (meta.role !== "points") return;
    showEvidence(key, labelForKey(key, meta));
  }
  function labelForKey(key, meta) {
    var parts = key.split("|");
    if (parts[0] === "disp") {
      var title = "";
      return parts[1] + " · document " + parts[2] + " · " + (parts[3].charAt(0) === "p" ? "page " + parts[3].slice(1)
        : "part " + (Number(parts[3].slice(1)) + 1) + " of 10 of the text") + title;
    }
    var m = measureInfo(meta.measure || state.measure);
    return parts[1] + " · " + parts[2] + " · " + m.label + (parts[3] && parts[3] !== "all" ? " · " + parts[3] : " · all document types");
  }
  function shareKey() { return state.measure + "|" + state.doctype; }
  // Corrected and tagged series of the same measure: a note says which is shown, a button swaps them.
  function showCorrection() {
    var info = measureInfo(state.measure), note = $("correction-note"), btn = $("correction-toggle");
    if (!note) return;
    var other = info.tagged || info.corrected;
    if (!META.correction || !other) { note.hidden = true; return; }
    note.hidden = false;
    $("correction-text").textContent = info.tagged ? META.correction
      : "Shown: the series as tagged, not corrected for the detector's measured error.";
    btn.textContent = info.tagged ? "Show the series as tagged" : "Show the error-corrected series";
    btn.onclick = function () { state.measure = other; $("measure").value = other; drawShare(); };
  }
  function drawShare() {
    var fig = FIGS.share[shareKey()];
    $("measure-help").textContent = measureInfo(state.measure).help || "";
    showCorrection();
    renderPointsTable();
    return draw("fig-share", fig || null);
  }
  function renderPointsTable() {
    var t = clear($("points-table"));
    var info = measureInfo(state.measure);
    t.appendChild(el("caption", { cls: "sr", text: "Points of the chart: " + info.label }));
    t.appendChild(el("thead", null, el("tr", null,
      el("th", { scope: "col", text: "Concept" }), el("th", { scope: "col", text: "Period" }),
      el("th", { scope: "col", text: info.label }), el("th", { scope: "col", text: "Interval" }),
      el("th", { scope: "col", text: "Documents" }), el("th", { scope: "col", text: "Sentences" }),
      el("th", { scope: "col", text: "Evidence" }))));
    var body = el("tbody");
    META.points.filter(function (p) { return p.measure === state.measure && p.doc_type === state.doctype; })
      .forEach(function (p) {
        var btn = el("button", { type: "button", "data-key": p.key, text: "sentences (" + p.n_sentences + ")" });
        btn.addEventListener("click", function () { showEvidence(p.key, labelForKey(p.key, { measure: p.measure })); });
        body.appendChild(el("tr", null, el("td", { text: p.concept }),
          el("td", { cls: "nowrap", text: p.period + (p.thin ? " (thin)" : "") }),
          el("td", { cls: "num", text: fmtValue(p.value, info.percent) }),
          el("td", { cls: "num", text: (p.ci_low === null ? "–" : fmtValue(p.ci_low, info.percent) + " – " + fmtValue(p.ci_high, info.percent)) }),
          el("td", { cls: "num", text: p.n_docs }), el("td", { cls: "num", text: p.n_sentences }), el("td", null, btn)));
      });
    t.appendChild(body);
  }

  // ---------------------------------------------------------------- KWIC
  function kwicSplit(text, m) {
    var i = m ? text.toLowerCase().indexOf(m.toLowerCase()) : -1;
    if (i < 0) return [text, "", ""];
    return [text.slice(0, i), text.slice(i, i + m.length), text.slice(i + m.length)];
  }
  var kwicCache = {};
  async function kwicRowsFor(conceptIdx) {
    if (kwicCache[conceptIdx]) return kwicCache[conceptIdx];
    var ev = await evidence(), out = [];
    for (var i = 0; i < ev.n; i++) {
      if (conceptIdx !== null && ev.rows.c[i] !== conceptIdx) continue;
      var text = ev.sentences.text[ev.rows.s[i]], parts = kwicSplit(text, ev.rows.m[i] || ev.terms[ev.rows.t[i]]);
      out.push({ i: i, d: ev.rows.d[i], p: ev.rows.p[i], left: parts[0], match: parts[1] || ev.rows.m[i], right: parts[2] });
    }
    kwicCache[conceptIdx] = out;
    return out;
  }
  async function renderKwic(reset) {
    var ev = await evidence();
    var sel = $("kwic-concept").value;
    var cIdx = sel === "" ? null : Number(sel);
    if (reset) {
      var all = await kwicRowsFor(cIdx);
      var q = $("kwic-search").value.trim().toLowerCase();
      var rows = q ? all.filter(function (r) {
        return (r.left + r.match + r.right).toLowerCase().indexOf(q) >= 0 || String(ev.docs.title[r.d]).toLowerCase().indexOf(q) >= 0;
      }) : all.slice();
      var k = $("kwic-sort").value;
      var key = function (r) {
        if (k === "match") return r.match.toLowerCase();
        if (k === "left") return r.left.split(/\s+/).reverse().join(" ").toLowerCase();
        if (k === "right") return r.right.toLowerCase();
        return String(ev.docs.date[r.d] || "") + "|" + String(r.i).padStart(9, "0");
      };
      rows.sort(function (a, b) { var x = key(a), y = key(b); return x < y ? -1 : x > y ? 1 : 0; });
      state.kwicRows = rows; state.kwicShown = 0;
      var t = clear($("kwic-table"));
      t.appendChild(el("caption", { cls: "sr", text: "Keywords in context" }));
      t.appendChild(el("thead", null, el("tr", null, el("th", { scope: "col", text: "Left" }),
        el("th", { scope: "col", text: "Term" }), el("th", { scope: "col", text: "Right" }),
        el("th", { scope: "col", text: "Date" }), el("th", { scope: "col", text: "Document, page" }))));
      t.appendChild(el("tbody"));
    }
    var body = $("kwic-table").tBodies[0];
    var end = Math.min(state.kwicRows.length, state.kwicShown + (reset ? 100 : 200));
    for (var i = state.kwicShown; i < end; i++) {
      var r = state.kwicRows[i];
      body.appendChild(el("tr", { title: citation(ev, { d: r.d, p: r.p, s: ev.rows.s[r.i] }) },
        el("td", { cls: "left" }, el("span", { text: r.left })),
        el("td", { cls: "match", text: r.match }),
        el("td", { cls: "right", text: r.right }),
        el("td", { cls: "nowrap", text: ev.docs.date[r.d] || "n.d." }),
        el("td", { cls: "src", text: (ev.docs.title[r.d] || "untitled") + ", p. " + r.p })));
    }
    state.kwicShown = end;
    $("kwic-count").textContent = "Showing " + end + " of " + state.kwicRows.length + " lines.";
    $("kwic-more").hidden = end >= state.kwicRows.length;
  }
  function kwicFor(concept, word) {
    var idx = concept === null ? -1 : META.concepts.indexOf(concept);
    $("kwic-concept").value = idx >= 0 ? String(idx) : "";
    $("kwic-search").value = word || "";
    renderKwic(true);
    $("kwic").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  // ---------------------------------------------------------------- topics
  async function showTopic(topic) {
    var box = clear($("topic-passages"));
    var ev;
    try { ev = await evidence(); } catch (e) { return; }
    var t = (ev.topics || []).filter(function (x) { return String(x.topic) === String(topic); })[0];
    if (!t) { box.appendChild(el("p", { cls: "help", text: "No representative passages stored for topic " + topic + "." })); return; }
    box.appendChild(el("h3", { text: "Topic " + t.topic + ": " + t.label }));
    var chips = el("div", { cls: "chips", "aria-label": "Top words" });
    (t.words || []).forEach(function (w) { chips.appendChild(el("span", { cls: "chip", text: w })); });
    box.appendChild(chips);
    if (!(t.passages || []).length) box.appendChild(el("p", { cls: "help", text: "No representative passages in this topic run." }));
    (t.passages || []).forEach(function (p) {
      box.appendChild(el("blockquote", { cls: "passage" }, p.text, el("span", { cls: "cite", text: p.cite || p.id || "" })));
    });
    box.scrollIntoView({ behavior: "smooth", block: "nearest" });
  }

  // ---------------------------------------------------------------- methods
  function facts(pairs) {
    var dl = el("dl", { cls: "facts" });
    pairs.forEach(function (p) { if (p[1] === null || p[1] === undefined || p[1] === "") return; dl.appendChild(el("dt", { text: p[0] })); dl.appendChild(el("dd", { text: p[1] })); });
    return dl;
  }
  function simpleTable(columns, rows, caption) {
    var t = el("table", { cls: "data" });
    if (caption) t.appendChild(el("caption", { cls: "sr", text: caption }));
    var tr = el("tr");
    columns.forEach(function (c, i) {
      var b = el("button", { type: "button", cls: "sort", text: c[1] });
      b.addEventListener("click", function () { sortTable(t, i); });
      tr.appendChild(el("th", { scope: "col" }, b));
    });
    t.appendChild(el("thead", null, tr));
    var body = el("tbody");
    rows.forEach(function (r) {
      var row = el("tr");
      columns.forEach(function (c) { var v = r[c[0]]; row.appendChild(el("td", { cls: c[2] || (typeof v === "number" ? "num" : null), text: v === null || v === undefined ? "" : v })); });
      body.appendChild(row);
    });
    t.appendChild(body);
    return el("div", { cls: "tablewrap" }, t);
  }
  function sortTable(t, col) {
    var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var dir = t.getAttribute("data-sort") === String(col) ? -1 : 1;
    t.setAttribute("data-sort", dir === 1 ? String(col) : "");
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent, y = b.cells[col].textContent, nx = parseFloat(x), ny = parseFloat(y);
      if (!isNaN(nx) && !isNaN(ny) && String(nx) === x.trim() && String(ny) === y.trim()) return (nx - ny) * dir;
      return x.localeCompare(y) * dir;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function renderMethods() {
    var m = META.methods || {}, box = clear($("methods-body"));
    var lex = m.lexicon || {};
    box.appendChild(el("h3", { text: "Lexicon" }));
    box.appendChild(facts([["name", lex.name], ["version", lex.version], ["file", lex.path], ["concepts", (META.concepts || []).join(", ")]]));
    (m.concepts || []).forEach(function (c) {
      var d = el("details");
      d.appendChild(el("summary", { text: c.name + " — " + (c.terms || []).length + " terms" + ((c.exclusions || []).length ? ", " + c.exclusions.length + " exclusions" : "") }));
      if ((c.terms || []).length) d.appendChild(el("p", null, el("strong", { text: "Terms: " }), c.terms.join("; ")));
      if ((c.exclusions || []).length) d.appendChild(el("p", null, el("strong", { text: "Excluded: " }), c.exclusions.join("; ")));
      box.appendChild(d);
    });
    box.appendChild(el("h3", { text: "Measures and denominators" }));
    box.appendChild(simpleTable([["label", "Measure"], ["help", "What it counts"]], META.measures, "Measures"));
    (m.notes || []).forEach(function (n) { box.appendChild(el("p", { cls: "help", text: n })); });
    box.appendChild(el("h3", { text: "What was excluded" }));
    var ul = el("ul");
    (m.exclusions || []).forEach(function (x) { ul.appendChild(el("li", { text: x })); });
    box.appendChild(ul);
    box.appendChild(el("h3", { text: "Corpus" }));
    box.appendChild(facts((m.corpus_summary || []).map(function (p) { return [p[0], String(p[1])]; })));
    box.appendChild(simpleTable([["date", "Date", "nowrap"], ["title", "Title"], ["doc_type", "Type"], ["authors", "Authors"], ["publisher", "Publisher"], ["licence", "Licence"], ["n_pages", "Pages"], ["n_sentences", "Sentences"], ["doc_id", "doc_id"]], m.corpus || [], "Documents in the corpus"));
    box.appendChild(el("h3", { text: "Milestones" }));
    box.appendChild(simpleTable([["date", "Date", "nowrap"], ["label", "Milestone"], ["source", "Source", "url"]], m.milestones || [], "Policy milestones"));
    box.appendChild(el("h3", { text: "Run records (run.json)" }));
    Object.keys(m.runs || {}).forEach(function (k) {
      var d = el("details");
      d.appendChild(el("summary", { text: k }));
      d.appendChild(el("pre", { cls: "json", text: JSON.stringify(m.runs[k], null, 2) }));
      box.appendChild(d);
    });
  }

  // ---------------------------------------------------------------- wiring
  function fillSelect(sel, options, value) {
    clear(sel);
    options.forEach(function (o) { sel.appendChild(el("option", { value: o[0], text: o[1] })); });
    sel.value = value;
  }
  function init() {
    $("lede").textContent = META.lede || "";
    var nav = $("nav");
    [["share", "Over time"], ["evidence", "Evidence"], ["kwic", "Keywords in context"], ["dispersion", "Dispersion"],
     ["words", "Collocates & keyness"], ["topics", "Topics"], ["methods", "Methods & data"]].forEach(function (s) {
      if ((META.sections || {})[s[0]] === false) { $(s[0]).hidden = true; return; }
      nav.appendChild(el("a", { href: "#" + s[0], text: s[1] }));
    });
    fillSelect($("measure"), META.measures.map(function (m) { return [m.value, m.label]; }), state.measure);
    fillSelect($("doctype"), META.doc_types.map(function (d) { return [d, d === "all" ? "all types" : d]; }), state.doctype);
    $("doctype").disabled = META.doc_types.length < 2;
    fillSelect($("kwic-concept"), [["", "all concepts"]].concat(META.concepts.map(function (c, i) { return [String(i), c]; })), META.concepts.length ? "0" : "");
    $("words-help").textContent = META.words_help || "";
    $("topics-help").textContent = META.topics_help || "";
    $("foot").textContent = META.footer || "";

    $("measure").addEventListener("change", function () { state.measure = this.value; drawShare(); });
    $("doctype").addEventListener("change", function () { state.doctype = this.value; drawShare(); });
    $("milestones").addEventListener("change", function () { state.milestones = this.checked; drawShare(); if (FIGS.topics) draw("fig-topics", FIGS.topics); });
    var t;
    $("ev-search").addEventListener("input", function () { clearTimeout(t); t = setTimeout(function () { renderEvidence(true); }, 150); });
    $("ev-sort").addEventListener("change", function () { renderEvidence(true); });
    $("ev-more").addEventListener("click", function () { renderEvidence(false); });
    $("ev-csv").addEventListener("click", downloadEvidence);
    var kt;
    $("kwic-search").addEventListener("input", function () { clearTimeout(kt); kt = setTimeout(function () { renderKwic(true); }, 150); });
    $("kwic-concept").addEventListener("change", function () { renderKwic(true); });
    $("kwic-sort").addEventListener("change", function () { renderKwic(true); });
    $("kwic-more").addEventListener("click", function () { renderKwic(false); });
    NARROW.addEventListener("change", function () { redrawAll(); });
    renderMethods();

    // KWIC decodes the evidence: only when its section comes into view.
    if ("IntersectionObserver" in window) {
      var io = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { io.disconnect(); renderKwic(true); }
      });
      io.observe($("kwic"));
    }
    return redrawAll();
  }
  function redrawAll() {
    return Promise.all([drawShare(), draw("fig-dispersion", FIGS.dispersion), draw("fig-collocates", FIGS.collocates),
      draw("fig-keyness", FIGS.keyness), draw("fig-topics", FIGS.topics)]);
  }

  window.addEventListener("error", function (e) { state.errors.push(String(e.message)); });
  var ready = init().then(function () { document.body.setAttribute("data-ready", "1"); },
                          function (e) { state.errors.push(String(e)); document.body.setAttribute("data-ready", "error"); throw e; });
  window.policyscope = { ready: ready, showEvidence: showEvidence, evidence: evidence, state: state, meta: META,
                         kwicFor: kwicFor, showTopic: showTopic };
})();
