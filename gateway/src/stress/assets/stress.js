// /stress in the browser: the forms and Stop buttons send their values to the JSON API in place
// and show the answer. Everything is progressive: without this file the forms post to the page
// and it reloads. The live sections (pods, charts, tests, the HPA) are rendered on the server and
// swapped in by live.js. Answers go into the page as text (textContent), never as HTML.
(function () {
  'use strict';

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
      }
    },
    true,
  );

  // A Stop button (in the live tests table) submits the page's stop form without JavaScript; here it asks the API.
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
})();
