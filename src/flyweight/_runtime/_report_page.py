"""The static text of the run report page (:mod:`flyweight._runtime._report`): its CSS, the empty
skeleton of its sections and the script that builds every view from the embedded run data.

Nothing here depends on a run, so a report's size is this constant plus its JSON. The script never
puts data into markup: text goes through ``textContent``, canvas ``fillText`` or attribute properties,
and a deck link's path is percent-encoded segment by segment, so it can only be a relative file path.
It loads nothing (the page's Content-Security-Policy forbids every fetch). It must contain neither
``</`` nor ``<!--``, so it can sit inside ``<script>`` as is.

It is long (a page's worth of CSS and JavaScript) but holds no Python logic: three string constants,
kept in a module rather than package data so the report needs no file lookups at run time.
"""

from __future__ import annotations

__all__ = ["BODY", "CSS", "SCRIPT"]

CSS = """
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#fff;--soft:#f8fafc;--accent:#1d4ed8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:var(--fg);background:var(--soft)}
header.top{position:sticky;top:0;z-index:5;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap;
padding:10px 24px;background:var(--bg);border-bottom:1px solid var(--line)}
header.top h1{font-size:18px;margin:0;font-weight:600;overflow-wrap:anywhere}
header.top nav a{margin-right:14px;color:var(--accent);text-decoration:none}
main{padding:16px 24px 48px;max-width:1600px}
section{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:12px 18px 18px;
margin:0 0 18px}
h2{font-size:16px;margin:4px 0 12px}
h3{font-size:14px;margin:16px 0 6px}
h4{font-size:13px;margin:14px 0 6px}
.muted{color:var(--muted)}
pre,code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
pre.error{background:#fef2f2;border:1px solid #fecaca;border-radius:6px;padding:8px 10px;
max-height:480px;overflow:auto}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
white-space:nowrap}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse}
table.kv th{text-align:left;font-weight:600;padding:3px 12px 3px 0;vertical-align:top;
overflow-wrap:anywhere}
table.kv td{padding:3px 0;vertical-align:top}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin:0 0 8px;font-size:12px}
.legend span.sw{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:5px;
vertical-align:-2px}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}
.vp{position:relative;border:1px solid var(--line);border-radius:6px;background:var(--bg)}
.vp-scroll{position:absolute;inset:0;overflow:auto}
.vp-space{pointer-events:none}
.vp-canvas{position:absolute;left:0;top:0;pointer-events:none}
.tip{position:absolute;z-index:3;max-width:420px;padding:6px 8px;background:#111827;color:#f9fafb;
border-radius:6px;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere;pointer-events:none}
.toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:0 0 8px}
.toolbar input[type=search]{min-width:280px;padding:4px 8px}
button{font:inherit;padding:2px 10px;cursor:pointer}
button.link{border:0;background:none;padding:0;color:var(--accent);text-decoration:underline}
table.nodes{width:100%;font-size:13px}
table.nodes th{position:sticky;top:45px;background:var(--bg);text-align:left;
border-bottom:2px solid var(--line);padding:4px 8px}
table.nodes td{border-bottom:1px solid var(--line);padding:3px 8px;vertical-align:top;
overflow-wrap:anywhere}
table.nodes tbody tr{cursor:pointer}
table.nodes tbody tr:hover{background:#f1f5f9}
table.nodes tbody tr.sel{background:#dbeafe}
table.nodes td a{margin-right:8px}
#node-detail{position:fixed;top:0;right:0;bottom:0;z-index:10;width:min(520px,100vw);overflow:auto;
background:var(--bg);border-left:1px solid var(--line);box-shadow:-6px 0 18px rgba(0,0,0,.12);
padding:14px 18px 40px}
#node-detail[hidden]{display:none}
#detail-close{float:right;font-size:18px;line-height:1}
#detail-body h3{margin-top:0;overflow-wrap:anywhere}
.attempt{border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:8px 0}
.attempt .head{display:flex;gap:8px;align-items:center;margin-bottom:6px;font-weight:600}
.noscript{background:#fffbeb;border:1px solid #fde68a;border-radius:8px;padding:12px 18px;margin:16px 24px}
"""

BODY = """<main>
<section id="summary"><h2>Summary</h2><div id="summary-body"></div></section>
<section id="graph"><h2>Graph</h2><div class="legend" id="graph-legend"></div>
<div id="graph-body"></div></section>
<section id="timeline"><h2>Timeline</h2>
<div class="toolbar"><span class="muted">time since the run started</span>
<button type="button" id="zoom-out" title="zoom out">&minus;</button>
<button type="button" id="zoom-in" title="zoom in">+</button>
<button type="button" id="zoom-fit">fit</button><span id="zoom-level" class="muted"></span></div>
<div class="legend" id="timeline-legend"></div><div id="timeline-body"></div></section>
<section id="nodes"><h2>Nodes</h2>
<div class="toolbar"><input type="search" id="node-filter" placeholder="filter by id, entity, kind, worker"
aria-label="filter nodes"><select id="state-filter" aria-label="final state"></select>
<button type="button" id="page-prev">&lsaquo; prev</button><span id="page-info" class="muted"></span>
<button type="button" id="page-next">next &rsaquo;</button></div>
<table class="nodes" id="node-table"><thead><tr><th>id</th><th>entity</th><th>kind</th><th>state</th>
<th>attempts</th><th>duration</th><th>where / worker</th><th>decks</th></tr></thead><tbody></tbody></table>
</section>
</main>
<aside id="node-detail" hidden><button type="button" id="detail-close" title="close (Esc)">&times;</button>
<div id="detail-body"></div></aside>
"""

