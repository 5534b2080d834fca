// emu's browser console: plain JavaScript, no build step, no library (see the README's Console section).
// Every data and action request carries the lab's token in an Authorization header; the token comes
// in the address's fragment (#token=...), which a browser never sends, and is dropped from the
// address bar at once. Lab data is only ever put in the page as text (textContent), never as HTML.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  let token = null;
  let lab = null;
  let svg = null;
  let view = null; // the drawing's viewBox: {x, y, w, h}
  let full = null;
  let last = null; // the previous message, for rates
  let rates = {}; // "node:iface" -> {rxf, txf, rxb, txb}
  let status = null;
  let selectedNode = null;
  let selectedLink = null; // {a, b}
  const partitionSet = new Set();
  const seenNodes = new Set();
  const seenProtos = new Set();

  // ---- the token and requests ----

  function readToken() {
    const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      token = decodeURIComponent(m[1]);
      try { sessionStorage.setItem('emu-token', token); } catch (e) { /* private mode: this load only */ }
      history.replaceState(null, '', location.pathname + location.search); // out of the address bar and history
    } else {
      try { token = sessionStorage.getItem('emu-token'); } catch (e) { token = null; }
    }
  }

  function headers(json) {
    const h = { Authorization: 'Bearer ' + token };
    if (json) h['Content-Type'] = 'application/json';
    return h;
  }

  async function api(method, path, body) {
    const r = await fetch(path, {
      method, headers: headers(body !== undefined), cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let j = null;
    try { j = text ? JSON.parse(text) : {}; } catch (e) { j = null; }
    if (!r.ok) throw new Error((j && j.error) || ('HTTP ' + r.status + ' ' + text));
    return j;
  }

  // names in paths: escaped, but the ':' of NODE:IF kept (the API reads paths as they are)
  const enc = (name) => encodeURIComponent(name).replace(/%3A/gi, ':');
  const labPath = (rest) => '/labs/' + enc(lab) + rest;

  function say(text, isError) {
    const m = $('action-msg');
    m.textContent = text;
    m.className = 'msg' + (isError ? ' error' : '');
  }

  async function act(what, method, path, body) {
    say(what + '...', false);
    try {
      await api(method, path, body);
      say(what + ': done', false);
      return true;
    } catch (e) {
      say(what + ': ' + e.message, true);
      return false;
    }
  }

  // ---- numbers ----

  function si(v, unit) {
    if (v === undefined || v === null || Number.isNaN(v)) return '-';
    const steps = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
    for (const [f, p] of steps) {
      if (Math.abs(v) >= f) return (v / f).toFixed(1) + ' ' + p + unit;
    }
    return (Math.round(v * 10) / 10) + ' ' + unit;
  }

  function words(obj) {
    const w = Object.entries(obj || {}).map(([k, v]) => k + ' ' + v);
    return w.length ? w.join(' ') : '';
  }

  // ---- the drawing: load, pan, zoom, click ----

  async function loadDrawing() {
    const r = await fetch(labPath('/console/topology'), { headers: headers(false), cache: 'no-store' });
    if (!r.ok) throw new Error('topology: HTTP ' + r.status);
    const doc = new DOMParser().parseFromString(await r.text(), 'image/svg+xml');
    const el = document.importNode(doc.documentElement, true);
    const vb = el.getAttribute('viewBox').split(/\s+/).map(Number);
    full = { x: vb[0], y: vb[1], w: vb[2], h: vb[3] };
    el.removeAttribute('width');
    el.removeAttribute('height');
    el.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    $('drawing').replaceChildren(el);
    svg = el;
    fit();
    wirePanZoom();
  }

  function setView(v) {
    view = v;
    svg.setAttribute('viewBox', [v.x, v.y, v.w, v.h].join(' '));
  }

  function fit() {
    setView({ ...full });
  }

  function zoom(factor, cx, cy) {
    const w = view.w * factor;
    const h = view.h * factor;
    if (w < 50 || w > full.w * 20) return;
    const px = cx === undefined ? view.x + view.w / 2 : cx;
    const py = cy === undefined ? view.y + view.h / 2 : cy;
    setView({ x: px - (px - view.x) * factor, y: py - (py - view.y) * factor, w, h });
  }

  function toSvg(evt) {
    const p = svg.createSVGPoint();
    p.x = evt.clientX;
    p.y = evt.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }

  function wirePanZoom() {
    const box = $('drawing');
    let drag = null;
    box.addEventListener('wheel', (e) => {
      e.preventDefault();
      const p = toSvg(e);
      zoom(e.deltaY < 0 ? 0.85 : 1 / 0.85, p.x, p.y);
    }, { passive: false });
    box.addEventListener('mousedown', (e) => {
      drag = { sx: e.clientX, sy: e.clientY, v: { ...view }, moved: false };
    });
    window.addEventListener('mousemove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.sx;
      const dy = e.clientY - drag.sy;
      if (Math.abs(dx) + Math.abs(dy) > 4) {
        drag.moved = true;
        box.classList.add('panning');
      }
      if (drag.moved) {
        const scale = view.w / box.clientWidth;
        setView({ x: drag.v.x - dx * scale, y: drag.v.y - dy * scale, w: view.w, h: view.h });
      }
    });
    window.addEventListener('mouseup', () => {
      box.classList.remove('panning');
      setTimeout(() => { drag = null; }, 0);
    });
    box.addEventListener('click', (e) => {
      if (drag && drag.moved) return;
      const node = e.target.closest('g.node');
      const link = e.target.closest('g.link');
      if (node && node.dataset.members) {
        selectMembers(node.dataset.members.split(' '));
      } else if (node) {
        $('node-members-row').hidden = true;
        selectNode(node.dataset.node);
      } else if (link) {
        // the end nearer the click: its egress is what the form changes
        const p = toSvg(e);
        const dist = (end) => {
          const g = nodeG(end.split(':')[0]);
          if (!g) return Infinity;
          const b = g.getBBox();
          return Math.hypot(b.x + b.width / 2 - p.x, b.y + b.height / 2 - p.y);
        };
        const a = link.dataset.a;
        const b = link.dataset.b;
        selectLink(a, b, dist(a) <= dist(b) ? a : b);
      }
    });
  }

  function nodeG(name) {
    return svg ? svg.querySelector('g.node[data-node="' + CSS.escape(name) + '"]') : null;
  }

  /** The collapsed glyph a host is drawn in ("N hosts" under its switch), or null. */
  function glyphOf(name) {
    return svg ? svg.querySelector('g.node.hosts[data-members~="' + CSS.escape(name) + '"]') : null;
  }

  function linkG(a, b) {
    return svg ? svg.querySelector('g.link[data-a="' + CSS.escape(a) + '"][data-b="' + CSS.escape(b) + '"]') : null;
  }

  /** A text in the drawing, kept by key, above (dy < 0) or at the middle of an element's box. */
  function overlay(g, cls, text, dy) {
    let t = g.querySelector('text.' + cls);
    if (!text) {
      if (t) t.remove();
      return;
    }
    if (!t) {
      t = document.createElementNS(SVG, 'text');
      t.setAttribute('class', cls);
      t.setAttribute('text-anchor', 'middle');
      g.appendChild(t);
    }
    // a link is one routed <path> (its midpoint along the route), or a <line> in older drawings
    const wire = g.querySelector('path') || g.querySelector('line');
    let x;
    let y;
    if (wire && dy !== undefined && cls !== 'rt-state') {
      const mid = wire.getPointAtLength(wire.getTotalLength() / 2);
      x = mid.x;
      y = mid.y + dy;
    } else {
      t.textContent = '';
      const b = (g.querySelector('rect') || g).getBBox();
      x = b.x + b.width / 2;
      y = cls === 'rt-state' ? b.y - 5 : b.y + b.height / 2 + dy;
    }
    t.setAttribute('x', x.toFixed(1));
    t.setAttribute('y', y.toFixed(1));
    t.textContent = text;
  }

  // ---- selection and the panels ----

  /** A collapsed glyph clicked: its hosts to choose from, the first chosen. */
  function selectMembers(members) {
    const sel = $('node-members');
    sel.replaceChildren(...members.map((m) => {
      const o = document.createElement('option');
      o.textContent = m;
      return o;
    }));
    $('node-members-row').hidden = false;
    selectNode(members[0]);
  }

  function selectNode(name) {
    selectedNode = name;
    selectedLink = null;
    $('link-panel').hidden = true;
    $('node-panel').hidden = false;
    $('node-name').textContent = name;
    $('node-in-partition').checked = partitionSet.has(name);
    $('diag-out').textContent = '';
    if (svg) {
      svg.querySelectorAll('.selected').forEach((g) => g.classList.remove('selected'));
      const g = nodeG(name) || glyphOf(name);
      if (g) g.classList.add('selected');
    }
    renderPanels();
  }

  function selectLink(a, b, end) {
    selectedLink = { a, b };
    selectedNode = null;
    $('node-panel').hidden = true;
    $('link-panel').hidden = false;
    $('link-name').textContent = a + ' -- ' + b;
    const sel = $('link-end');
    sel.replaceChildren();
    for (const e of [a, b]) {
      const o = document.createElement('option');
      o.value = e;
      o.textContent = e;
      sel.appendChild(o);
    }
    sel.value = end || a;
    $('imp-error').textContent = '';
    $('cap-status').textContent = '';
    $('cap-download').hidden = true;
    if (svg) {
      svg.querySelectorAll('.selected').forEach((g) => g.classList.remove('selected'));
      const g = linkG(a, b);
      if (g) g.classList.add('selected');
    }
    renderPanels();
  }

  function linkOf(a, b) {
    return ((status && status.links) || []).find((l) => l.name === a + '--' + b);
  }

  function nodeOf(name) {
    return ((status && status.nodes) || []).find((n) => n.name === name);
  }

  function renderPanels() {
    if (selectedNode) {
      const n = nodeOf(selectedNode);
      const st = n ? n.state || 'running' : '?';
      const s = $('node-state');
      s.textContent = st;
      s.className = 'state ' + st;
      const dl = $('node-figures');
      dl.replaceChildren();
      const add = (k, v) => {
        const dt = document.createElement('dt');
        dt.textContent = k;
        const dd = document.createElement('dd');
        dd.textContent = v;
        dl.append(dt, dd);
      };
      const f = nodeFigures(selectedNode);
      if (f) {
        add('rx frames/s, bit/s', f.rxf.toFixed(1) + ', ' + si(f.rxb, 'bit/s'));
        add('tx frames/s, bit/s', f.txf.toFixed(1) + ', ' + si(f.txb, 'bit/s'));
        add('drops', String(f.drops));
        add('drops by reason', words(f.reasons) || 'none');
        if (f.retrans !== undefined) add('TCP retransmissions', String(f.retrans));
        if (f.forwarded !== undefined) add('forwarded', String(f.forwarded));
      } else if (n && n.reason) {
        add('why', n.reason);
      }
    }
    if (selectedLink) {
      const l = linkOf(selectedLink.a, selectedLink.b);
      const s = $('link-state');
      s.textContent = l ? l.state : '?';
      s.className = 'state ' + (l ? l.state : '');
      const end = $('link-end').value;
      $('imp-current').textContent = l ? (words(l.impairments[end]) || 'none') + ' (on ' + end + ')' : '?';
    }
  }

  // ---- the feed ----

  async function follow() {
    for (;;) {
      try {
        const r = await fetch(labPath('/console/feed'), { headers: headers(false), cache: 'no-store' });
        if (!r.ok) throw new Error('HTTP ' + r.status);
        const reader = r.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            if (data) onMessage(JSON.parse(data));
          }
        }
        conn('feed ended; reconnecting', 'lost');
      } catch (e) {
        conn('feed lost (' + e.message + '); reconnecting', 'lost');
      }
      await new Promise((ok) => setTimeout(ok, 2000));
    }
  }

  function conn(text, cls) {
    const c = $('conn');
    c.textContent = text;
    c.className = 'conn ' + cls;
  }

  function onMessage(m) {
    if (m.error) {
      conn('feed error: ' + m.error, 'lost');
      return;
    }
    conn('live, ' + new Date(m.t).toLocaleTimeString(), 'live');
    computeRates(m);
    status = m.status;
    last = m;
    drawState();
    linksTable();
    nodesTable();
    planTable(m.plan || []);
    narrative(m.narrative || [], m.backlog);
    if (m.ladder !== undefined) ladder(m.ladder);
    renderPanels();
  }

  function ifaces(stats) {
    const out = {};
    for (const n of (stats && stats.nodes) || []) {
      for (const i of n.interfaces || []) out[n.name + ':' + i.name] = i;
    }
    return out;
  }

  function computeRates(m) {
    if (!last || !last.stats) {
      rates = {};
      return;
    }
    const dt = (m.t - last.t) / 1000;
    if (dt <= 0) return;
    const now = ifaces(m.stats);
    const before = ifaces(last.stats);
    const r = {};
    for (const [k, i] of Object.entries(now)) {
      const b = before[k];
      if (!b) continue;
      const d = (f) => Math.max(0, ((i[f] || 0) - (b[f] || 0)) / dt);
      r[k] = { rxf: d('rx_frames'), txf: d('tx_frames'), rxb: d('rx_bytes') * 8, txb: d('tx_bytes') * 8 };
    }
    rates = r;
  }

  function statsNode(name) {
    return ((last && last.stats && last.stats.nodes) || []).find((n) => n.name === name);
  }

  function nodeFigures(name) {
    const s = statsNode(name);
    if (!s || !s.summary) return null;
    const f = { rxf: 0, txf: 0, rxb: 0, txb: 0 };
    for (const i of s.interfaces || []) {
      const r = rates[name + ':' + i.name];
      if (r) for (const k of Object.keys(f)) f[k] += r[k];
    }
    f.drops = s.summary.drops;
    f.reasons = s.summary.drops_by_reason;
    f.retrans = s.summary.tcp_retransmits;
    f.forwarded = s.summary.forwarded;
    return f;
  }

  /** a->b and b->a for a link: what a sends (or, if a has no counters, what b receives), and back. */
  function linkRates(a, b) {
    const ra = rates[a];
    const rb = rates[b];
    const ab = ra ? { f: ra.txf, b: ra.txb } : rb ? { f: rb.rxf, b: rb.rxb } : null;
    const ba = rb ? { f: rb.txf, b: rb.txb } : ra ? { f: ra.rxf, b: ra.rxb } : null;
    return { ab, ba };
  }

  function ifaceDrops(end) {
    const i = ifaces(last && last.stats)[end];
    return i ? i.drops : undefined;
  }

  function loadClass(bps) {
    if (!bps) return 'load-0';
    if (bps < 100e3) return 'load-1';
    if (bps < 10e6) return 'load-2';
    if (bps < 100e6) return 'load-3';
    return 'load-4';
  }

  function drawState() {
    if (!svg || !status) return;
    const glyphs = new Map(); // a collapsed glyph: how many of its hosts are not running
    for (const n of status.nodes || []) {
      const st = n.state || 'running';
      const g = nodeG(n.name);
      if (!g) {
        const glyph = glyphOf(n.name);
        if (glyph) glyphs.set(glyph, (glyphs.get(glyph) || 0) + (st === 'running' ? 0 : 1));
        continue;
      }
      g.dataset.state = st;
      for (const c of ['st-running', 'st-killed', 'st-paused', 'st-dead', 'st-down']) g.classList.remove(c);
      g.classList.add('st-' + st);
      overlay(g, 'rt-state', st === 'running' ? '' : st, -5);
    }
    for (const [glyph, notRunning] of glyphs) {
      glyph.classList.toggle('st-down', notRunning > 0);
      const drawn = glyph.querySelector('text.state'); // the drawing's own count, from when it was made
      if (drawn) drawn.remove();
      overlay(glyph, 'rt-state', notRunning ? notRunning + ' not running' : '', -5);
    }
    for (const l of status.links || []) {
      const [a, b] = l.name.split('--');
      const g = linkG(a, b);
      if (!g) continue;
      const { ab, ba } = linkRates(a, b);
      const max = Math.max(ab ? ab.b : 0, ba ? ba.b : 0);
      for (const c of ['load-0', 'load-1', 'load-2', 'load-3', 'load-4']) g.classList.remove(c);
      g.classList.add(loadClass(max));
      g.classList.toggle('link-down', l.state === 'down');
      g.dataset.state = l.state;
      const imp = Object.entries(l.impairments || {}).filter(([, w]) => words(w))
        .map(([e, w]) => e.split(':')[1] + ': ' + words(w));
      g.classList.toggle('impaired', imp.length > 0);
      overlay(g, 'rt-imp', imp.join('  '), -6);
      overlay(g, 'rt-load', max ? si(ab ? ab.b : 0, 'b/s') + ' / ' + si(ba ? ba.b : 0, 'b/s') : '', 10);
    }
  }

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  /** Sets a cell's text only if it changed: rows and their buttons stay the same elements. */
  function put(tr, cls, text) {
    const td = tr.querySelector('td.' + cls.split(' ').pop());
    if (td.textContent !== text) td.textContent = text;
  }

  /** The table's row for {@code key}, made by {@code make} the first time; rows are never rebuilt. */
  function row(table, attr, key, make) {
    const body = $(table).tBodies[0];
    let tr = [...body.rows].find((r) => r.dataset[attr] === key);
    if (!tr) {
      tr = document.createElement('tr');
      tr.dataset[attr] = key;
      make(tr);
      body.appendChild(tr);
    }
    return tr;
  }

  function endButton(td, end, a, b) {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.textContent = end;
    btn.dataset.end = end;
    btn.addEventListener('click', () => selectLink(a, b, end));
    td.appendChild(btn);
  }

  function linksTable() {
    for (const l of status.links || []) {
      const [a, b] = l.name.split('--');
      const tr = row('links', 'link', l.name, (r) => {
        const td = cell(r, '');
        endButton(td, a, a, b);
        td.append(' -- ');
        endButton(td, b, a, b);
        for (const c of ['state-cell', 'imp-cell', 'num bps', 'num fps', 'num drops']) cell(r, '', c);
      });
      tr.classList.toggle('selected', !!selectedLink && selectedLink.a === a && selectedLink.b === b);
      put(tr, 'state-cell', l.state);
      put(tr, 'imp-cell', Object.entries(l.impairments || {}).filter(([, w]) => words(w))
        .map(([e, w]) => e + ': ' + words(w)).join('; ') || 'none');
      const { ab, ba } = linkRates(a, b);
      put(tr, 'bps', si(ab && ab.b, 'bit/s') + ' / ' + si(ba && ba.b, 'bit/s'));
      put(tr, 'fps', (ab ? ab.f.toFixed(1) : '-') + ' / ' + (ba ? ba.f.toFixed(1) : '-'));
      const da = ifaceDrops(a);
      const db = ifaceDrops(b);
      put(tr, 'drops', (da === undefined ? '-' : da) + ' / ' + (db === undefined ? '-' : db));
    }
  }

  function nodesTable() {
    for (const n of status.nodes || []) {
      const tr = row('nodes', 'node', n.name, (r) => {
        const td = cell(r, '');
        const btn = document.createElement('button');
        btn.type = 'button';
        btn.textContent = n.name;
        btn.addEventListener('click', () => {
          $('node-members-row').hidden = true;
          selectNode(n.name);
        });
        td.appendChild(btn);
        for (const c of ['state-cell', 'num rxf', 'num txf', 'num rxb', 'num txb', 'num drops', 'num retrans',
          'reasons']) cell(r, '', c);
      });
      tr.classList.toggle('selected', n.name === selectedNode);
      put(tr, 'state-cell', n.state || 'running');
      const f = nodeFigures(n.name);
      put(tr, 'rxf', f ? f.rxf.toFixed(1) : '-');
      put(tr, 'txf', f ? f.txf.toFixed(1) : '-');
      put(tr, 'rxb', f ? si(f.rxb, 'bit/s') : '-');
      put(tr, 'txb', f ? si(f.txb, 'bit/s') : '-');
      put(tr, 'drops', f ? String(f.drops) : '-');
      put(tr, 'retrans', f && f.retrans !== undefined ? String(f.retrans) : '-');
      put(tr, 'reasons', f ? words(f.reasons) : '');
    }
  }

  function planTable(plan) {
    const body = $('plan').tBodies[0];
    body.replaceChildren();
    if (!plan.length) {
      const tr = document.createElement('tr');
      cell(tr, '');
      cell(tr, 'this lab has no fault plan');
      cell(tr, '');
      body.appendChild(tr);
    }
    for (const f of plan) {
      const tr = document.createElement('tr');
      cell(tr, (f.at_ms / 1000).toFixed(1) + ' s', 'num');
      cell(tr, f.fault);
      cell(tr, f.result, f.result.startsWith('failed') ? 'error' : '');
      body.appendChild(tr);
    }
  }

  function option(select, value) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = value;
    select.appendChild(o);
  }

  function shown(li) {
    const node = $('filter-node').value;
    const proto = $('filter-proto').value;
    const text = $('filter-text').value.toLowerCase();
    return (!node || li.dataset.node === node) && (!proto || li.dataset.proto === proto)
      && (!text || li.textContent.toLowerCase().includes(text));
  }

  function narrative(lines, backlog) {
    const list = $('narrative');
    if (backlog) list.replaceChildren();
    for (const l of lines) {
      const li = document.createElement('li');
      li.dataset.node = l.node;
      li.dataset.proto = l.proto;
      const t = document.createElement('span');
      t.className = 't';
      t.textContent = new Date(l.ts_ms).toISOString().slice(11, 23) + ' ';
      const n = document.createElement('span');
      n.className = 'n';
      n.textContent = l.node + ' ';
      const p = document.createElement('span');
      p.className = 'p';
      p.textContent = '[' + l.proto + '] ';
      li.append(t, n, p, l.text);
      li.hidden = !shown(li);
      list.appendChild(li);
      if (!seenNodes.has(l.node)) {
        seenNodes.add(l.node);
        option($('filter-node'), l.node);
      }
      if (!seenProtos.has(l.proto)) {
        seenProtos.add(l.proto);
        option($('filter-proto'), l.proto);
      }
    }
    while (list.children.length > 1000) list.firstElementChild.remove();
    if (lines.length && $('follow').checked) list.scrollTop = list.scrollHeight;
  }

  function refilter() {
    for (const li of $('narrative').children) li.hidden = !shown(li);
  }

  function ladder(text) {
    const box = $('ladder');
    if (!text) {
      box.textContent = 'no frames yet';
      return;
    }
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    box.replaceChildren(document.importNode(doc.documentElement, true));
  }

  // ---- actions ----

  function wireActions() {
    for (const b of document.querySelectorAll('#node-panel button[data-action]')) {
      b.addEventListener('click', () => {
        const a = b.dataset.action;
        act(a + ' ' + selectedNode, 'POST', labPath('/nodes/' + enc(selectedNode) + '/' + a));
      });
    }
    $('node-members').addEventListener('change', (e) => selectNode(e.target.value));
    $('node-in-partition').addEventListener('change', (e) => {
      if (e.target.checked) partitionSet.add(selectedNode); else partitionSet.delete(selectedNode);
      $('partition-set').textContent = partitionSet.size ? [...partitionSet].join(', ') : '(none)';
    });
    $('partition').addEventListener('click', () => act('partition ' + [...partitionSet].join(','), 'POST',
      labPath('/partition'), { nodes: [...partitionSet] }));
    $('heal').addEventListener('click', () => act('heal', 'POST', labPath('/heal')));
    $('reset').addEventListener('click', () => act('reset', 'POST', '/reset'));
    const end = () => enc($('link-end').value);
    $('link-end').addEventListener('change', renderPanels);
    $('link-down').addEventListener('click', () => act('link down ' + $('link-end').value, 'POST',
      labPath('/links/' + end() + '/down')));
    $('link-up').addEventListener('click', () => act('link up ' + $('link-end').value, 'POST',
      labPath('/links/' + end() + '/up')));
    $('imp-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const w = {};
      for (const i of document.querySelectorAll('#imp-form input[data-word]')) {
        if (i.value.trim()) w[i.dataset.word] = i.value.trim();
      }
      const more = $('imp-more').value.trim().split(/\s+/).filter((x) => x);
      if (more.length % 2) {
        $('imp-error').textContent = 'more words: give WORD VALUE pairs, e.g. loss-correlation 25%';
        return;
      }
      for (let i = 0; i < more.length; i += 2) w[more[i]] = more[i + 1];
      if (!Object.keys(w).length) {
        $('imp-error').textContent = 'say what to change, e.g. loss 5%';
        return;
      }
      $('imp-error').textContent = '';
      try {
        await api('POST', labPath('/links/' + end() + '/impairment'), w);
        say('set ' + $('link-end').value + ': ' + words(w), false);
        for (const i of document.querySelectorAll('#imp-form input')) i.value = '';
      } catch (err) {
        $('imp-error').textContent = err.message; // the API's own words, as ./emu link set prints them
      }
    });
    $('imp-clear').addEventListener('click', async () => {
      try {
        await api('DELETE', labPath('/links/' + end() + '/impairment'));
        $('imp-error').textContent = '';
        say('cleared ' + $('link-end').value, false);
      } catch (err) {
        $('imp-error').textContent = err.message;
      }
    });
    $('diag-run').addEventListener('click', diagnose);
    $('cap-start').addEventListener('click', capture);
    for (const id of ['filter-node', 'filter-proto', 'filter-text']) {
      $(id).addEventListener('input', refilter);
      $(id).addEventListener('change', refilter);
    }
    $('zoom-in').addEventListener('click', () => zoom(0.8));
    $('zoom-out').addEventListener('click', () => zoom(1.25));
    $('zoom-fit').addEventListener('click', fit);
  }

  /** Reads a streamed answer chunk by chunk; calls back with each chunk's bytes. */
  async function stream(r, each) {
    const reader = r.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      each(value, reader);
    }
  }

  async function diagnose() {
    const out = $('diag-out');
    const argv = [$('diag-cmd').value].concat($('diag-args').value.trim().split(/\s+/).filter((x) => x));
    out.textContent = '$ ' + argv.join(' ') + '\n';
    const node = selectedNode;
    try {
      const r = await fetch(labPath('/nodes/' + enc(node) + '/exec'), {
        method: 'POST', headers: headers(true), body: JSON.stringify({ argv }), cache: 'no-store',
      });
      if (!r.ok) {
        const j = await r.json().catch(() => ({}));
        out.textContent += 'error: ' + (j.error || 'HTTP ' + r.status) + '\n';
        return;
      }
      const dec = new TextDecoder();
      let buf = '';
      await stream(r, (chunk) => {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const j = JSON.parse(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (j.line !== undefined) out.textContent += j.line + '\n';
          if (j.exit !== undefined) out.textContent += '[exit ' + j.exit + ']\n';
          if (j.error !== undefined) out.textContent += 'error: ' + j.error + '\n';
          out.scrollTop = out.scrollHeight;
        }
      });
    } catch (e) {
      out.textContent += 'error: ' + e.message + '\n';
    }
  }

  async function capture() {
    const endpoint = $('link-end').value;
    const count = $('cap-count').value.trim();
    const st = $('cap-status');
    const dl = $('cap-download');
    dl.hidden = true;
    const ctl = new AbortController();
    const stop = $('cap-stop');
    stop.disabled = false;
    stop.onclick = () => ctl.abort();
    $('cap-start').disabled = true;
    const chunks = [];
    let bytes = 0;
    try {
      const r = await fetch(labPath('/links/' + enc(endpoint) + '/capture')
        + (count ? '?count=' + encodeURIComponent(count) : ''), { headers: headers(false), signal: ctl.signal });
      if (!r.ok) {
        const j = await r.json().catch(() => ({}));
        st.textContent = 'error: ' + (j.error || 'HTTP ' + r.status);
        st.className = 'error';
        return;
      }
      st.className = '';
      await stream(r, (chunk) => {
        chunks.push(chunk);
        bytes += chunk.length;
        st.textContent = 'capturing ' + endpoint + ': ' + bytes + ' bytes';
      });
      st.textContent = 'captured ' + endpoint + ': ' + bytes + ' bytes';
    } catch (e) {
      st.textContent = (e.name === 'AbortError' ? 'stopped' : 'error: ' + e.message) + ', ' + bytes + ' bytes';
    } finally {
      stop.disabled = true;
      $('cap-start').disabled = false;
    }
    if (bytes) {
      if (dl.href) URL.revokeObjectURL(dl.href);
      dl.href = URL.createObjectURL(new Blob(chunks, { type: 'application/vnd.tcpdump.pcap' }));
      dl.download = lab + '-' + endpoint.replace(':', '-') + '.pcap';
      dl.hidden = false;
    }
  }

  async function start() {
    readToken();
    if (!token) {
      $('fatal').hidden = false;
      $('fatal').textContent = 'No token: open the address ./emu console prints (it ends in #token=...).';
      return;
    }
    try {
      const labs = await api('GET', '/labs');
      lab = labs[0].name;
      $('lab').textContent = lab;
      document.title = 'emu console: ' + lab;
      wireActions();
      await loadDrawing();
      follow();
    } catch (e) {
      $('fatal').hidden = false;
      $('fatal').textContent = 'cannot reach the lab: ' + e.message;
    }
  }

  start();
}());
