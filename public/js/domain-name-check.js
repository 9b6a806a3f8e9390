// Live check of a requested domain / subdomain name (lib/domainNames.ts on the server).
// Markup: <input data-name-check="/url/of/check" data-kind="subdomain" data-name-result="id-of-result">
// or data-kind-from="id-of-a-select" instead of data-kind. The endpoint answers
// GET <url>?name=...&kind=... with { ok, fqdn, errors: [], warnings: [], taken? }.
// The form works without this file: the server checks the name again on submit.
(function () {
  'use strict';

  var DELAY = 250;

  function ready(fn) {
    if (document.readyState !== 'loading') fn(); else document.addEventListener('DOMContentLoaded', fn);
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  // Adds `token` to a space-separated attribute (aria-describedby) once.
  function addToken(el, attr, token) {
    var cur = (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean);
    if (cur.indexOf(token) < 0) { cur.push(token); el.setAttribute(attr, cur.join(' ')); }
  }

  function setup(input) {
    var url = input.getAttribute('data-name-check');
    var result = document.getElementById(input.getAttribute('data-name-result') || '');
    if (!url || !result) return;
    var kindFrom = input.getAttribute('data-kind-from');
    var kindSelect = kindFrom ? document.getElementById(kindFrom) : null;
    // Optional: a select whose value (the case type) is sent as &type=..., so the server knows
    // whether the name must be free (new name) or already registered (change, deletion...).
    var typeFrom = input.getAttribute('data-type-from');
    var typeSelect = typeFrom ? document.getElementById(typeFrom) : null;
    var timer = null;
    var seq = 0;
    var controller = null;

    if (!result.hasAttribute('aria-live')) result.setAttribute('aria-live', 'polite');
    if (result.id) addToken(input, 'aria-describedby', result.id);

    function kind() {
      if (kindSelect) return kindSelect.value || '';
      return input.getAttribute('data-kind') || '';
    }

    // Writes lines into the result: as li items of the result itself when it is a list,
    // otherwise of a new ul inside it.
    function list(lines, className) {
      var tag = result.tagName;
      var ul = tag === 'UL' || tag === 'OL' ? result : document.createElement('ul');
      if (className) ul.className = className;
      lines.forEach(function (line) {
        var li = document.createElement('li');
        li.textContent = line;
        ul.appendChild(li);
      });
      if (ul !== result) result.appendChild(ul);
    }

    function show(state, lines, notes) {
      clear(result);
      result.classList.remove('name-ok', 'name-bad');
      if (state === 'ok') {
        result.classList.add('name-ok');
        input.setAttribute('aria-invalid', 'false');
      } else if (state === 'bad') {
        result.classList.add('name-bad');
        input.setAttribute('aria-invalid', 'true');
      } else {
        input.removeAttribute('aria-invalid');
      }
      if (!lines.length) return;
      if (state === 'ok' && result.tagName !== 'UL' && result.tagName !== 'OL') {
        var p = document.createElement('span');
        p.className = 'name-ok-text';
        p.textContent = lines[0];
        result.appendChild(p);
      } else {
        list(state === 'ok' ? lines.slice(0, 1) : lines);
      }
      if (notes && notes.length) list(notes, 'name-warnings');
    }

    function strings(v) {
      return Array.isArray(v) ? v.filter(function (x) { return typeof x === 'string' && x; }) : [];
    }

    function render(data) {
      if (!data || typeof data !== 'object') {
        show('unknown', ['Nama belum dapat diperiksa. Coba lagi sebentar lagi.']);
        return;
      }
      var errors = strings(data.errors);
      var warnings = strings(data.warnings);
      var taken = typeof data.taken === 'string' && data.taken ? data.taken : '';
      if (data.ok === true && !taken && typeof data.fqdn === 'string' && data.fqdn) {
        show('ok', ['Nama tersedia: ' + data.fqdn], warnings);
        return;
      }
      if (taken) errors.push(taken);
      if (!errors.length) errors.push('Nama ini tidak dapat dipakai. Pilih nama lain.');
      show('bad', errors, warnings);
    }

    function check() {
      timer = null;
      var name = input.value.trim();
      var mySeq = ++seq;
      if (controller) { controller.abort(); controller = null; }
      if (!name) { show('none', []); return; }
      var sep = url.indexOf('?') >= 0 ? '&' : '?';
      var target = url + sep + 'name=' + encodeURIComponent(name) + '&kind=' + encodeURIComponent(kind()) +
        (typeSelect ? '&type=' + encodeURIComponent(typeSelect.value || '') : '');
      var opts = { credentials: 'same-origin', headers: { Accept: 'application/json' } };
      if (typeof AbortController === 'function') { controller = new AbortController(); opts.signal = controller.signal; }
      fetch(target, opts)
        .then(function (res) {
          // An error status may still carry the JSON answer (e.g. 400 with errors).
          return res.json().catch(function () { return null; }).then(function (data) {
            if (!res.ok && !(data && Array.isArray(data.errors))) return null;
            return data;
          });
        })
        .then(function (data) { if (mySeq === seq) render(data); })
        .catch(function (err) {
          if (mySeq !== seq || (err && err.name === 'AbortError')) return;
          show('unknown', ['Nama belum dapat diperiksa. Periksa sambungan lalu coba lagi.']);
        });
    }

    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(check, DELAY);
    }

    input.addEventListener('input', schedule);
    if (kindSelect) kindSelect.addEventListener('change', schedule);
    if (typeSelect) typeSelect.addEventListener('change', schedule);
    // A form shown again (after a refused submit) is checked at once.
    if (input.value.trim()) check();
  }

  ready(function () {
    var inputs = document.querySelectorAll('input[data-name-check]');
    for (var i = 0; i < inputs.length; i++) setup(inputs[i]);
  });
})();
