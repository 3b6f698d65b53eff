// /scaling/history: draws the charts (Chart.js, served from the image) from the history JSON and
// extends them with each new sample from the gateway's JSON stream. The tables around them are
// rendered on the server and kept current by the page's live sections (live.js).
(function () {
  'use strict';
  var root = document.getElementById('scaling-history');
  if (!root) return;
  var hours = Number(root.getAttribute('data-hours')) || 24;
  var rangeMs = hours * 3600 * 1000;
  var COLORS = ['#ff9900', '#1d8102', '#0073bb', '#c52b2b', '#8a6100', '#7d3c98', '#16a085', '#5f6b7a', '#d35400', '#2e86c1'];
  var MAX_WORKLOADS = 8;
  var charts = {};
  var series = {};

  /** Axis labels in UTC, like the tables: seconds on short spans, the date on long ones. */
  function clock(ms, spanMs) {
    var iso = new Date(ms).toISOString();
    if (spanMs < 15 * 60 * 1000) return iso.slice(11, 19);
    return spanMs > 24 * 3600 * 1000 ? iso.slice(5, 10) + ' ' + iso.slice(11, 16) : iso.slice(11, 16);
  }
  function cores(m) {
    return m === null || m === undefined ? null : Math.round(m) / 1000;
  }
  function gib(b) {
    return b === null || b === undefined ? null : Math.round((b / Math.pow(2, 30)) * 100) / 100;
  }

  /** Series per chart: [label, value of a point]. */
  function definitions(workloads, capacityTypes) {
    return {
      pods: [
        [
          'all pods',
          function (p) {
            return p.pods;
          },
        ],
        [
          'Pending',
          function (p) {
            return p.pending;
          },
        ],
      ].concat(
        workloads.map(function (w) {
          return [
            w,
            function (p) {
              return p.workloads[w] || 0;
            },
          ];
        }),
      ),
      nodes: [
        [
          'nodes',
          function (p) {
            return p.nodes;
          },
        ],
        [
          'Ready',
          function (p) {
            return p.nodesReady;
          },
        ],
      ].concat(
        capacityTypes.map(function (c) {
          return [
            c,
            function (p) {
              return (p.nodesByCapacityType || {})[c] || 0;
            },
          ];
        }),
      ),
      cpu: [
        [
          'allocatable',
          function (p) {
            return cores(p.cpuAllocatableMillis);
          },
        ],
        [
          'requested',
          function (p) {
            return cores(p.cpuRequestedMillis);
          },
        ],
        [
          'used',
          function (p) {
            return cores(p.cpuUsedMillis);
          },
        ],
      ],
      memory: [
        [
          'allocatable',
          function (p) {
            return gib(p.memoryAllocatableBytes);
          },
        ],
        [
          'requested',
          function (p) {
            return gib(p.memoryRequestedBytes);
          },
        ],
        [
          'used',
          function (p) {
            return gib(p.memoryUsedBytes);
          },
        ],
      ],
    };
  }

  function topWorkloads(points, names) {
    var peak = {};
    names.forEach(function (w) {
      peak[w] = 0;
    });
    points.forEach(function (p) {
      names.forEach(function (w) {
        peak[w] = Math.max(peak[w], p.workloads[w] || 0);
      });
    });
    return names
      .slice()
      .sort(function (a, b) {
        return peak[b] - peak[a];
      })
      .slice(0, MAX_WORKLOADS);
  }

  function draw(points, workloadNames) {
    if (!window.Chart) return;
    var capacityTypes = [];
    points.forEach(function (p) {
      Object.keys(p.nodesByCapacityType || {}).forEach(function (c) {
        if (capacityTypes.indexOf(c) < 0) capacityTypes.push(c);
      });
    });
    series = definitions(topWorkloads(points, workloadNames), capacityTypes);
    var now = Date.now();
    // A history shorter than the range fills the chart instead of hugging its right edge.
    var first = points.length ? Date.parse(points[0].t) : now - rangeMs;
    var from = Math.max(now - rangeMs, Math.min(first, now - 60 * 1000));
    Object.keys(series).forEach(function (name) {
      var canvas = document.getElementById('chart-' + name);
      if (!canvas) return;
      var datasets = series[name].map(function (def, i) {
        return {
          label: def[0],
          data: points.map(function (p) {
            return { x: Date.parse(p.t), y: def[1](p) };
          }),
          borderColor: COLORS[i % COLORS.length],
          backgroundColor: COLORS[i % COLORS.length],
          borderWidth: 2,
          pointRadius: 0,
          stepped: name === 'pods' || name === 'nodes',
          spanGaps: false,
        };
      });
      charts[name] = new window.Chart(canvas, {
        type: 'line',
        data: { datasets: datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: 'nearest', axis: 'x', intersect: false },
          scales: {
            x: {
              type: 'linear',
              min: from,
              max: now,
              ticks: {
                maxTicksLimit: 8,
                callback: function (v) {
                  return clock(v, this.max - this.min);
                },
              },
            },
            y: { beginAtZero: true, ticks: { precision: name === 'pods' || name === 'nodes' ? 0 : undefined } },
          },
          plugins: {
            legend: { position: 'bottom', labels: { boxWidth: 12 } },
            tooltip: {
              callbacks: {
                title: function (items) {
                  return items.length ? new Date(items[0].parsed.x).toISOString().slice(0, 19).replace('T', ' ') + 'Z' : '';
                },
              },
            },
          },
        },
      });
    });
  }

  function addSample(p) {
    var x = Date.parse(p.t);
    var oldest = Date.now() - rangeMs;
    Object.keys(charts).forEach(function (name) {
      var chart = charts[name];
      series[name].forEach(function (def, i) {
        var data = chart.data.datasets[i].data;
        data.push({ x: x, y: def[1](p) });
        while (data.length && data[0].x < oldest) data.shift();
      });
      chart.options.scales.x.min = Math.max(oldest, chart.options.scales.x.min);
      chart.options.scales.x.max = Math.max(Date.now(), x);
      chart.update('none');
    });
  }

  function load() {
    Object.keys(charts).forEach(function (name) {
      charts[name].destroy();
    });
    charts = {};
    root = document.getElementById('scaling-history');
    if (!root) return;
    fetch('/api/v1/scaling/history?hours=' + hours, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) {
        return res.ok ? res.json() : Promise.reject(new Error('HTTP ' + res.status));
      })
      .then(function (body) {
        if (body.samples.status !== 'ok') return;
        draw(body.samples.data.points, body.samples.data.workloads);
        root.setAttribute('data-charts', 'drawn');
      })
      .catch(function (err) {
        var note = document.querySelector('[data-chart-note]');
        if (note) note.textContent = 'The charts could not be loaded: ' + err.message + '. Use the refresh button.';
      });
  }
  load();
  // The refresh button replaces the page's content, canvases included: draw again.
  document.addEventListener('eksinfo:refreshed', load);

  if (window.EventSource) {
    var stream = new EventSource('/api/v1/stream/scaling?topics=samples');
    stream.addEventListener('sample', function (e) {
      if (Object.keys(charts).length) addSample(JSON.parse(e.data));
    });
    window.addEventListener('pagehide', function () {
      stream.close();
    });
  }
})();
