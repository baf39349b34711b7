/**
 * The viewer's browser script (plain ES2020, no framework): it loads the SVG statechart, opens the
 * WebSocket (`/ws?role=viewer`, reconnecting every second when it drops), highlights the current state,
 * redraws the P99 chart and lists the last transitions with their reasons. Every value from the wire is
 * written with `textContent`, never parsed as HTML.
 *
 * @example
 * ```ts
 * response.setHeader('content-type', 'text/javascript; charset=utf-8');
 * response.end(viewerScript());
 * ```
 */
export function viewerScript(): string {
  return SCRIPT;
}

const SCRIPT = String.raw`'use strict';
(function () {
  var MAX_POINTS = 120;
  var MAX_TRANSITIONS = 30;
  var $ = function (id) { return document.getElementById(id); };
  var points = [];
  var threshold = null;
  var active = [];
  var lastValue = null;
  var lastTop = null;
  var haveChanges = false;
  var attached = false;

  fetch('/diagram.svg').then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(r.statusText)); })
    .then(function (svg) {
      var doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      var root = doc.documentElement;
      $('diagram').textContent = '';
      if (root && root.nodeName === 'svg') $('diagram').appendChild(document.importNode(root, true));
      else $('diagram').textContent = 'no diagram: run npm run diagram';
      if (lastValue !== null) highlight(lastValue);
    })
    .catch(function () { $('diagram').textContent = 'no diagram: run npm run diagram'; });

  function statePaths(value, prefix, out) {
    if (typeof value === 'string') { out.push(prefix + value); return out; }
    if (value && typeof value === 'object') {
      Object.keys(value).forEach(function (key) {
        out.push(prefix + key);
        statePaths(value[key], prefix + key + '.', out);
      });
    }
    return out;
  }

  function highlight(value) {
    active.forEach(function (el) { el.classList.remove('active'); });
    active = [];
    statePaths(value, '', []).forEach(function (path) {
      var el = document.getElementById('state:' + path);
      if (el) { el.classList.add('active'); active.push(el); }
    });
  }

  function setState(name) {
    $('state').textContent = name;
    $('state').setAttribute('data-state', name);
  }

  function ms(v) { return v === null || v === undefined ? '—' : (Math.round(v * 100) / 100) + ' ms'; }

  function describeReason(r) {
    if (!r || typeof r !== 'object') return '';
    switch (r.trigger) {
      case 'p99': return 'P99 ' + ms(r.valueMs) + ' > ' + ms(r.thresholdMs) + ' over ' + r.samples + ' samples' + (r.inFlightSlow ? ' (' + r.inFlightSlow + ' overdue in flight)' : '');
      case 'consecutiveFailures': return r.value + ' failures in a row (threshold ' + r.threshold + ')';
      case 'errorRate': return 'error rate ' + (Math.round(r.value * 1000) / 10) + ' % ≥ ' + (Math.round(r.threshold * 1000) / 10) + ' % over ' + r.samples + ' samples';
      case 'recoveryDue': return 'backoff ended (attempt ' + r.attempt + ')';
      case 'healthCheck': return 'health check ' + r.outcome + (r.error ? ': ' + r.error : '') + (r.timeoutMs ? ' after ' + ms(r.timeoutMs) : '');
      case 'probe': return 'probe ' + r.outcome + ' (' + ms(r.valueMs) + ', limit ' + ms(r.thresholdMs) + ')';
      case 'manual': return r.action + ' by ' + r.by + ': ' + r.why;
      case 'fleet': return 'fleet: instance ' + r.instance + (r.cause ? ' (' + describeReason(r.cause) + ')' : '');
      default: return String(r.trigger);
    }
  }

  function addTransition(from, to, reason, at) {
    var li = document.createElement('li');
    li.setAttribute('data-to', to);
    var move = document.createElement('span');
    move.className = 'move';
    move.textContent = from + ' → ' + to;
    var why = document.createElement('span');
    why.className = 'why';
    why.textContent = ' — ' + describeReason(reason) + (typeof at === 'number' ? ' (t = ' + Math.round(at) + ' ms)' : '');
    li.appendChild(move);
    li.appendChild(why);
    var list = $('transitions');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_TRANSITIONS) list.removeChild(list.lastChild);
  }

  function drawChart() {
    var svg = $('chart');
    var NS = 'http://www.w3.org/2000/svg';
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var W = 600, H = 170, L = 44, B = 18, T = 8;
    var values = points.filter(function (p) { return p !== null; });
    var max = Math.max(threshold || 0, values.length ? Math.max.apply(null, values) : 0) * 1.15 || 1;
    var y = function (v) { return T + (H - T - B) * (1 - v / max); };
    var x = function (i) { return L + (W - L - 4) * (points.length <= 1 ? 1 : i / (MAX_POINTS - 1)); };
    function el(name, attrs, text) {
      var e = document.createElementNS(NS, name);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text !== undefined) e.textContent = text;
      svg.appendChild(e);
      return e;
    }
    el('line', { x1: L, y1: H - B, x2: W, y2: H - B, stroke: '#cbd5e0' });
    el('text', { x: 2, y: y(max / 1.15) + 4 }, Math.round(max / 1.15) + ' ms');
    el('text', { x: 2, y: H - B + 4 }, '0 ms');
    if (threshold !== null) {
      el('line', { class: 'threshold', x1: L, y1: y(threshold), x2: W, y2: y(threshold) });
      el('text', { x: W - 110, y: y(threshold) - 4 }, 'threshold ' + threshold + ' ms');
    }
    var coords = [];
    points.forEach(function (p, i) { if (p !== null) coords.push(x(i).toFixed(1) + ',' + y(p).toFixed(1)); });
    if (coords.length) el('polyline', { class: 'p99', points: coords.join(' ') });
  }

  function onStats(m) {
    attached = true;
    var s = m.stats;
    threshold = m.latencyThresholdMs;
    $('breaker-name').textContent = m.breaker;
    setState(s.state);
    $('p99').textContent = ms(s.p99Ms);
    $('threshold').textContent = ms(threshold);
    $('samples').textContent = String(s.samples);
    $('error-rate').textContent = (Math.round(s.errorRate * 1000) / 10) + ' %';
    $('attempt').textContent = String(s.attempt);
    var c = s.counts || {};
    $('counts').textContent = 'succeeded ' + c.succeeded + ', failed ' + c.failed + ', rejected ' + c.rejected + ', slow ' + c.slow;
    points.push(s.p99Ms === null ? null : s.p99Ms);
    while (points.length > MAX_POINTS) points.shift();
    drawChart();
  }

  function onSnapshot(m) {
    var snap = m.snapshot;
    if (!snap || snap.value === undefined) return;
    if (m.rootId !== undefined && m.rootId !== m.sessionId) return;
    lastValue = snap.value;
    highlight(snap.value);
    $('state-path').textContent = statePaths(snap.value, '', []).pop() || '—';
    var top = typeof snap.value === 'string' ? snap.value : Object.keys(snap.value)[0];
    if (!attached) setState(top);
    if (!haveChanges && lastTop !== null && top !== lastTop) {
      addTransition(lastTop, top, snap.context && snap.context.reason);
    }
    lastTop = top;
  }

  function onMessage(m) {
    if (!m || typeof m.type !== 'string') return;
    if (m.type === '@xstate.snapshot') onSnapshot(m);
    else if (m.type === 'p99-breaker.stats') onStats(m);
    else if (m.type === 'p99-breaker.stateChange') {
      haveChanges = true;
      var c = m.change;
      addTransition(c.from, c.to, c.reason, c.at);
      setState(c.to);
      $('breaker-name').textContent = c.breaker;
    }
  }

  function connect() {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws?role=viewer');
    ws.onopen = function () {
      $('connection').textContent = 'live';
      $('connection').setAttribute('data-connected', 'true');
    };
    ws.onmessage = function (e) {
      try { onMessage(JSON.parse(e.data)); } catch (err) { console.error(err); }
    };
    ws.onclose = function () {
      $('connection').textContent = 'disconnected, retrying…';
      $('connection').setAttribute('data-connected', 'false');
      setTimeout(connect, 1000);
    };
  }
  drawChart();
  connect();
})();
`;
