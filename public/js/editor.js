// Body editor of outgoing letters: a small rich-text toolbar over a contenteditable area.
// Progressive enhancement only: without this file the form posts the plain HTML textarea,
// and whatever is posted is cleaned by the server's allowlist sanitizer either way.
(function () {
  'use strict';
  var BUTTONS = [
    ['bold', 'B', 'Tebal'], ['italic', 'I', 'Miring'], ['underline', 'U', 'Garis bawah'],
    ['insertUnorderedList', '• Daftar', 'Daftar berbutir'], ['insertOrderedList', '1. Daftar', 'Daftar bernomor'],
    ['table', 'Tabel', 'Sisipkan tabel 2 × 2'], ['justifyFull', 'Rata kiri-kanan', 'Rata kiri-kanan'], ['justifyLeft', 'Rata kiri', 'Rata kiri'],
  ];
  function tableHtml() {
    return '<table><tbody><tr><td>&nbsp;</td><td>&nbsp;</td></tr><tr><td>&nbsp;</td><td>&nbsp;</td></tr></tbody></table><p><br></p>';
  }
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('textarea[data-editor]').forEach(function (ta) {
      var bar = document.createElement('div');
      bar.className = 'editor-toolbar';
      bar.setAttribute('role', 'toolbar');
      bar.setAttribute('aria-label', 'Format isi surat');
      var area = document.createElement('div');
      area.className = 'editor-area';
      area.contentEditable = 'true';
      area.setAttribute('role', 'textbox');
      area.setAttribute('aria-multiline', 'true');
      area.setAttribute('aria-label', 'Isi surat');
      area.setAttribute('data-testid', 'body-editor');
      area.innerHTML = ta.value;
      BUTTONS.forEach(function (b) {
        var btn = document.createElement('button');
        btn.type = 'button';
        btn.textContent = b[1];
        btn.title = b[2];
        btn.setAttribute('data-cmd', b[0]);
        btn.addEventListener('click', function () {
          area.focus();
          if (b[0] === 'table') document.execCommand('insertHTML', false, tableHtml());
          else document.execCommand(b[0], false, null);
          ta.value = area.innerHTML;
        });
        bar.appendChild(btn);
      });
      document.execCommand('defaultParagraphSeparator', false, 'p');
      area.addEventListener('input', function () { ta.value = area.innerHTML; });
      ta.parentNode.insertBefore(bar, ta);
      ta.parentNode.insertBefore(area, ta);
      ta.hidden = true;
      if (ta.form) ta.form.addEventListener('submit', function () { ta.value = area.innerHTML; });
    });
  });
})();

// "Tambah baris" for addressees and tembusan: a copy of the last row, emptied. Without this
// file, saving the form adds an empty row instead.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('fieldset[data-testid="kepada-rows"], fieldset[data-testid="tembusan-rows"]').forEach(function (fs) {
      var rows = fs.querySelectorAll('.recipient-row');
      if (!rows.length) return;
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'btn btn-small';
      btn.textContent = '+ Tambah baris';
      btn.setAttribute('data-testid', 'add-row');
      btn.addEventListener('click', function () {
        var all = fs.querySelectorAll('.recipient-row');
        var last = all[all.length - 1];
        var copy = last.cloneNode(true);
        var n = all.length + 1;
        copy.querySelectorAll('select, input').forEach(function (el) {
          if (el.tagName === 'SELECT') el.selectedIndex = 0; else el.value = '';
          var label = el.getAttribute('aria-label');
          if (label) el.setAttribute('aria-label', label.replace(/baris \d+/, 'baris ' + n));
        });
        last.parentNode.insertBefore(copy, last.nextSibling);
        var first = copy.querySelector('select');
        if (first) first.focus();
      });
      fs.appendChild(btn);
    });
  });
})();
