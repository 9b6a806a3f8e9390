import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ejs from 'ejs';
import { escapeHtml, freeNames, precompileViews, renderView } from '../platform/http/viewEngine';

const FIXTURES = path.join(__dirname, 'fixtures', 'views');

function render(file: string, locals: Record<string, unknown>, cache: boolean): Promise<string> {
  return new Promise((resolve, reject) => renderView(file, { ...locals, cache }, (err, html) => (err ? reject(err) : resolve(html!))));
}

const LOCALS = {
  title: 'Surat <Masuk> & "Keluar"',
  cls: "a'b",
  raw: '<b>tebal</b>',
  pair: { a: 3, b: 7 },
  items: [{ name: 'Undangan', n: 2, note: 'rapat' }, { name: 'Nota <Dinas>', n: 5 }],
  errors: { nomor: 'Nomor wajib diisi.' },
  shout: (s: string) => s.toUpperCase(),
  label: (s: string) => `[${s}]`,
};

describe('View engine (lib/viewEngine): EJS pages without `with`', () => {
  it('escapes exactly as ejs does', () => {
    for (const v of ['', 'biasa', `<script>alert('x')</script>`, 'a & b "c" \'d\' <e>', '&amp;', 0, 42, null, undefined, true, { toString: () => '<o>' }]) {
      expect(escapeHtml(v), String(v)).to.equal(ejs.escapeXML(v as string));
    }
  });

  it('finds the names a template reads from its locals, and only those', () => {
    const names = freeNames(`<%= title %> <% for (const r of rows) { %><%= r.letter.perihal %><% } %>
      <% const total = rows.length; let { a, b: c } = pair; %><%# comment %><%%= literal %>
      <%- include('../partials/header', { title }) %> <%= Math.max(total, a, c) %> <%= typeof tz !== 'undefined' ? tz : 'WIB' %>
      <%= labels.get(x)?.name %> <%= "quoted words" + 'more words' %>`);
    expect(names).to.include.members(['title', 'rows', 'pair', 'tz', 'labels', 'x']);
    // Not: properties, declared names, keywords, globals, the generated function's own names, words in strings.
    for (const not of ['letter', 'perihal', 'r', 'total', 'a', 'c', 'const', 'typeof', 'Math', 'max', 'include', 'get', 'name', 'quoted', 'words', 'partials', 'header', 'comment', 'literal']) {
      expect(names, not).not.to.include(not);
    }
  });

  for (const cache of [false, true]) {
    it('finds names read only inside a spread ([...list], {...opts}, f(...args))', () => {
    const names = freeNames('<% const all = [...list, ...more]; const o = { ...opts }; %><%= f(...args) %><%= x.y %>');
    for (const n of ['list', 'more', 'opts', 'f', 'args', 'x']) expect(names, n).to.include(n);
    expect(names).to.not.include('y');
  });

  it(`renders a page with includes, declarations, globals and raw output as ejs does (view cache ${cache ? 'on' : 'off'})`, async () => {
      const file = path.join(FIXTURES, 'page.ejs');
      const ours = await render(file, LOCALS, cache);
      const stock = await ejs.renderFile(file, LOCALS);
      expect(ours).to.equal(stock);
      // What the page shows, so that equal-but-broken output would not pass either.
      expect(ours).to.include('<title>Surat &lt;Masuk&gt; &amp; &#34;Keluar&#34; · Naskah</title>');
      expect(ours).to.include('<h1 class="a&#39;b">');
      expect(ours).to.include('<p>Raw: <b>tebal</b></p>');
      expect(ours).to.include('Literal: <%= not a tag %>');
      expect(ours).to.include('Max: 7 · JSON: {&#34;x&#34;:1} · a%20b%26c');
      expect(ours).to.include('missing is undefined');
      expect(ours).to.include('<li data-n="2">Undangan(rapat)</li>');
      expect(ours).to.include('<li data-n="5">Nota &lt;Dinas&gt;</li>');
      expect(ours).to.include('Total 7, via helper: SURAT &lt;MASUK&gt; &amp; &#34;KELUAR&#34;, labels: [Undangan], [Nota &lt;Dinas&gt;]');
      expect(ours).to.include('<span class="err" id="nomor-error">Nomor wajib diisi.</span>');
      expect(ours).to.include('<span class="ok">perihal</span>');
      expect(ours).to.include('<i data-level="2" data-name="perihal">a&#39;b</i>');
      // An include's own data does not leak back into the page.
      expect(ours).to.include('After includes, name is not set');
      expect(ours).to.include('<footer>Surat &lt;Masuk&gt; &amp; &#34;Keluar&#34; · 2 item</footer>');
    });
  }

  it('with the view cache a template is compiled once; without it an edit shows at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-views-'));
    const file = path.join(dir, 'p.ejs');
    try {
      fs.writeFileSync(file, 'v1 <%= who %>');
      expect(await render(file, { who: 'a' }, true)).to.equal('v1 a');
      fs.writeFileSync(file, 'v2 <%= who %>');
      expect(await render(file, { who: 'b' }, true)).to.equal('v1 b');
      expect(await render(file, { who: 'c' }, false)).to.equal('v2 c');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a template error with its file, and a missing include, to the caller', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-views-'));
    try {
      fs.writeFileSync(path.join(dir, 'bad.ejs'), '<p>\n<%= notAFunction() %>\n</p>');
      fs.writeFileSync(path.join(dir, 'inc.ejs'), '<%- include("nowhere") %>');
      const err = await render(path.join(dir, 'bad.ejs'), {}, false).then(() => null, (e: Error) => e);
      expect(err?.message).to.include('bad.ejs:2').and.include('notAFunction is not a function');
      const err2 = await render(path.join(dir, 'inc.ejs'), {}, true).then(() => null, (e: Error) => e);
      expect(err2?.message).to.include('nowhere.ejs');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compiles every page template of the app (as production does at start-up)', () => {
    const views = path.join(__dirname, '..', 'views');
    const count = fs.readdirSync(views, { recursive: true }).filter((f) => String(f).endsWith('.ejs')).length;
    expect(count).to.be.greaterThan(40);
    expect(precompileViews(views)).to.equal(count);
  });
});
