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
