// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  document.addEventListener('DOMContentLoaded', function () {
    // Show the inline "new sender" fields only when "+ Instansi baru" is chosen.
    document.querySelectorAll('select[data-toggle-new]').forEach(function (sel) {
      var box = document.getElementById(sel.getAttribute('data-toggle-new'));
      if (!box) return;
      var sync = function () { box.classList.toggle('js-hidden', sel.value !== 'baru'); };
      sel.addEventListener('change', sync);
      if (box.querySelector('input[value]:not([value=""])')) sel.value = sel.value || 'baru';
      sync();
    });
    // Disable the submit button after the first click; the server is idempotent anyway.
    document.querySelectorAll('form[data-once]').forEach(function (form) {
      form.addEventListener('submit', function (e) {
        // A button that opens its answer in a new tab (a PDF preview) leaves the form usable.
        if (e.submitter && e.submitter.getAttribute('formtarget') === '_blank') return;
        var btns = form.querySelectorAll('button[type=submit]');
        setTimeout(function () { btns.forEach(function (b) { b.disabled = true; b.textContent = 'Menyimpan…'; }); }, 0);
      });
    });
    // Ask before destructive actions.
    document.querySelectorAll('form[data-confirm]').forEach(function (form) {
      form.addEventListener('submit', function (e) { if (!window.confirm(form.getAttribute('data-confirm'))) e.preventDefault(); });
    });
  });
})();
