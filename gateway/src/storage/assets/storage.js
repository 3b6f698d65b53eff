// Storage pages (/ebs, /efs, /s3). Loaded as a file (the CSP allows no inline script) and purely
// progressive: every form works without it. It asks before deleting and checks a file's size
// before uploading it, so a too-large file is refused at once instead of after the transfer.
(function () {
  'use strict';

  function formatBytes(n) {
    var units = ['B', 'KiB', 'MiB', 'GiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return (i ? n.toFixed(1) : String(n)) + ' ' + units[i];
  }

  function tooLarge(form) {
    var limit = Number(form.getAttribute('data-upload-limit'));
    var input = form.querySelector('input[type="file"]');
    var file = input && input.files && input.files[0];
    return limit && file && file.size > limit ? { file: file, limit: limit } : null;
  }

  // Capture phase: decide before the page-wide handler shows the loading state.
  document.addEventListener(
    'submit',
    function (e) {
      var form = e.target;
      var button = e.submitter || form.querySelector('[data-confirm]');
      var question = button && button.getAttribute('data-confirm');
      var big = form.hasAttribute('data-upload-limit') && tooLarge(form);
      var refuse = false;
      if (big) {
        var info = form.querySelector('[data-file-info]');
        if (info) {
          info.textContent = big.file.name + ' is ' + formatBytes(big.file.size) + '; at most ' + formatBytes(big.limit) + ' can be uploaded.';
          info.classList.add('bad-text');
        }
        refuse = true;
      } else if (question && !window.confirm(question)) {
        refuse = true;
      }
      if (refuse) {
        e.preventDefault();
        e.stopPropagation();
      }
    },
    true,
  );

  document.addEventListener('change', function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('input[type="file"]')) return;
    var form = input.form;
    var info = form && form.querySelector('[data-file-info]');
    var file = input.files && input.files[0];
    if (!info || !file) return;
    var big = tooLarge(form);
    info.classList.toggle('bad-text', !!big);
    info.textContent = file.name + ' · ' + formatBytes(file.size) + (big ? ' — larger than the ' + formatBytes(big.limit) + ' limit' : '');
  });
})();
