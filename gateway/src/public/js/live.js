// Live pages. The layout puts `sse-connect` on <main> for a page with live sections; htmx and its
// SSE extension swap in the sections the server pushes (rendered there with the page's own
// partials: nothing is built here). What is left for the browser: show the stream's state, keep
// opened <details> open and filters applied across swaps, and hook up the slots again after the
// refresh button has replaced the page's content.
(function () {
  'use strict';
  var main = document.querySelector('main[sse-connect]');
  if (!main) return;
  var STATES = { connecting: 'muted', live: 'ok', reconnecting: 'warn' };
  var state = 'connecting';

  function show() {
    document.querySelectorAll('[data-live-state]').forEach(function (badge) {
      badge.textContent = state;
      badge.className = 'badge ' + STATES[state];
    });
  }
  show();
  main.addEventListener('htmx:sseOpen', function () {
    state = 'live';
    show();
  });
  main.addEventListener('htmx:sseError', function () {
    state = 'reconnecting';
    show();
  });

  // A swap replaces a section's <details>: the ones the reader opened (data-key) open again.
  var opened = {};
  main.addEventListener('htmx:sseBeforeMessage', function (e) {
    opened = {};
    e.target.querySelectorAll('details[data-key][open]').forEach(function (d) {
      opened[d.getAttribute('data-key')] = true;
    });
  });
  main.addEventListener('htmx:sseMessage', function (e) {
    e.target.querySelectorAll('details[data-key]').forEach(function (d) {
      if (opened[d.getAttribute('data-key')]) d.open = true;
    });
    opened = {};
    if (window.eksInfo) window.eksInfo.applyFilters();
  });

  // The refresh button replaced <main>'s content (not <main>, which holds the stream): let htmx
  // find the new slots.
  document.addEventListener('eksinfo:refreshed', function () {
    if (window.htmx) window.htmx.process(main);
    show();
  });
})();
