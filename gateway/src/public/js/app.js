// EKS Info page behaviour. Loaded as a file (the CSP allows no inline script); everything here
// is progressive: pages work without it, it adds loading indicators, refresh and filters.
(function () {
  'use strict';
  var body = document.body;

  function setLoading(on) {
    body.classList.toggle('loading', on);
    body.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  // Mobile navigation toggle.
  var toggle = document.querySelector('.nav-toggle');
  var nav = document.getElementById('nav');
  if (toggle && nav) {
    toggle.addEventListener('click', function () {
      var open = nav.classList.toggle('open');
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }

  // Loading bar for navigations and form posts (pages render server-side, so the wait is here).
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
    var href = a.getAttribute('href');
    if (!href || href.charAt(0) === '#' || a.origin !== location.origin || /\/api\//.test(a.pathname)) return;
    setLoading(true);
  });
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var button = form.querySelector('button[type="submit"], button:not([type])');
    if (button) {
      button.disabled = true;
      button.insertAdjacentHTML('afterbegin', '<span class="spinner" aria-hidden="true"></span>');
    }
    setLoading(true);
  });
  window.addEventListener('pageshow', function () {
    setLoading(false);
  });

  // Refresh: fetch this page again and swap the main content, keeping scroll position.
  function refresh(button) {
    if (button) {
      button.disabled = true;
      button.dataset.label = button.textContent;
      button.innerHTML = '<span class="spinner" aria-hidden="true"></span> Refreshing';
    }
    setLoading(true);
    return fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (res) {
        return res.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('main');
        var main = document.getElementById('main');
        if (fresh && main) main.innerHTML = fresh.innerHTML;
        var footer = doc.querySelector('.footer');
        var current = document.querySelector('.footer');
        if (footer && current) current.innerHTML = footer.innerHTML;
        document.dispatchEvent(new CustomEvent('eksinfo:refreshed'));
      })
      .catch(function () {
        var main = document.getElementById('main');
        if (main) main.insertAdjacentHTML('afterbegin', '<p class="callout warn" role="alert">Refresh failed: the gateway did not answer. Try again.</p>');
      })
      .then(function () {
        setLoading(false);
        var b = document.querySelector('[data-refresh]');
        if (b && b.dataset.label) {
          b.disabled = false;
          b.textContent = b.dataset.label;
        }
      });
  }
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('[data-refresh]');
    if (b) {
      e.preventDefault();
      refresh(b);
    }
  });
  // Filters: <input data-filter="#container"> hides the container's rows (or the items named by
  // data-filter-items) that do not contain the text (their data-search, else their text).
  function applyFilter(input) {
    var container = document.querySelector(input.getAttribute('data-filter'));
    if (!container) return;
    var q = input.value.trim().toLowerCase();
    container.querySelectorAll(input.getAttribute('data-filter-items') || 'tbody tr').forEach(function (item) {
      var text = item.getAttribute('data-search') || item.textContent;
      item.hidden = q !== '' && text.toLowerCase().indexOf(q) === -1;
    });
  }
  document.addEventListener('input', function (e) {
    if (e.target.matches && e.target.matches('input[data-filter]')) applyFilter(e.target);
  });
  /** Applies every filter again (after live content replaced what they had filtered). */
  function applyFilters() {
    document.querySelectorAll('input[data-filter]').forEach(function (input) {
      if (input.value) applyFilter(input);
    });
  }

  window.eksInfo = { refresh: refresh, setLoading: setLoading, applyFilters: applyFilters };
})();
