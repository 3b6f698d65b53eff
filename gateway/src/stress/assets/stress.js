// /stress in the browser: forms sent to the JSON API in place, stop buttons, and the live view
// (pods, tests, loads, the replica sum, charts) from the SSE stream of stress heartbeats.
// Everything is progressive: without this file the forms post to the page and it reloads.
// All data goes into the page as text (textContent), never as HTML.
(function () {
  'use strict';

  var MAX_POINTS = 180;
  var PALETTE = ['#ff9900', '#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
  var state = { pods: {}, history: {}, summary: null, colors: {} };
  var charts = { cpu: null, memory: null };
  var renderQueued = false;

  // ---- small DOM helpers ---------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function td(text, className) {
    return el('td', { text: text, className: className || '' });
  }
  function fmtMillicores(n) {
    return typeof n === 'number' ? (n >= 1000 ? (n / 1000).toFixed(2) + ' cores' : Math.round(n) + 'm') : '—';
  }
  function fmtPercent(n) {
    return typeof n === 'number' ? n.toFixed(n < 10 ? 1 : 0) + ' %' : '—';
  }
  function fmtBytes(n) {
    if (typeof n !== 'number') return '—';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return n.toFixed(n < 10 && i > 0 ? 1 : 0) + ' ' + units[i];
  }
  function meter(value) {
    return el('meter', { min: '0', max: '100', low: '70', high: '90', optimum: '0', value: String(typeof value === 'number' ? Math.min(100, value) : 0) });
  }
  function progress(value) {
    return el('progress', { max: '1', value: String(value || 0) });
  }
  function fillBody(table, rows, emptyText, columns) {
    var tbody = document.querySelector(table + ' tbody');
    if (!tbody) return;
    tbody.textContent = '';
    if (!rows.length) tbody.appendChild(el('tr', { className: 'empty-row' }, [el('td', { colspan: String(columns), className: 'empty', text: emptyText })]));
    rows.forEach(function (r) {
      tbody.appendChild(r);
    });
  }
  function stopButton(id) {
    return el('button', { type: 'button', className: 'button danger', 'data-stop': id, text: 'Stop' });
  }

  // ---- results of commands -----------------------------------------------------------------
  function showResult(ok, lines, problem) {
    var box = document.getElementById('stress-result');
    if (!box) return;
    box.textContent = '';
    var callout = el('div', { className: 'callout ' + (ok ? 'ok' : 'bad'), role: ok ? 'status' : 'alert' });
    lines.forEach(function (line, i) {
      callout.appendChild(el('p', { className: i === 0 ? 'problem-message' : '', text: line }));
    });
    if (problem && problem.fix)
      callout.appendChild(el('p', { className: 'fix' }, [el('span', { className: 'fix-label', text: 'What to do:' }), ' ' + problem.fix]));
    if (problem && problem.details) callout.appendChild(el('pre', { className: 'stress-details', text: problem.details }));
    if (problem && problem.code) callout.appendChild(el('p', { className: 'problem-code' }, [el('code', { text: problem.code })]));
    box.appendChild(callout);
  }

  function describeStart(result) {
    var lines = [];
    var pods = result.accepted.map(function (a) {
      return a.pod + (a.duplicate ? ' (already running it)' : '');
    });
    lines.push(
      'Started ' + result.testId + ' (' + result.kind + ') on ' + pods.length + ' pod' + (pods.length === 1 ? '' : 's') + ': ' + pods.join(', ') + '.',
    );
    result.accepted.forEach(function (a) {
      (a.test.adjustments || []).forEach(function (adj) {
        lines.push(a.pod + ': ' + adj.field + ' ' + adj.requested + ' → ' + adj.applied + ' (' + adj.reason + ').');
      });
    });
    result.rejected.forEach(function (r) {
      lines.push(r.pod + ' refused: ' + r.error.message);
    });
    if (result.missing.length) lines.push('No answer from: ' + result.missing.join(', ') + '.');
    if (result.confirmedBy === 'heartbeat') lines.push("The reply was lost; the pod's heartbeat confirms the test runs.");
    return lines;
  }

  function send(method, url, body) {
    var options = { method: method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    if (body) {
      options.headers['content-type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (res) {
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          return { ok: res.ok, status: res.status, json: json };
        });
    });
  }

  function busy(button, on) {
    if (!button) return;
    button.disabled = on;
    if (window.eksInfo) window.eksInfo.setLoading(on);
  }

  document.addEventListener(
    'submit',
    function (e) {
      var form = e.target;
      if (form.matches('[data-stress-form]')) {
        e.preventDefault();
        e.stopImmediatePropagation();
        if (!form.reportValidity()) return;
        var kind = form.getAttribute('data-stress-form');
        var body = {};
        new FormData(form).forEach(function (value, key) {
          if (key === '_csrf' || value === '') return;
          body[key] = key === 'target' ? value : Number(value);
        });
        var button = form.querySelector('button[type="submit"]');
        busy(button, true);
        send('POST', '/api/v1/stress/' + kind, body)
          .then(function (r) {
            if (r.ok && kind === 'load')
              showResult(true, [
                'Started sustained load ' +
                  r.json.load.id +
                  ': ' +
                  r.json.load.millicores +
                  'm for ' +
                  r.json.load.durationSeconds +
                  ' s, dispatched by ' +
                  r.json.load.dispatcher.pod +
                  ' (' +
                  r.json.load.unitsPerSecond +
                  ' units/s).',
              ]);
            else if (r.ok) showResult(true, describeStart(r.json));
            else showResult(false, [r.json.message || 'The request failed (' + r.status + ').'], r.json);
          })
          .catch(function () {
            showResult(false, ['The gateway did not answer. Try again.']);
          })
          .then(function () {
            busy(button, false);
          });
        return;
      }
      if (form.matches('form[data-stop]')) {
        e.preventDefault();
        e.stopImmediatePropagation();
        stop(form.getAttribute('data-stop'), form.querySelector('button'));
      }
    },
    true,
  );

  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('button[data-stop]');
    if (b) {
      e.preventDefault();
      stop(b.getAttribute('data-stop'), b);
    }
  });

  function stop(id, button) {
    busy(button, true);
    send('DELETE', '/api/v1/stress/tests/' + encodeURIComponent(id))
      .then(function (r) {
        if (r.ok)
          showResult(true, [
            'Stopped ' +
              r.json.id +
              ' on ' +
              r.json.stopped
                .map(function (s) {
                  return s.pod;
                })
                .join(', ') +
              '.',
          ]);
        else showResult(false, [r.json.message || 'The stop failed (' + r.status + ').'], r.json);
      })
      .catch(function () {
        showResult(false, ['The gateway did not answer. Try again.']);
      })
      .then(function () {
        busy(button, false);
      });
  }

  // ---- live view -------------------------------------------------------------------------------
  function podNames() {
    return Object.keys(state.pods).sort();
  }

  function renderPods() {
    var rows = podNames().map(function (name) {
      var hb = state.pods[name].heartbeat;
      var cpu = el('td', { className: 'usage' }, [
        meter(hb.cpu.percentOfLimit),
        el('span', {
          className: 'usage-text',
          text:
            fmtMillicores(hb.cpu.usedMillicores) +
            (hb.cpu.limitMillicores ? ' of ' + fmtMillicores(hb.cpu.limitMillicores) : '') +
            ' · ' +
            fmtPercent(hb.cpu.percentOfRequest) +
            ' of request',
        }),
      ]);
      var mem = el('td', { className: 'usage' }, [
        meter(hb.memory.percentOfLimit),
        el('span', { className: 'usage-text', text: fmtBytes(hb.memory.currentBytes) + (hb.memory.limitBytes ? ' of ' + fmtBytes(hb.memory.limitBytes) : '') }),
      ]);
      var test = hb.test
        ? el('td', {}, [el('span', { className: 'mono', text: hb.test.id }), ' ', progress(hb.test.progress)])
        : el('td', {}, [el('span', { className: 'muted', text: 'idle' })]);
      var units = el(
        'td',
        { text: hb.units.executedPerSecond + '/s' },
        hb.units.droppedTotal ? [' ', el('span', { className: 'warn-text', text: hb.units.droppedTotal + ' dropped' })] : [],
      );
      return el('tr', { 'data-pod': hb.pod }, [td(hb.pod, 'mono'), td(hb.node, 'mono'), cpu, mem, test, units]);
    });
    fillBody('#stress-pods-table', rows, 'No stress pod is sending heartbeats.', 6);
    var badge = document.getElementById('stress-live-badge');
    if (badge) {
      badge.textContent = rows.length + ' live';
      badge.className = 'badge ' + (rows.length ? 'ok' : 'warn');
    }
  }

  function renderTests() {
    var running = [];
    var recent = [];
    var loads = [];
    podNames().forEach(function (name) {
      var hb = state.pods[name].heartbeat;
      if (hb.test) running.push(hb.test);
      if (hb.lastTest) recent.push(hb.lastTest);
      if (hb.load) loads.push(hb.load);
    });
    fillBody(
      '#stress-running-table',
      running.map(function (t) {
        var detail = t.cpu
          ? t.cpu.intensity + ' % × ' + t.cpu.workers + ' worker(s)'
          : t.memory
            ? t.memory.allocatedMb + ' / ' + t.memory.targetMb + ' MiB' + (t.memory.allocating ? ' (allocating)' : '')
            : '';
        var capped = el(
          'td',
          { text: t.adjustments.length ? '' : '—' },
          t.adjustments.map(function (a) {
            return el('div', { className: 'warn-text', text: a.field + ' ' + a.requested + ' → ' + a.applied + ': ' + a.reason });
          }),
        );
        return el('tr', { 'data-test': t.id }, [
          td(t.id, 'mono'),
          td(t.kind),
          td(t.pod, 'mono'),
          el('td', {}, [progress(t.progress), ' ' + t.elapsedSeconds + ' / ' + t.durationSeconds + ' s']),
          td(detail),
          capped,
          el('td', {}, [stopButton(t.id)]),
        ]);
      }),
      'No test is running.',
      7,
    );
    fillBody(
      '#stress-loads-table',
      loads.map(function (l) {
        return el('tr', { 'data-load': l.id }, [
          td(l.id, 'mono'),
          td(fmtMillicores(l.millicores)),
          td(l.dispatcher.pod, 'mono'),
          el('td', {}, [progress(l.progress), ' ' + l.state]),
          td(l.published + ' published · ' + l.unitsPerSecond + '/s of ' + l.unitMs + ' ms'),
          el('td', {}, l.state === 'running' ? [stopButton(l.id)] : []),
        ]);
      }),
      'No sustained load.',
      6,
    );
    recent.sort(function (a, b) {
      return (b.finishedAt || '').localeCompare(a.finishedAt || '');
    });
    fillBody(
      '#stress-recent-table',
      recent.map(function (t) {
        var released = t.memory ? (t.memory.reclaimMs !== null ? t.memory.reclaimedMb + ' MiB in ' + t.memory.reclaimMs + ' ms' : 'measuring…') : '—';
        var ended = el('td', {}, [
          el('span', { className: 'badge ' + (t.state === 'failed' ? 'bad' : 'ok'), text: t.endReason || t.state }),
          ' ' + (t.finishedAt || '').replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
        ]);
        return el('tr', { 'data-test': t.id }, [
          td(t.id, 'mono'),
          td(t.kind),
          td(t.pod, 'mono'),
          ended,
          td(t.elapsedSeconds + ' / ' + t.durationSeconds + ' s'),
          td(released),
        ]);
      }),
      'No finished test yet.',
      6,
    );
    var badge = document.getElementById('stress-tests-badge');
    if (badge) {
      badge.textContent = running.length + ' running';
      badge.className = 'badge ' + (running.length ? 'warn' : 'muted');
    }
  }

  function renderSummary() {
    var s = state.summary;
    if (!s) return;
    var average = document.getElementById('stress-average');
    var replicas = document.getElementById('stress-expected-replicas');
    var text = document.getElementById('stress-expected-text');
    var count = document.getElementById('stress-pod-count');
    if (count) count.textContent = String(s.pods);
    var spare = document.getElementById('stress-spare');
    var names = podNames();
    if (spare) {
      spare.textContent = names.length
        ? ' (about ' +
          Math.min.apply(
            null,
            names.map(function (n) {
              return state.pods[n].heartbeat.capacity.availableMb;
            }),
          ) +
          ' MiB now)'
        : '';
    }
    if (average) average.textContent = s.averageCpuPercentOfRequest !== null ? fmtPercent(s.averageCpuPercentOfRequest) + ' of request' : '—';
    if (replicas) replicas.textContent = s.expected ? String(s.expected.replicas) : '—';
    if (text) text.textContent = s.expected ? s.expected.explanation : s.why || '';
  }

  function colorFor(pod) {
    if (!state.colors[pod]) state.colors[pod] = PALETTE[Object.keys(state.colors).length % PALETTE.length];
    return state.colors[pod];
  }

  function makeChart(id, unit) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof window.Chart !== 'function') return null;
    return new window.Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', intersect: false },
        elements: { point: { radius: 0 }, line: { borderWidth: 2, tension: 0.2 } },
        scales: {
          x: {
            type: 'linear',
            min: -180,
            max: 0,
            ticks: {
              callback: function (v) {
                return v === 0 ? 'now' : v + ' s';
              },
            },
          },
          y: { beginAtZero: true, title: { display: true, text: unit } },
        },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      },
    });
  }

  function renderCharts() {
    if (!charts.cpu) charts.cpu = makeChart('stress-cpu-chart', 'millicores');
    if (!charts.memory) charts.memory = makeChart('stress-memory-chart', 'MiB');
    var now = Date.now();
    [
      ['cpu', 'cpuMillicores'],
      ['memory', 'memoryMb'],
    ].forEach(function (pair) {
      var chart = charts[pair[0]];
      if (!chart) return;
      chart.data.datasets = Object.keys(state.history)
        .sort()
        .map(function (pod) {
          return {
            label: pod,
            borderColor: colorFor(pod),
            backgroundColor: colorFor(pod),
            data: state.history[pod].map(function (p) {
              return { x: Math.round((p.t - now) / 100) / 10, y: p[pair[1]] };
            }),
          };
        });
      chart.update('none');
    });
  }

  function render() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(function () {
      renderQueued = false;
      renderPods();
      renderTests();
      renderSummary();
      renderCharts();
    });
  }

  function setStreamState(text) {
    var node = document.getElementById('stress-stream-state');
    if (node) node.textContent = text;
  }

  function connect() {
    if (typeof window.EventSource !== 'function') return;
    var source = new EventSource('/api/v1/stream/stress');
    source.addEventListener('open', function () {
      setStreamState('Live.');
    });
    source.addEventListener('error', function () {
      setStreamState('Reconnecting to the live stream…');
    });
    source.addEventListener('snapshot', function (e) {
      var data = JSON.parse(e.data);
      state.pods = {};
      data.pods.forEach(function (p) {
        state.pods[p.heartbeat.pod] = p;
      });
      state.history = data.history || {};
      state.summary = data.summary;
      render();
    });
    source.addEventListener('heartbeat', function (e) {
      var data = JSON.parse(e.data);
      var pod = data.pod.heartbeat.pod;
      state.pods[pod] = data.pod;
      var list = state.history[pod] || (state.history[pod] = []);
      list.push(data.point);
      if (list.length > MAX_POINTS) list.splice(0, list.length - MAX_POINTS);
      state.summary = data.summary;
      render();
    });
    source.addEventListener('gone', function (e) {
      var data = JSON.parse(e.data);
      delete state.pods[data.pod];
      delete state.history[data.pod];
      state.summary = data.summary;
      render();
    });
    window.addEventListener('pagehide', function () {
      source.close();
    });
  }

  // The Refresh button swaps the page's content: rebuild the charts on the new canvases.
  document.addEventListener('eksinfo:refreshed', function () {
    if (charts.cpu) charts.cpu.destroy();
    if (charts.memory) charts.memory.destroy();
    charts = { cpu: null, memory: null };
    render();
  });

  connect();
})();
