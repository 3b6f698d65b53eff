// /scaling live: the page is rendered on the server; this keeps it current from the gateway's
// Server-Sent Events (/api/v1/stream/scaling), re-drawing each section from the pushed snapshot.
// Every value goes in as text (textContent), never as HTML.
(function () {
  'use strict';
  if (!document.querySelector('[data-scaling-live]') || !window.EventSource) return;

  // ---- formatting (the same as the server's template helpers) -----------------------------
  function dash(v) {
    return v === null || v === undefined || v === '' ? '—' : String(v);
  }
  function millicores(n) {
    return typeof n === 'number' ? (n >= 1000 ? (n / 1000).toFixed(n % 1000 ? 2 : 0) + ' cores' : Math.round(n) + 'm') : '—';
  }
  function bytes(n) {
    if (typeof n !== 'number' || !isFinite(n)) return '—';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return n.toFixed(n < 10 && i > 0 ? 1 : 0) + ' ' + units[i];
  }
  function percent(n) {
    return typeof n === 'number' ? n.toFixed(n < 10 ? 1 : 0) + ' %' : '—';
  }
  function time(iso) {
    return typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
  }
  function age(iso) {
    if (typeof iso !== 'string') return '—';
    var s = Math.floor((Date.now() - Date.parse(iso)) / 1000);
    if (!isFinite(s) || s < 0) return '—';
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm';
    var h = Math.floor(m / 60);
    if (h < 48) return h + 'h' + (m % 60 ? (m % 60) + 'm' : '');
    return Math.floor(h / 24) + 'd';
  }
  function healthClass(h) {
    return h === 'ok' ? 'ok' : h === 'warn' ? 'warn' : h === 'error' ? 'bad' : 'muted';
  }

  var LABELS = {
    node_added: 'Node added',
    node_ready: 'Node Ready',
    node_removed: 'Node removed',
    autoscaler_scale_up: 'Node scale-up',
    autoscaler_scale_down: 'Node scale-down',
  };
  var TONES = { node_added: 'ok', node_ready: 'ok', node_removed: 'warn', autoscaler_scale_up: 'ok', autoscaler_scale_down: 'warn' };

  // ---- DOM building -----------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs)
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== undefined && attrs[k] !== null) node.setAttribute(k, attrs[k]);
      });
    (Array.isArray(children) ? children : children === undefined ? [] : [children]).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
    return node;
  }
  function badge(cls, text) {
    return el('span', { class: 'badge ' + cls }, text);
  }
  function table(headers, rows, empty) {
    var body = rows.length ? rows : [el('tr', {}, el('td', { colspan: String(headers.length), class: 'empty' }, empty))];
    return el(
      'div',
      { class: 'table-wrap' },
      el('table', { class: 'table compact' }, [
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            headers.map(function (h) {
              return el('th', {}, h);
            }),
          ),
        ),
        el('tbody', {}, body),
      ]),
    );
  }
  function td(text, cls) {
    return el('td', cls ? { class: cls } : {}, text);
  }
  function meterRow(label, max, value, text, thresholds) {
    var attrs = { min: '0', max: String(max), value: String(value || 0) };
    if (thresholds) {
      attrs.low = '70';
      attrs.high = '90';
      attrs.optimum = '0';
    } else {
      attrs.high = String(max);
    }
    return el('div', { class: 'meter-row' }, [el('span', {}, label), el('meter', attrs), el('span', {}, text)]);
  }
  function kv(k, v) {
    return el('div', { class: 'kv' }, [el('dt', {}, k), el('dd', {}, dash(v))]);
  }

  /** The same markup as the `problem` partial. */
  function problem(p) {
    return el('div', { class: 'problem', role: p.status === 'unavailable' ? 'note' : 'alert' }, [
      el('p', { class: 'problem-message' }, p.message),
      p.fix ? el('p', { class: 'fix' }, [el('span', { class: 'fix-label' }, 'What to do:'), ' ' + p.fix]) : null,
      p.details ? el('details', { class: 'problem-details' }, [el('summary', {}, 'Details'), el('pre', {}, p.details)]) : null,
      el('p', { class: 'problem-code' }, el('code', {}, p.code)),
    ]);
  }

  /** The same markup as the `section` partial. */
  function card(id, title, section, wide, body) {
    var status = section.status === 'ok' ? 'is-ok' : section.status === 'unavailable' ? 'is-unavailable' : 'is-error';
    var head = el('header', { class: 'card-head' }, [
      el('h2', {}, title),
      section.status === 'ok' ? badge('ok', 'ok') : section.status === 'unavailable' ? badge('muted', 'not here') : badge('bad', 'error'),
    ]);
    var content = section.status === 'ok' ? body(section.data) : [problem(section)];
    var node = el('section', { class: 'card ' + status + (wide ? ' wide' : ''), id: id }, [head].concat(content));
    if (section.status === 'ok' && section.note) node.appendChild(el('p', { class: 'note' }, section.note));
    return node;
  }

  // ---- sections ---------------------------------------------------------------------------
  function summary(d) {
    function tile(value, label, warn) {
      return el('li', { class: 'tile' + (warn ? ' warn' : '') }, [el('span', { class: 'tile-value' }, value), el('span', { class: 'tile-label' }, label)]);
    }
    return [
      el('ul', { class: 'scaling-tiles' }, [
        tile(d.nodesReady + '/' + d.nodes, 'nodes Ready'),
        tile(String(d.pods), 'pods'),
        tile(String(d.pending), 'Pending', d.pending > 0),
        tile(String(d.hpas), 'HPAs'),
        tile(millicores(d.cpuRequestedMillis), 'CPU requested of ' + millicores(d.cpuAllocatableMillis)),
        tile(millicores(d.cpuUsedMillis), 'CPU used'),
        tile(bytes(d.memoryRequestedBytes), 'memory requested of ' + bytes(d.memoryAllocatableBytes)),
        tile(bytes(d.memoryUsedBytes), 'memory used'),
      ]),
      el(
        'p',
        { class: 'chips' },
        Object.keys(d.nodesByCapacityType).map(function (k) {
          return el('span', { class: 'chip' }, k + ': ' + d.nodesByCapacityType[k]);
        }),
      ),
    ];
  }

  function hpas(list, namespace) {
    if (!list.length) return [el('p', { class: 'empty' }, 'No HorizontalPodAutoscalers in ' + namespace + '.')];
    return list.map(function (h) {
      return el('article', { class: 'hpa', 'data-hpa': h.namespace + '/' + h.name }, [
        el('header', { class: 'hpa-head' }, [
          el('h3', {}, [el('span', { class: 'mono' }, h.name), ' ', el('span', { class: 'muted' }, '→ ' + h.target.kind + '/' + h.target.name)]),
          badge(healthClass(h.health), h.state),
        ]),
        el('div', { class: 'hpa-replicas' }, [
          el('span', {}, [el('strong', {}, String(h.currentReplicas)), ' current']),
          el('span', {}, [el('strong', {}, String(h.desiredReplicas)), ' desired']),
          el('span', {}, [el('strong', {}, dash(h.computedReplicas)), ' by the maths']),
          el('span', { class: 'muted' }, 'min ' + h.minReplicas + ' · max ' + h.maxReplicas),
          el('meter', {
            min: '0',
            max: String(h.maxReplicas),
            value: String(h.currentReplicas),
            title: h.currentReplicas + ' of at most ' + h.maxReplicas + ' replicas',
          }),
        ]),
        table(
          ['Metric', 'Current', 'Target', 'Ratio', 'Replicas', 'Maths'],
          h.metrics.map(function (m) {
            return el('tr', {}, [
              el('td', {}, [m.name + ' ', el('span', { class: 'muted' }, '(' + m.type + ', ' + m.targetType + ')')]),
              td(m.currentText),
              td(m.targetText),
              td(dash(m.ratio)),
              td(dash(m.proposal)),
              td(m.formula, 'mono'),
            ]);
          }),
          'No metrics in the spec.',
        ),
        el(
          'ul',
          { class: 'hpa-explain' },
          h.explanation.map(function (line) {
            return el('li', {}, line);
          }),
        ),
        el('details', { class: 'hpa-more', 'data-key': 'hpa-' + h.namespace + '-' + h.name }, [
          el('summary', {}, 'Conditions and behaviour'),
          el('dl', { class: 'kvs' }, [
            kv('Last scale', time(h.lastScaleTime)),
            kv('Scale-up', h.scaleUpPolicy),
            kv('Scale-up window (s)', h.scaleUpWindowSeconds),
            kv('Scale-down', h.scaleDownPolicy),
            kv('Scale-down window (s)', h.scaleDownWindowSeconds),
          ]),
          table(
            ['Condition', 'Status', 'Reason', 'Message', 'Since'],
            h.conditions.map(function (c) {
              return el('tr', {}, [td(c.type), td(c.status), td(dash(c.reason)), td(dash(c.message), 'wrap'), td(time(c.lastTransitionTime))]);
            }),
            'No conditions yet.',
          ),
        ]),
      ]);
    });
  }

  function pending(d) {
    var out = [
      table(
        ['Pod', 'Workload', 'Pending for', 'Reason', 'Scheduler says', 'Node autoscaler', 'Requests'],
        d.pods.map(function (p) {
          return el('tr', {}, [
            td(p.namespace + '/' + p.name, 'mono'),
            td(dash(p.workload)),
            td(age(p.since)),
            el('td', {}, badge('warn', p.reason)),
            td(dash(p.message), 'wrap'),
            td(dash(p.autoscaler), 'wrap'),
            td(millicores(p.cpuRequestMillis) + ' · ' + bytes(p.memoryRequestBytes), 'nowrap'),
          ]);
        }),
        'No Pending pods: every pod has a node.',
      ),
    ];
    if (d.total > d.pods.length) out.push(el('p', { class: 'note' }, 'Showing ' + d.pods.length + ' of ' + d.total + ' Pending pods.'));
    return out;
  }

  function nodes(d) {
    var out = [];
    if (!d.metricsAvailable) out.push(el('p', { class: 'callout warn' }, 'Usage is missing: ' + dash(d.metricsMessage)));
    var items = d.nodes.map(function (n) {
      var provisioner = n.provisioner ? ' · ' + n.provisioner : '';
      var li = el(
        'li',
        {
          class: 'scaling-node ' + healthClass(n.health),
          'data-search': [n.name, n.instanceType, n.zone, n.capacityType, n.arch, n.status].filter(Boolean).join(' '),
        },
        [
          el('div', { class: 'node-head' }, [el('span', { class: 'mono' }, n.name), ' ', badge(healthClass(n.health), n.status)]),
          el('div', { class: 'muted' }, dash(n.instanceType) + ' · ' + dash(n.zone) + ' · ' + dash(n.capacityType) + ' · ' + dash(n.arch) + provisioner),
          meterRow('Pods', n.pods.max || 1, n.pods.count, n.pods.count + ' / ' + n.pods.max, false),
          meterRow('CPU req.', 100, n.cpu.requestedPercent, percent(n.cpu.requestedPercent) + ' · ' + millicores(n.cpu.requested), true),
          meterRow('CPU used', 100, n.cpu.usedPercent, percent(n.cpu.usedPercent) + ' · ' + millicores(n.cpu.used), true),
          meterRow('Mem req.', 100, n.memory.requestedPercent, percent(n.memory.requestedPercent) + ' · ' + bytes(n.memory.requested), true),
          meterRow('Mem used', 100, n.memory.usedPercent, percent(n.memory.usedPercent) + ' · ' + bytes(n.memory.used), true),
          el(
            'div',
            { class: 'muted node-alloc' },
            'allocatable ' +
              millicores(n.cpu.allocatable) +
              ' of ' +
              millicores(n.cpu.capacity) +
              ' · ' +
              bytes(n.memory.allocatable) +
              ' of ' +
              bytes(n.memory.capacity),
          ),
        ],
      );
      if (n.appPods.length) {
        li.appendChild(
          el(
            'div',
            { class: 'chips app-pods' },
            n.appPods
              .map(function (p) {
                return el('span', { class: 'chip mono' }, p);
              })
              .concat(n.appPodsMore ? [el('span', { class: 'chip' }, '+' + n.appPodsMore)] : []),
          ),
        );
      }
      return li;
    });
    out.push(el('ul', { class: 'scaling-nodes' }, items.length ? items : [el('li', { class: 'empty' }, 'No nodes visible.')]));
    if (d.total > d.nodes.length) out.push(el('p', { class: 'note' }, 'Showing ' + d.nodes.length + ' of ' + d.total + ' nodes (SNAPSHOT_MAX_NODES).'));
    return out;
  }

  function clusterAutoscaler(d) {
    var out = [
      el('dl', { class: 'kvs' }, [kv('Health', d.health), kv('Scale-up', d.scaleUp), kv('Scale-down', d.scaleDown), kv('Status written', time(d.updatedAt))]),
    ];
    if (d.nodeGroups.length) {
      out.push(
        table(
          ['Node group', 'Health', 'Ready / registered', 'Target (min–max)', 'Scale-up', 'Scale-down'],
          d.nodeGroups.map(function (g) {
            return el('tr', {}, [
              td(g.name, 'mono wrap'),
              td(g.health),
              td(dash(g.ready) + ' / ' + dash(g.registered)),
              td(dash(g.target) + ' (' + dash(g.minSize) + '–' + dash(g.maxSize) + ')'),
              td(g.scaleUp),
              td(g.scaleDown),
            ]);
          }),
          '',
        ),
      );
    }
    if (d.raw) out.push(el('pre', { class: 'ca-raw' }, d.raw));
    return out;
  }

  function karpenter(d) {
    return [
      el('h3', {}, 'Node pools'),
      table(
        ['Pool', 'Nodes', 'CPU limit', 'Capacity', 'Arch', 'Consolidation'],
        d.nodePools.map(function (p) {
          return el('tr', {}, [
            td(p.name, 'mono'),
            td(dash(p.nodes)),
            td(dash(p.cpuLimit)),
            td(p.capacityTypes.join(', ')),
            td(p.arch.join(', ')),
            td(dash(p.consolidation)),
          ]);
        }),
        'No node pools.',
      ),
      el('h3', {}, 'Node claims'),
      table(
        ['Claim', 'Pool', 'Type', 'Zone', 'Capacity', 'Node', 'State', 'Age'],
        d.nodeClaims.map(function (c) {
          return el('tr', {}, [
            td(c.name, 'mono'),
            td(dash(c.nodePool)),
            td(dash(c.instanceType)),
            td(dash(c.zone)),
            td(dash(c.capacityType)),
            td(dash(c.nodeName), 'mono'),
            td(c.state),
            td(age(c.createdAt)),
          ]);
        }),
        'No node claims.',
      ),
    ];
  }

  function nodeEvents(list) {
    return [
      table(
        ['Time', 'Event', 'Object', 'Trigger', 'Result'],
        list.map(function (e) {
          var object = e.object.kind + ' ' + (e.object.namespace ? e.object.namespace + '/' : '') + e.object.name;
          return el('tr', {}, [
            td(time(e.timestamp), 'nowrap'),
            el('td', {}, badge(TONES[e.event_type] || 'muted', LABELS[e.event_type] || e.event_type)),
            td(object, 'mono'),
            td(e.trigger, 'wrap'),
            td(e.result, 'wrap'),
          ]);
        }),
        'No node scaling recorded yet.',
      ),
      el('p', { class: 'note' }, ['Every event, with response times, is on the ', el('a', { href: '/scaling/history' }, 'history page'), '.']),
    ];
  }

  // ---- applying a snapshot ----------------------------------------------------------------
  function replace(id, node) {
    var old = document.getElementById(id);
    if (!old) return;
    // Keep what the reader opened.
    var open = {};
    old.querySelectorAll('details[data-key][open]').forEach(function (d) {
      open[d.getAttribute('data-key')] = true;
    });
    node.querySelectorAll('details[data-key]').forEach(function (d) {
      if (open[d.getAttribute('data-key')]) d.open = true;
    });
    old.replaceWith(node);
  }

  function filterNodes() {
    var input = document.querySelector('[data-node-filter]');
    var q = input ? input.value.trim().toLowerCase() : '';
    document.querySelectorAll('#scaling-nodes li.scaling-node').forEach(function (li) {
      li.hidden = q !== '' && (li.getAttribute('data-search') || '').toLowerCase().indexOf(q) === -1;
    });
  }

  function render(s) {
    replace('scaling-summary', card('scaling-summary', 'Cluster', s.summary, true, summary));
    replace(
      'scaling-hpas',
      card('scaling-hpas', 'Horizontal Pod Autoscalers', s.hpas, true, function (d) {
        return hpas(d, s.namespace);
      }),
    );
    replace('scaling-pending', card('scaling-pending', 'Pending pods', s.pending, true, pending));
    replace('scaling-nodes', card('scaling-nodes', 'Nodes: requested vs used vs allocatable', s.nodes, true, nodes));
    replace('scaling-ca', card('scaling-ca', 'Cluster Autoscaler', s.clusterAutoscaler, false, clusterAutoscaler));
    replace('scaling-karpenter', card('scaling-karpenter', 'Karpenter', s.karpenter, false, karpenter));
    replace('scaling-node-events', card('scaling-node-events', 'Node scale-up and scale-down', s.nodeEvents, true, nodeEvents));
    filterNodes();
  }

  // ---- the stream -------------------------------------------------------------------------
  function bar() {
    return document.querySelector('[data-scaling-live]');
  }
  function setState(text, cls, meta) {
    var b = bar();
    if (!b) return;
    var state = b.querySelector('[data-live-state]');
    state.className = 'badge ' + cls;
    state.textContent = text;
    if (meta !== undefined) b.querySelector('[data-live-meta]').textContent = meta;
  }
  function newer(a, b) {
    if (!b) return true;
    if (a.startedAt !== b.startedAt) return Date.parse(a.startedAt) > Date.parse(b.startedAt);
    return a.version > b.version;
  }
  function fromBar() {
    var b = bar();
    return b ? { startedAt: b.getAttribute('data-started'), version: Number(b.getAttribute('data-version')) } : undefined;
  }

  var last = fromBar();
  var stream = new EventSource('/api/v1/stream/scaling');
  stream.addEventListener('open', function () {
    setState('live', 'ok');
  });
  stream.addEventListener('error', function () {
    setState('reconnecting', 'warn');
  });
  stream.addEventListener('snapshot', function (e) {
    var snap = JSON.parse(e.data);
    if (!newer(snap, last)) return;
    last = { startedAt: snap.startedAt, version: snap.version };
    render(snap);
    var b = bar();
    if (b) {
      b.setAttribute('data-version', String(snap.version));
      b.setAttribute('data-started', snap.startedAt);
    }
    setState('live', 'ok', 'Snapshot ' + snap.version + (snap.changedAt ? ' · last change ' + time(snap.changedAt) : '') + ' · namespace ' + snap.namespace);
    document.dispatchEvent(new CustomEvent('eksinfo:scaling-snapshot', { detail: { version: snap.version } }));
  });
  stream.addEventListener('problem', function (e) {
    var body = JSON.parse(e.data);
    setState('monitor not answering', 'bad', body.message + (body.fix ? ' ' + body.fix : ''));
  });
  // The refresh button swaps the page in place: take its snapshot as the newest seen.
  document.addEventListener('eksinfo:refreshed', function () {
    last = fromBar() || last;
    setState('live', 'ok');
    filterNodes();
  });
  document.addEventListener('input', function (e) {
    if (e.target.matches && e.target.matches('[data-node-filter]')) filterNodes();
  });
  window.addEventListener('pagehide', function () {
    stream.close();
  });
})();
