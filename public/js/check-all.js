// "Pilih semua" for a list of checkboxes: [data-check-all] toggles every checkbox of its form.
document.querySelectorAll('[data-check-all]').forEach(function (all) {
  var form = all.closest('form');
  all.addEventListener('change', function () {
    form.querySelectorAll('input[type=checkbox]:not([data-check-all])').forEach(function (c) { c.checked = all.checked; });
  });
});
