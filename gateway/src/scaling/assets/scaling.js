// /scaling: draws the heat strips and keeps the node list's address and filters in step with
// what htmx swapped in. The strips are canvases: the server renders one character per node into
// each canvas's data-* attributes (a 5,000-node cluster is ~25 KB of them, where an element per
// node would be thousands of DOM nodes), and this draws the cells. Everything else on the page is
// HTML from the server.
(function () {
  'use strict';
  if (!document.getElementById('scaling-sections')) return;
  var CELL = 8;
  var GAP = 1;
  var LEVELS = '0123456789X';
  var LEVEL_TEXT = { X: '100 % or more', '-': 'unknown' };
  var STATE_TEXT = { n: 'NotReady', d: 'being deleted', c: 'cordoned or draining' };
  var METRIC_TEXT = {
    'cpu-requested': 'CPU requested',
    'memory-requested': 'memory requested',
    'cpu-used': 'CPU used',
    'memory-used': 'memory used',
  };
  var metric = 'cpu-requested';
  var palette = null;

  /** The cell colours, from the stylesheet (light and dark themes). */
  function colours() {
    var css = getComputedStyle(document.documentElement);
    var read = function (name) {
      return css.getPropertyValue('--heat-' + name).trim() || '#999';
    };
    var p = { '-': read('unknown'), n: read('not-ready'), d: read('deleting'), c: read('cordoned') };
    for (var i = 0; i < LEVELS.length; i++) p[LEVELS[i]] = read(LEVELS[i]);
    return p;
  }

  function layout(canvas, count) {
    var width = canvas.clientWidth || (canvas.parentNode && canvas.parentNode.clientWidth) || 600;
    var perLine = Math.max(1, Math.floor((width + GAP) / (CELL + GAP)));
    return { perLine: perLine, lines: Math.max(1, Math.ceil(count / perLine)), width: width };
  }

  function draw(canvas) {
    var values = canvas.getAttribute('data-' + metric) || '';
    var states = canvas.getAttribute('data-states') || '';
    var at = layout(canvas, values.length);
    var ratio = window.devicePixelRatio || 1;
    // The canvas is as wide as its row and as high as its lines of cells (CSS keeps the aspect).
    canvas.width = Math.round(at.width * ratio);
    canvas.height = Math.round(at.lines * (CELL + GAP) * ratio);
    var g = canvas.getContext('2d');
    if (!g) return;
    g.scale(ratio, ratio);
    palette = palette || colours();
    for (var i = 0; i < values.length; i++) {
      var state = states.charAt(i);
      g.fillStyle = palette[state !== '.' && palette[state] ? state : values.charAt(i)] || palette['-'];
      g.fillRect((i % at.perLine) * (CELL + GAP), Math.floor(i / at.perLine) * (CELL + GAP), CELL, CELL);
    }
  }

  function drawAll() {
    document.querySelectorAll('canvas.heat-cells').forEach(draw);
    document.querySelectorAll('input[name="heat-metric"]').forEach(function (input) {
      input.checked = input.value === metric;
    });
  }

  /** The node under the pointer: its place in the strip (name order), or -1. */
  function cellAt(canvas, event) {
    var count = (canvas.getAttribute('data-states') || '').length;
    var at = layout(canvas, count);
    var box = canvas.getBoundingClientRect();
    var col = Math.floor((event.clientX - box.left) / (CELL + GAP));
    var line = Math.floor((event.clientY - box.top) / (CELL + GAP));
    var index = line * at.perLine + col;
    return col < at.perLine && index >= 0 && index < count ? index : -1;
  }

  function levelText(c) {
    if (LEVEL_TEXT[c]) return LEVEL_TEXT[c];
    var n = Number(c) * 10;
    return n + '–' + (n + 9) + ' %';
  }

  function describe(canvas, index) {
    var state = STATE_TEXT[(canvas.getAttribute('data-states') || '').charAt(index)];
    return (
      canvas.getAttribute('data-label') +
      ': node ' +
      (index + 1) +
      ' of ' +
      (canvas.getAttribute('data-states') || '').length +
      ' by name · ' +
      METRIC_TEXT[metric] +
      ' ' +
      levelText((canvas.getAttribute('data-' + metric) || '').charAt(index)) +
      (state ? ' · ' + state : '') +
      '. Click for its card.'
    );
  }

  var form = document.querySelector('form.node-filters');

  function setField(name, value) {
    var field = form && form.elements.namedItem(name);
    if (!field) return;
    if (
      field.tagName === 'SELECT' &&
      value &&
      !Array.prototype.some.call(field.options, function (o) {
        return o.value === value;
      })
    ) {
      field.add(new Option(value, value));
    }
    field.value = value;
  }

  /** Shows the filters of the list just swapped in (a link or the strip may have set them). */
  function syncForm(address) {
    if (!form) return;
    var query = new URLSearchParams((address.split('?')[1] || '').split('#')[0]);
    ['group', 'zone', 'capacityType', 'state', 'name'].forEach(function (name) {
      setField(name, query.get(name) || '');
    });
    setField('sort', query.get('sort') || form.getAttribute('data-default-sort') || 'attention');
  }

  document.addEventListener('mousemove', function (e) {
    var canvas = e.target.closest && e.target.closest('canvas.heat-cells');
    var info = document.querySelector('[data-heat-info]');
    if (!canvas || !info) return;
    var index = cellAt(canvas, e);
    if (index >= 0) info.textContent = describe(canvas, index);
  });

  // A cell opens the page of its node group's list (in name order, like the strip) that holds its card.
  document.addEventListener('click', function (e) {
    var canvas = e.target.closest && e.target.closest('canvas.heat-cells');
    if (!canvas || !window.htmx) return;
    var index = cellAt(canvas, e);
    if (index < 0) return;
    var size = Number(form && form.getAttribute('data-page-size')) || 24;
    var query = new URLSearchParams({ group: canvas.getAttribute('data-group'), sort: 'name' });
    if (index >= size) query.set('page', String(Math.floor(index / size) + 1));
    if (size !== 24) query.set('limit', String(size));
    syncForm('?' + query.toString());
    window.htmx.ajax('GET', '/scaling/nodes?' + query.toString(), { target: '#node-results', swap: 'outerHTML' });
    var list = document.getElementById('scaling-node-list');
    if (list) list.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });

  document.addEventListener('change', function (e) {
    if (e.target.name !== 'heat-metric') return;
    metric = e.target.value;
    drawAll();
  });

  // A link to a node list (the overview's rows, the pager, reset) or a cell sets what the form shows.
  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('a[hx-get^="/scaling/nodes"]');
    if (link) syncForm(link.getAttribute('href') || '');
  });

  // After htmx swapped a node list in, the address says what it shows (a reload shows the same).
  document.addEventListener('htmx:afterSettle', function (e) {
    var path = e.detail && e.detail.requestConfig && e.detail.requestConfig.path;
    if (!path || path.indexOf('/scaling/nodes') !== 0) return;
    var results = document.getElementById('node-results');
    var address = (results && results.getAttribute('data-address')) || '/scaling#scaling-node-list';
    if (window.history && history.replaceState && address !== location.pathname + location.search + location.hash) history.replaceState(null, '', address);
  });

  // The strips are replaced with their section at each live change (and by the refresh button).
  document.addEventListener('htmx:sseMessage', function (e) {
    if (e.target.querySelector && e.target.querySelector('canvas.heat-cells')) drawAll();
  });
  document.addEventListener('eksinfo:refreshed', function () {
    form = document.querySelector('form.node-filters');
    drawAll();
  });
  var resizing;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(drawAll, 150);
  });
  if (window.matchMedia) {
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', function () {
      palette = null;
      drawAll();
    });
  }
  drawAll();
})();
