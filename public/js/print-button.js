/* Buttons marked data-print print the page (tanda terima, lacak). Hidden until this script runs. */
(function () {
  function init() {
    document.querySelectorAll('[data-print]').forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener('click', function () { window.print(); });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