SCRIPT = r"""
(() => {
"use strict";
const doc = document;
const own = (o, k) => (o !== null && typeof o === "object" && Object.prototype.hasOwnProperty.call(o, k))
  ? o[k] : undefined;
const obj = (v) => (v !== null && typeof v === "object" && !Array.isArray(v)) ? v : {};
const arr = (v) => Array.isArray(v) ? v : [];
const str = (v) => (v === undefined || v === null) ? "" : String(v);
const num = (v) => (typeof v === "number" && Number.isFinite(v)) ? v : NaN;
const DATA = obj(JSON.parse(doc.getElementById("flyweight-run").textContent || "{}"));
const RUN = obj(own(DATA, "run")), IO = obj(own(DATA, "io")), DECKS = obj(own(DATA, "decks"));
const COLORS = {succeeded: "#1f7a45", failed: "#c0392b", retried: "#b45309", cached: "#2563a8",
  cancelled: "#6b7280", running: "#6d28d9", pending: "#94a3b8", queued: "#cbd5e1", none: "#d1d5db",
  interrupted: "#b45309", stopped: "#6b7280"};
const LIGHT = new Set(["queued", "none"]);
const ORDER = ["succeeded", "failed", "retried", "cached", "cancelled", "running", "pending", "none"];
const NAMES = {none: "not run"};
const color = (s) => own(COLORS, s) || "#9ca3af";
const label = (s) => own(NAMES, s) || s || "unknown";
const FONT = "12px system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif";
const BOLD = "600 " + FONT;

function el(tag, cls, text) {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function badge(state, text) {
  const b = el("span", "badge", text === undefined ? label(state) : text);
  b.style.background = color(state);
  b.style.color = LIGHT.has(state) ? "#111827" : "#ffffff";
  return b;
}
function legend(host, states) {
  for (const s of states) {
    const item = el("span");
    const sw = el("span", "sw");
    sw.style.background = color(s);
    item.append(sw, label(s));
    host.appendChild(item);
  }
}
function facts(pairs) {
  const dl = el("dl", "facts");
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === "") continue;
    dl.appendChild(el("dt", null, k));
    const dd = el("dd");
    if (v instanceof Node) dd.appendChild(v); else dd.textContent = String(v);
    dl.appendChild(dd);
  }
  return dl;
}
function kvTable(map, empty) {
  const m = obj(map), keys = Object.keys(m);
  if (!keys.length) return el("p", "muted", empty);
  const t = el("table", "kv"), tb = el("tbody");
  for (const k of keys) {
    const tr = el("tr"), td = el("td");
    tr.appendChild(el("th", null, k));
    td.appendChild(el("pre", null, str(m[k])));
    tr.appendChild(td);
    tb.appendChild(tr);
  }
  t.appendChild(tb);
  return t;
}
function fmtDur(s) {
  if (!Number.isFinite(s)) return "\u2013";
  if (s < 0) s = 0;
  if (s < 1) return Math.round(s * 1000) + " ms";
  if (s < 60) return (s < 10 ? s.toFixed(2) : s.toFixed(1)) + " s";
  if (s < 3600) return Math.floor(s / 60) + "m " + String(Math.floor(s % 60)).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
}
const fmtTime = (t) => Number.isFinite(t) ? new Date(t * 1000).toLocaleString() : "\u2013";
function fit(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + "\u2026").width <= width) lo = mid; else hi = mid - 1;
  }
  return text.slice(0, lo) + "\u2026";
}
function safeHref(path) {
  const segs = str(path).replace(/\\/g, "/").replace(/^\/+/, "/").split("/");
  const href = segs.map((s) => encodeURIComponent(s)).join("/");
  return href.replace(/\//g, "") ? href : "";
}
function deckLink(r, n, many) {
  const href = safeHref(own(obj(own(DECKS, r.id)), String(n)));
  if (!href) return null;
  const a = el("a", null, many ? "deck #" + n : "deck");
  a.href = href;
  a.rel = "noopener";
  a.target = "_blank";
  a.title = "deck of attempt " + n;
  return a;
}
function deckKeys(r) {
  return Object.keys(obj(own(DECKS, r.id))).sort((a, b) => (Number(a) - Number(b)) || (a < b ? -1 : 1));
}

// ---- the model: nodes, attempts (timeline rows) and final states, from nodes + events ----
const recs = [], byId = new Map(), rows = [];
function addRec(id, n, info) {
  const p = own(n, "parent");
  const r = {id, entity: str(own(n, "entity")) || str(own(info, "entity")),
    kind: str(own(n, "kind")) || str(own(info, "kind")), upstream: arr(own(n, "upstream")).map(str),
    parent: (p === undefined || p === null) ? null : str(p), index: recs.length, state: "none",
    attempts: [], pending: null, open: null, reason: "", gp: null, kids: null, depth: 0,
    x: 0, y: 0, w: 0, h: 0, rx: 0, ry: 0};
  recs.push(r);
  byId.set(id, r);
  return r;
}
for (const n of arr(own(DATA, "nodes"))) {
  const id = str(own(n, "id"));
  if (id && !byId.has(id)) addRec(id, n, null);
}
function newAttempt(r, info, start, ran) {
  const n = num(own(info, "attempt"));
  const a = {r, n: Number.isFinite(n) ? n : r.attempts.length + 1, queued: r.pending, start, end: NaN,
    outcome: "running", i0: info, i1: null, ran, unfinished: false};
  r.pending = null;
  r.attempts.push(a);
  rows.push(a);
  return a;
}
let tFirst = Infinity, tLast = -Infinity, nEvents = 0;
for (const ev of arr(own(DATA, "events"))) {
  if (!Array.isArray(ev) || ev.length < 2) continue;
  const id = str(ev[0]), st = str(ev[1]), t = num(ev[2]), info = obj(ev[3]);
  if (!id) continue;
  nEvents++;
  if (Number.isFinite(t)) { tFirst = Math.min(tFirst, t); tLast = Math.max(tLast, t); }
  const r = byId.get(id) || addRec(id, null, info);
  r.state = st;
  if (own(info, "reason") !== undefined) r.reason = str(own(info, "reason"));
  if (st === "pending") {
    if (!r.open && r.pending === null) r.pending = t;
  } else if (st === "running") {
    if (r.open) { r.open.end = t; r.open.outcome = "retried"; }
    r.open = newAttempt(r, info, t, true);
  } else if (st === "cached") {
    const a = newAttempt(r, info, t, false);
    a.end = t;
    a.outcome = "cached";
  } else if (st === "retried" || st === "succeeded" || st === "failed" || st === "cancelled") {
    let a = r.open;
    if (!a) {
      if (st === "cancelled" && r.pending === null) continue;
      const d = num(own(info, "duration"));
      a = newAttempt(r, info, (st !== "cancelled" && Number.isFinite(d)) ? t - d : t, st !== "cancelled");
    }
    a.end = t;
    a.outcome = st;
    a.i1 = info;
    r.open = null;
  }
}
const T0 = Number.isFinite(num(RUN.started)) ? num(RUN.started) : (Number.isFinite(tFirst) ? tFirst : 0);
const TEND = Math.max(T0, ...[num(RUN.ended), tLast].filter((t) => Number.isFinite(t)));
for (const r of recs) {
  if (r.open) {
    r.open.end = TEND;
    r.open.unfinished = true;
    r.open = null;
  } else if (r.pending !== null && Number.isFinite(r.pending)) {
    const a = newAttempt(r, {}, TEND, false);
    a.end = TEND;
    a.outcome = "pending";
    a.unfinished = true;
  }
}
const ai = (a, k) => { const v = own(a.i1, k); return (v === undefined || v === null) ? own(a.i0, k) : v; };
function adur(a) {
  const d = num(ai(a, "duration"));
  if (Number.isFinite(d)) return d;
  return (Number.isFinite(a.end) && Number.isFinite(a.start)) ? Math.max(0, a.end - a.start) : NaN;
}
function whereOf(a) {
  const parts = [];
  for (const [k, pre] of [["where", ""], ["worker", ""], ["pid", "pid "]]) {
    const v = ai(a, k);
    if (v !== undefined && v !== null && v !== "") parts.push(pre + str(v));
  }
  return parts.join(" \u00b7 ");
}
const counts = new Map();
for (const r of recs) {
  const ran = r.attempts.filter((a) => a.ran);
  r.nAttempts = ran.length;
  r.total = ran.reduce((s, a) => s + (Number.isFinite(adur(a)) ? adur(a) : 0), 0);
  const last = r.attempts.length ? r.attempts[r.attempts.length - 1] : null;
  r.where = last ? whereOf(last) : "";
  r.search = (r.id + "\n" + r.entity + "\n" + r.kind + "\n" + r.where).toLowerCase();
  counts.set(r.state, (counts.get(r.state) || 0) + 1);
}
const present = ORDER.filter((s) => counts.has(s))
  .concat([...counts.keys()].filter((s) => !ORDER.includes(s)));

// ---- a scrollable canvas viewport: the canvas is the size of the visible area only ----
function viewport(host, height, draw) {
  const wrap = el("div", "vp"), scroller = el("div", "vp-scroll"), space = el("div", "vp-space");
  const canvas = el("canvas", "vp-canvas");
  wrap.style.height = height + "px";
  scroller.appendChild(space);
  wrap.append(scroller, canvas);
  host.appendChild(wrap);
  const ctx = canvas.getContext("2d");
  let queued = false;
  const vp = {wrap, scroller, w: 0, h: 0,
    setContent(w, h) { space.style.width = Math.ceil(w) + "px"; space.style.height = Math.ceil(h) + "px"; },
    drawNow() {
      queued = false;
      const w = scroller.clientWidth, h = scroller.clientHeight, dpr = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
        canvas.width = Math.round(w * dpr);
        canvas.height = Math.round(h * dpr);
        canvas.style.width = w + "px";
        canvas.style.height = h + "px";
      }
      vp.w = w;
      vp.h = h;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      draw(ctx, scroller.scrollLeft, scroller.scrollTop, w, h);
    },
    redraw() { if (!queued) { queued = true; requestAnimationFrame(vp.drawNow); } },
    point(ev) {
      const b = scroller.getBoundingClientRect();
      const vx = ev.clientX - b.left, vy = ev.clientY - b.top;
      return {vx, vy, x: vx + scroller.scrollLeft, y: vy + scroller.scrollTop};
    }};
  scroller.addEventListener("scroll", vp.redraw, {passive: true});
  return vp;
}
function boxPath(ctx, x, y, w, h, rad) {
  ctx.beginPath();
  ctx.moveTo(x + rad, y);
  ctx.arcTo(x + w, y, x + w, y + h, rad);
  ctx.arcTo(x + w, y + h, x, y + h, rad);
  ctx.arcTo(x, y + h, x, y, rad);
  ctx.arcTo(x, y, x + w, y, rad);
  ctx.closePath();
}
let selected = null;
const views = [];

// ---- summary ----
function buildSummary() {
  const host = doc.getElementById("summary-body");
  const status = str(RUN.status) || "unknown";
  const ended = num(RUN.ended);
  host.appendChild(facts([["workflow", str(RUN.workflow)], ["run", str(RUN.name)],
    ["status", badge(status, status)], ["started", fmtTime(num(RUN.started))], ["ended", fmtTime(ended)],
    ["duration", fmtDur((Number.isFinite(ended) ? ended : TEND) - T0)],
    ["nodes", recs.length + " nodes, " + nEvents + " events"]]));
  host.appendChild(el("h3", null, "Nodes by final state"));
  const chips = el("div", "chips");
  for (const s of present) chips.appendChild(badge(s, label(s) + ": " + counts.get(s)));
  if (!present.length) chips.appendChild(el("span", "muted", "no nodes"));
  host.appendChild(chips);
  host.appendChild(el("h3", null, "Inputs"));
  host.appendChild(kvTable(RUN.inputs, "no inputs"));
  host.appendChild(el("h3", null, "Outputs"));
  host.appendChild(kvTable(RUN.outputs, "no outputs"));
  if (RUN.error !== undefined && RUN.error !== null && RUN.error !== "") {
    host.appendChild(el("h3", null, "Error"));
    host.appendChild(el("pre", "error", str(RUN.error)));
  }
}

// ---- graph: longest-path layers per parent, nested boxes for sub-workflows, drawn on a canvas ----
const BW = 180, BH = 40, GX = 56, GY = 12, PAD = 12, HEAD = 26, MARGIN = 16, WRAP = 40;
function layoutGroup(list) {
  const inG = new Set(list), down = new Map();
  for (const r of list) { r.lay = 0; r.indeg = 0; }
  for (const r of list) {
    for (const uid of r.upstream) {
      const u = byId.get(uid);
      if (!u || u === r || !inG.has(u)) continue;
      r.indeg++;
      if (!down.has(u)) down.set(u, []);
      down.get(u).push(r);
    }
  }
  const queue = list.filter((r) => r.indeg === 0);
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i];
    for (const d of down.get(u) || []) {
      d.lay = Math.max(d.lay, u.lay + 1);
      if (--d.indeg === 0) queue.push(d);
    }
  }
  let nl = 0;
  for (const r of list) nl = Math.max(nl, r.lay + 1);
  const cols = Array.from({length: nl}, () => []);
  for (const r of list) cols[r.lay].push(r);
  cols.forEach((col, l) => {
    for (const r of col) {
      let s = 0, c = 0;
      for (const uid of r.upstream) {
        const u = byId.get(uid);
        if (u && inG.has(u) && u.lay < l) { s += u.pos; c++; }
      }
      r.key = c ? s / c : -1;
    }
    if (l > 0) col.sort((a, b) => (a.key - b.key) || (a.index - b.index));
    col.forEach((r, i) => { r.pos = i; });
  });
  const placed = [];
  let x = 0, height = 0;
  for (const col of cols) {
    // many nodes nothing in the group depends on (a wide fan-out) go into columns of WRAP nodes
    const sinks = col.filter((r) => !down.has(r)), chunks = [];
    if (sinks.length > WRAP) {
      const rest = col.filter((r) => down.has(r));
      if (rest.length) chunks.push(rest);
      for (let s = 0; s < sinks.length; s += WRAP) chunks.push(sinks.slice(s, s + WRAP));
    } else {
      chunks.push(col);
    }
    for (const chunk of chunks) {
      let w = 0, h = -GY;
      for (const r of chunk) { w = Math.max(w, r.w); h += r.h + GY; }
      placed.push({chunk, x, h});
      x += w + GX;
      height = Math.max(height, h);
    }
  }
  for (const c of placed) {
    let y = (height - c.h) / 2;
    for (const r of c.chunk) { r.rx = c.x; r.ry = y; y += r.h + GY; }
  }
  return {w: Math.max(0, x - GX), h: height};
}
let graph = null;
function buildGraph() {
  const host = doc.getElementById("graph-body");
  legend(doc.getElementById("graph-legend"), present);
  if (!recs.length) {
    host.appendChild(el("p", "muted", "No nodes: the run ended before any node ran."));
    return;
  }
  for (const r of recs) {
    const p = r.parent === null ? null : byId.get(r.parent);
    r.gp = (p && p !== r) ? p : null;
  }
  for (let pass = 0; pass < 2; pass++) {
    for (const r of recs) {
      let d = 0, q = r.gp;
      const seen = new Set([r]);
      while (q && !seen.has(q) && d < 64) { seen.add(q); d++; q = q.gp; }
      if (q) { r.gp = null; d = 0; }
      r.depth = d;
    }
  }
  const roots = [];
  for (const r of recs) {
    r.w = BW;
    r.h = BH;
    if (r.gp) (r.gp.kids || (r.gp.kids = [])).push(r); else roots.push(r);
  }
  const compounds = recs.filter((r) => r.kids).sort((a, b) => b.depth - a.depth);
  for (const c of compounds) {
    const s = layoutGroup(c.kids);
    c.w = Math.max(BW, s.w + 2 * PAD);
    c.h = HEAD + s.h + PAD;
  }
  const size = layoutGroup(roots);
  for (const r of recs.slice().sort((a, b) => a.depth - b.depth)) {
    r.x = r.gp ? r.gp.x + PAD + r.rx : MARGIN + r.rx;
    r.y = r.gp ? r.gp.y + HEAD + r.ry : MARGIN + r.ry;
  }
  compounds.reverse();
  const leaves = recs.filter((r) => !r.kids), edges = [];
  for (const r of recs) {
    for (const uid of r.upstream) {
      const u = byId.get(uid);
      if (u && u !== r && u.gp === r.gp) edges.push([u, r]);
    }
  }
  const W = size.w + 2 * MARGIN, H = size.h + 2 * MARGIN;
  const vp = viewport(host, Math.min(560, H + 18), (ctx, sx, sy, w, h) => {
    const vis = (r) => r.x + r.w >= sx && r.x <= sx + w && r.y + r.h >= sy && r.y <= sy + h;
    ctx.font = BOLD;
    ctx.textBaseline = "alphabetic";
    for (const c of compounds) {
      if (!vis(c)) continue;
      boxPath(ctx, c.x - sx, c.y - sy, c.w, c.h, 8);
      ctx.globalAlpha = 0.07;
      ctx.fillStyle = color(c.state);
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = c === selected ? 3 : 1.5;
      ctx.strokeStyle = c === selected ? "#111827" : color(c.state);
      ctx.stroke();
      if (c.lab === undefined) {
        c.lab = fit(ctx, c.entity + "  (" + c.id + ", " + label(c.state) + ")", c.w - 16);
      }
      ctx.fillStyle = "#111827";
      ctx.fillText(c.lab, c.x - sx + 8, c.y - sy + 17);
    }
    ctx.strokeStyle = "#94a3b8";
    ctx.fillStyle = "#94a3b8";
    ctx.lineWidth = 1.2;
    const heads = [];
    ctx.beginPath();
    for (const [u, v] of edges) {
      const x1 = u.x + u.w, y1 = u.y + u.h / 2, x2 = v.x, y2 = v.y + v.h / 2;
      if (Math.max(x1, x2) < sx || Math.min(x1, x2) > sx + w) continue;
      if (Math.max(y1, y2) < sy || Math.min(y1, y2) > sy + h) continue;
      const dx = Math.max(20, (x2 - x1) / 2);
      ctx.moveTo(x1 - sx, y1 - sy);
      ctx.bezierCurveTo(x1 + dx - sx, y1 - sy, x2 - dx - sx, y2 - sy, x2 - sx - 5, y2 - sy);
      heads.push(x2 - sx, y2 - sy);
    }
    ctx.stroke();
    ctx.beginPath();
    for (let i = 0; i < heads.length; i += 2) {
      ctx.moveTo(heads[i], heads[i + 1]);
      ctx.lineTo(heads[i] - 7, heads[i + 1] - 4);
      ctx.lineTo(heads[i] - 7, heads[i + 1] + 4);
      ctx.closePath();
    }
    ctx.fill();
    for (const r of leaves) {
      if (!vis(r)) continue;
      const x = r.x - sx, y = r.y - sy;
      boxPath(ctx, x, y, r.w, r.h, 6);
      ctx.fillStyle = color(r.state);
      ctx.fill();
      if (r === selected) { ctx.lineWidth = 3; ctx.strokeStyle = "#111827"; ctx.stroke(); }
      ctx.fillStyle = LIGHT.has(r.state) ? "#111827" : "#ffffff";
      ctx.font = BOLD;
      if (r.lab === undefined) r.lab = fit(ctx, r.entity.split(".").pop() || r.entity || r.id, r.w - 16);
      ctx.fillText(r.lab, x + 8, y + 16);
      ctx.font = FONT;
      if (r.lab2 === undefined) r.lab2 = fit(ctx, r.id + " \u00b7 " + label(r.state), r.w - 16);
      ctx.fillText(r.lab2, x + 8, y + 32);
    }
  });
  vp.setContent(W, H);
  const hit = (x, y) => {
    let best = null;
    for (const r of recs) {
      if (x < r.x || x > r.x + r.w || y < r.y || y > r.y + r.h) continue;
      if (!best || r.depth > best.depth) best = r;
    }
    return best;
  };
  vp.scroller.addEventListener("click", (ev) => {
    const p = vp.point(ev), r = hit(p.x, p.y);
    if (r) select(r, "graph");
  });
  vp.scroller.addEventListener("mousemove", (ev) => {
    const p = vp.point(ev), r = hit(p.x, p.y);
    vp.scroller.style.cursor = r ? "pointer" : "default";
    vp.scroller.title = r ? r.id + " \u2014 " + r.entity + " (" + label(r.state) + ")" : "";
  });
  graph = {vp, reveal(r) {
    const s = vp.scroller;
    const outX = r.x < s.scrollLeft || r.x + r.w > s.scrollLeft + vp.w;
    if (outX || r.y < s.scrollTop || r.y + r.h > s.scrollTop + vp.h) {
      s.scrollLeft = r.x + r.w / 2 - vp.w / 2;
      s.scrollTop = r.y + r.h / 2 - vp.h / 2;
    }
  }};
  views.push(vp);
  vp.drawNow();
}

// ---- timeline: one row per attempt, drawn on a canvas, only the visible rows ----
function niceStep(raw) {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5]) if (m * p >= raw) return m * p;
  return 10 * p;
}
function fmtTick(s, step) {
  if (step < 1) return s.toFixed(Math.min(6, Math.max(0, -Math.floor(Math.log10(step))))) + "s";
  if (s < 60 || step < 1) return Math.round(s) + "s";
  if (s < 3600) { const sec = Math.round(s % 60); return Math.floor(s / 60) + "m" + (sec ? sec + "s" : ""); }
  const m = Math.round((s % 3600) / 60);
  return Math.floor(s / 3600) + "h" + (m ? String(m).padStart(2, "0") + "m" : "");
}
function attemptText(a) {
  const r = a.r, lines = [r.id + " \u2014 " + r.entity];
  lines.push("attempt " + a.n + ": " + label(a.outcome) + (a.unfinished ? " (unfinished)" : ""));
  if (Number.isFinite(a.queued) && a.queued < a.start) lines.push("queued " + fmtDur(a.start - a.queued));
  lines.push("started +" + fmtDur(a.start - T0) + ", duration " + fmtDur(adur(a)));
  const where = whereOf(a);
  if (where) lines.push(where);
  if (ai(a, "timed_out")) lines.push("timed out");
  const err = str(ai(a, "error"));
  if (err.length > 300) lines.push("error: " + err.slice(0, 300) + "\u2026 (full text in the details)");
  else if (err) lines.push("error: " + err);
  return lines.join("\n");
}
let timeline = null;
function buildTimeline() {
  const host = doc.getElementById("timeline-body");
  legend(doc.getElementById("timeline-legend"),
    ["queued", "succeeded", "failed", "retried", "cached", "cancelled", "running", "pending"]);
  if (!rows.length) { host.appendChild(el("p", "muted", "No attempts: no node ran.")); return; }
  const LW = 300, RH = 20, TH = 26, PR = 16, SPAN = Math.max(TEND - T0, 1e-3);
  let zoom = 1, hover = -1;
  const plotW = () => Math.max(200, vp.scroller.clientWidth - LW - PR) * zoom;
  const vp = viewport(host, Math.min(600, TH + rows.length * RH + 18), (ctx, sx, sy, w, h) => {
    const pw = plotW(), k = pw / SPAN, X = (t) => LW + (t - T0) * k - sx;
    const first = Math.max(0, Math.floor(sy / RH));
    const last = Math.min(rows.length, Math.ceil((sy + h - TH) / RH) + 1);
    const step = niceStep(SPAN / Math.max(1, pw / 110));
    const lo = Math.max(0, Math.floor(sx / k / step) * step), hi = (sx + w) / k;
    for (let i = first; i < last; i++) {
      const y = TH + i * RH - sy, a = rows[i];
      if (a.r === selected) { ctx.fillStyle = "#dbeafe"; ctx.fillRect(0, y, w, RH); }
      else if (i === hover) { ctx.fillStyle = "#f1f5f9"; ctx.fillRect(0, y, w, RH); }
      else if (i % 2) { ctx.fillStyle = "#fafafa"; ctx.fillRect(0, y, w, RH); }
    }
    ctx.strokeStyle = "#e5e7eb";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let t = lo; t <= hi; t += step) {
      const x = Math.round(X(T0 + t)) + 0.5;
      ctx.moveTo(x, TH);
      ctx.lineTo(x, h);
    }
    ctx.stroke();
    for (let i = first; i < last; i++) {
      const y = TH + i * RH - sy, a = rows[i];
      if (Number.isFinite(a.queued) && a.queued < a.start) {
        ctx.fillStyle = color("queued");
        ctx.fillRect(X(a.queued), y + 6, Math.max(1, (a.start - a.queued) * k), RH - 12);
      }
      const x1 = X(a.start), x2 = X(a.end);
      ctx.fillStyle = color(a.outcome);
      if (a.outcome === "cached") {
        ctx.beginPath();
        ctx.moveTo(x1, y + 3);
        ctx.lineTo(x1 + 5, y + RH / 2);
        ctx.lineTo(x1, y + RH - 3);
        ctx.lineTo(x1 - 5, y + RH / 2);
        ctx.closePath();
        ctx.fill();
      } else {
        ctx.fillRect(x1, y + 4, Math.max(3, x2 - x1), RH - 8);
      }
    }
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, TH, LW - 4, h - TH);
    ctx.font = FONT;
    ctx.textBaseline = "middle";
    for (let i = first; i < last; i++) {
      const y = TH + i * RH - sy, a = rows[i];
      if (a.r === selected || i === hover) {
        ctx.fillStyle = a.r === selected ? "#dbeafe" : "#f1f5f9";
        ctx.fillRect(0, y, LW - 4, RH);
      }
      ctx.fillStyle = color(a.outcome);
      ctx.fillRect(6, y + 5, 4, RH - 10);
      if (a.lab === undefined) a.lab = fit(ctx, a.r.id + "  " + a.r.entity + "  #" + a.n, LW - 24);
      ctx.fillStyle = "#111827";
      ctx.fillText(a.lab, 16, y + RH / 2);
    }
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, w, TH);
    ctx.strokeStyle = "#d1d5db";
    ctx.beginPath();
    ctx.moveTo(0, TH - 0.5);
    ctx.lineTo(w, TH - 0.5);
    ctx.moveTo(LW - 4.5, 0);
    ctx.lineTo(LW - 4.5, h);
    ctx.stroke();
    ctx.fillStyle = "#374151";
    for (let t = lo; t <= hi; t += step) {
      const x = X(T0 + t);
      if (x >= LW) ctx.fillText(fmtTick(t, step), x + 3, TH / 2);
    }
    ctx.fillText(rows.length + " attempts", 8, TH / 2);
  });
  const size = () => vp.setContent(LW + plotW() + PR, TH + rows.length * RH);
  size();
  const tip = el("div", "tip");
  tip.hidden = true;
  vp.wrap.appendChild(tip);
  const rowAt = (p) => {
    if (p.vy < TH) return -1;
    const i = Math.floor((p.vy + vp.scroller.scrollTop - TH) / RH);
    return i >= 0 && i < rows.length ? i : -1;
  };
  vp.scroller.addEventListener("mousemove", (ev) => {
    const p = vp.point(ev), i = rowAt(p);
    if (i !== hover) { hover = i; vp.redraw(); }
    if (i < 0) { tip.hidden = true; return; }
    tip.textContent = attemptText(rows[i]);
    tip.hidden = false;
    tip.style.left = Math.max(0, Math.min(p.vx + 14, vp.w - tip.offsetWidth - 4)) + "px";
    const below = p.vy + 16 + tip.offsetHeight <= vp.h;
    tip.style.top = (below ? p.vy + 16 : Math.max(0, p.vy - tip.offsetHeight - 8)) + "px";
  });
  vp.scroller.addEventListener("mouseleave", () => { tip.hidden = true; hover = -1; vp.redraw(); });
  vp.scroller.addEventListener("click", (ev) => {
    const i = rowAt(vp.point(ev));
    if (i >= 0) select(rows[i].r, "timeline");
  });
  const zoomLabel = doc.getElementById("zoom-level");
  const setZoom = (z) => {
    const s = vp.scroller, pw = plotW(), mid = (s.scrollLeft + (vp.w - LW) / 2) / pw;
    zoom = Math.min(4096, Math.max(1, z));
    size();
    s.scrollLeft = mid * plotW() - (vp.w - LW) / 2;
    zoomLabel.textContent = zoom === 1 ? "" : "\u00d7" + zoom;
    vp.redraw();
  };
  doc.getElementById("zoom-in").addEventListener("click", () => setZoom(zoom * 2));
  doc.getElementById("zoom-out").addEventListener("click", () => setZoom(zoom / 2));
  doc.getElementById("zoom-fit").addEventListener("click", () => setZoom(1));
  timeline = {vp, size};
  views.push(vp);
  vp.drawNow();
}

// ---- the node table (paged) and the details panel ----
const PAGE = 200;
let table = null;
function buildTable() {
  const input = doc.getElementById("node-filter"), sel = doc.getElementById("state-filter");
  const tbody = doc.querySelector("#node-table tbody"), info = doc.getElementById("page-info");
  const prev = doc.getElementById("page-prev"), next = doc.getElementById("page-next");
  const all = el("option", null, "all states (" + recs.length + ")");
  all.value = "";
  sel.appendChild(all);
  for (const s of present) {
    const o = el("option", null, label(s) + " (" + counts.get(s) + ")");
    o.value = s;
    sel.appendChild(o);
  }
  let list = recs, page = 0, shown = new Map();
  function render() {
    const pages = Math.max(1, Math.ceil(list.length / PAGE));
    page = Math.min(Math.max(0, page), pages - 1);
    tbody.textContent = "";
    shown = new Map();
    const frag = doc.createDocumentFragment();
    for (const r of list.slice(page * PAGE, (page + 1) * PAGE)) {
      const tr = el("tr");
      tr.tabIndex = 0;
      const idc = el("td");
      idc.appendChild(el("code", null, r.id));
      const st = el("td");
      st.appendChild(badge(r.state));
      const dk = el("td"), keys = deckKeys(r);
      for (const k of keys) { const a = deckLink(r, k, keys.length > 1); if (a) dk.appendChild(a); }
      tr.append(idc, el("td", null, r.entity), el("td", null, r.kind), st, el("td", null, r.nAttempts),
        el("td", null, r.attempts.length ? fmtDur(r.total) : "\u2013"), el("td", null, r.where), dk);
      if (r === selected) tr.className = "sel";
      tr.addEventListener("click", (ev) => {
        if (!(ev.target instanceof HTMLAnchorElement)) select(r, "table");
      });
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") select(r, "table"); });
      shown.set(r, tr);
      frag.appendChild(tr);
    }
    tbody.appendChild(frag);
    if (!list.length) {
      const tr = el("tr"), td = el("td", "muted", "no nodes match");
      td.colSpan = 8;
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    info.textContent = list.length ? (page * PAGE + 1) + "\u2013" + Math.min(list.length, (page + 1) * PAGE) +
      " of " + list.length + " (page " + (page + 1) + " of " + pages + ")" : "0 of " + recs.length;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  function apply() {
    const q = input.value.trim().toLowerCase(), s = sel.value;
    list = (q || s) ? recs.filter((r) => (!s || r.state === s) && (!q || r.search.includes(q))) : recs;
    page = 0;
    render();
  }
  let timer = 0;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(apply, 120); });
  sel.addEventListener("change", apply);
  prev.addEventListener("click", () => { page--; render(); });
  next.addEventListener("click", () => { page++; render(); });
  render();
  table = {mark(old, r) {
    if (old && shown.has(old)) shown.get(old).className = "";
    if (shown.has(r)) shown.get(r).className = "sel";
  }};
}
function showDetail(r) {
  const panel = doc.getElementById("node-detail"), body = doc.getElementById("detail-body");
  body.textContent = "";
  body.appendChild(el("h3", null, r.id));
  const ups = el("span");
  for (const uid of r.upstream) {
    const b = el("button", "link", uid);
    b.type = "button";
    b.addEventListener("click", () => { const u = byId.get(uid); if (u) select(u, "detail"); });
    ups.append(b, " ");
  }
  let parent = null;
  if (r.parent !== null) {
    parent = el("button", "link", r.parent);
    parent.type = "button";
    parent.addEventListener("click", () => { const p = byId.get(r.parent); if (p) select(p, "detail"); });
  }
  body.appendChild(facts([["entity", r.entity], ["kind", r.kind], ["state", badge(r.state)],
    ["parent", parent],
    ["upstream", r.upstream.length ? ups : ""], ["attempts", String(r.nAttempts)],
    ["total duration", r.attempts.length ? fmtDur(r.total) : ""], ["reason", r.reason]]));
  const io = obj(own(IO, r.id));
  for (const [title, key] of [["Inputs", "inputs"], ["Outputs", "outputs"]]) {
    body.appendChild(el("h4", null, title));
    const values = own(io, key);
    body.appendChild(values === undefined ? el("p", "muted", "not recorded") : kvTable(values, "no " + key));
  }
  body.appendChild(el("h4", null, "Attempts"));
  if (!r.attempts.length) body.appendChild(el("p", "muted", "none"));
  const many = deckKeys(r).length > 1;
  for (const a of r.attempts) {
    const box = el("div", "attempt"), head = el("div", "head");
    const what = label(a.outcome) + (a.unfinished ? " (unfinished)" : "");
    head.append(el("span", null, a.ran ? "attempt " + a.n : label(a.outcome)), badge(a.outcome, what));
    const deck = deckLink(r, a.n, many);
    if (deck) head.appendChild(deck);
    box.appendChild(head);
    const to = ai(a, "timed_out");
    box.appendChild(facts([
      ["queued", Number.isFinite(a.queued) && a.queued < a.start ? fmtDur(a.start - a.queued) : ""],
      ["started", fmtTime(a.start) + " (+" + fmtDur(a.start - T0) + ")"],
      ["ended", a.unfinished ? "" : fmtTime(a.end)], ["duration", fmtDur(adur(a))],
      ["where", str(ai(a, "where"))], ["worker", str(ai(a, "worker"))], ["pid", str(ai(a, "pid"))],
      ["timed out", to ? "yes" : ""]]));
    const err = str(ai(a, "error"));
    if (err) box.appendChild(el("pre", "error", err));
    body.appendChild(box);
  }
  panel.hidden = false;
  panel.scrollTop = 0;
}
function select(r, from) {
  const old = selected;
  selected = r;
  showDetail(r);
  if (table) table.mark(old, r);
  if (graph && from !== "graph") graph.reveal(r);
  for (const v of views) v.redraw();
}
const closeDetail = () => { doc.getElementById("node-detail").hidden = true; };
doc.getElementById("detail-close").addEventListener("click", closeDetail);
doc.addEventListener("keydown", (ev) => { if (ev.key === "Escape") closeDetail(); });
window.addEventListener("resize", () => {
  if (timeline) timeline.size();
  for (const v of views) v.redraw();
});

let failed = 0;
const builders = [["summary", buildSummary], ["graph", buildGraph], ["timeline", buildTimeline],
  ["nodes", buildTable]];
for (const [name, build] of builders) {
  try {
    build();
  } catch (e) {
    failed++;
    console.error("flyweight report: the " + name + " section failed", e);
    doc.getElementById(name).appendChild(el("pre", "error", "This section could not be drawn: " + e));
  }
}
doc.body.dataset.attemptCount = String(rows.length);
doc.body.dataset.rendered = failed ? "error" : "1";
})();
"""
