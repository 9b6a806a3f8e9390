// Charts of the leader's dashboard (/dasbor). The numbers come from the JSON block
// #dashboard-data; the tables under each chart show the same numbers, so the page is
// complete without this file (or without Chart.js).
(function () {
  'use strict';

  var STATUS_COLORS = {
    baru: '#0b5cab', didisposisi: '#6a3fb5', diproses: '#b76e00', dibalas: '#0f7b8a', selesai: '#1c7c3a', diarsipkan: '#6b7483',
  };
  var LATE = '#b42318';
  var ACTUAL = '#0b5cab';
  var SOP = '#a9b4c2';

  function ready(fn) {
    if (document.readyState !== 'loading') fn(); else document.addEventListener('DOMContentLoaded', fn);
  }

  // Split a long label into lines of about `max` characters, so narrow screens keep it readable.
  function wrap(label, max) {
    var words = String(label).split(/\s+/), lines = [], line = '';
    words.forEach(function (w) {
      if (line && (line + ' ' + w).length > max) { lines.push(line); line = w; } else { line = line ? line + ' ' + w : w; }
    });
    if (line) lines.push(line);
    return lines.length > 1 ? lines : lines[0] || '';
  }

  ready(function () {
    var el = document.getElementById('dashboard-data');
    var Chart = window.Chart;
    if (!el || !Chart) return;
    var data;
    try { data = JSON.parse(el.textContent || '{}'); } catch (e) { return; }

    var narrow = window.matchMedia('(max-width: 520px)').matches;
    var labelWidth = narrow ? 16 : 30;
    var num = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 1 });
    var hours = function (v) { return v === null || v === undefined ? 'belum ada data' : num.format(v) + ' jam kerja'; };

    Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = narrow ? 11 : 12;
    Chart.defaults.color = '#1d2433';
    Chart.defaults.borderColor = '#e3e7ee';
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.animation = false;
    Chart.defaults.plugins.legend.labels.boxWidth = 14;

    // A horizontal chart grows with its number of bars.
    function sizeBox(canvas, perRow) {
      var box = canvas.parentNode;
      var rows = Number(box.getAttribute('data-rows')) || 1;
      box.style.height = Math.max(160, Math.min(900, 70 + rows * perRow)) + 'px';
    }

    var status = document.getElementById('chart-status');
    if (status && data.status) {
      new Chart(status, {
        type: 'bar',
        data: {
          labels: data.status.labels,
          datasets: [{
            label: 'Jumlah surat', data: data.status.values,
            backgroundColor: data.status.codes.map(function (c) { return STATUS_COLORS[c] || '#6b7483'; }),
            borderRadius: 3, maxBarThickness: 56,
          }],
        },
        options: {
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return num.format(c.parsed.y) + ' surat'; } } } },
          scales: {
            x: { grid: { display: false }, ticks: { autoSkip: false, maxRotation: narrow ? 50 : 0 } },
            y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: !narrow, text: 'Jumlah surat' } },
          },
        },
      });
    }

    var overdue = document.getElementById('chart-overdue');
    if (overdue && data.overdueUnits) {
      sizeBox(overdue, narrow ? 40 : 34);
      new Chart(overdue, {
        type: 'bar',
        data: {
          labels: data.overdueUnits.labels.map(function (l) { return wrap(l, labelWidth); }),
          datasets: [{ label: 'Lewat tenggat', data: data.overdueUnits.values, backgroundColor: LATE, borderRadius: 3, maxBarThickness: 28 }],
        },
        options: {
          indexAxis: 'y',
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return num.format(c.parsed.x) + ' disposisi lewat tenggat'; } } } },
          scales: {
            x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Jumlah disposisi' } },
            y: { grid: { display: false } },
          },
        },
      });
    }

    var steps = document.getElementById('chart-steps');
    if (steps && data.steps) {
      sizeBox(steps, narrow ? 30 : 24);
      new Chart(steps, {
        type: 'bar',
        data: {
          labels: data.steps.labels.map(function (l) { return wrap(l, labelWidth); }),
          datasets: [
            { label: 'Rata-rata sampai selesai', data: data.steps.actual, backgroundColor: ACTUAL, borderRadius: 3, maxBarThickness: 22 },
            { label: 'Waktu SOP (Mutu Baku)', data: data.steps.sop, backgroundColor: SOP, borderRadius: 3, maxBarThickness: 22 },
          ],
        },
        options: {
          indexAxis: 'y',
          plugins: {
            legend: { position: 'top', align: 'start' },
            tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + hours(c.raw); } } },
          },
          scales: {
            x: { beginAtZero: true, title: { display: true, text: 'Jam kerja' }, ticks: { callback: function (v) { return num.format(v); } } },
            y: { grid: { display: false } },
          },
        },
      });
    }
  });
})();
