import { expect } from 'chai';
import {
  checkDomainName, DEFAULT_NAME_RULES, NAME_MESSAGES, nameRulesFrom, takenMessage, type NameKind,
} from '../lib/domainNames';

const P = 'sindangrajakab.go.id';
const M = NAME_MESSAGES;
const NON_ASCII = (chars: string) => `Nama hanya boleh memakai huruf ASCII a-z tanpa tanda aksen, angka 0-9 dan tanda hubung (-) biasa, karena .go.id dan .desa.id tidak menerima nama domain internasional (IDN); hapus atau ganti ${chars}.`;
const BAD_CHARS = (chars: string) => `Nama hanya boleh berisi huruf a-z, angka 0-9 dan tanda hubung (-); hapus atau ganti ${chars}.`;
const SHORT = (n: number, min: number) => `Nama terlalu pendek (${n} karakter); paling sedikit ${min} karakter.`;
const LONG = (n: number, max: number) => `Nama terlalu panjang (${n} karakter); paling banyak ${max} karakter.`;
const RESERVED = (l: string) => `Nama "${l}" dicadangkan untuk keperluan teknis (server, surel, DNS); pilih nama lain.`;
const REGION = 'Nama domain pemerintah daerah harus mengikuti pola {nama}kab.go.id, {nama}kota.go.id atau {nama}prov.go.id, dengan {nama} paling sedikit 3 karakter, misalnya sindangrajakab.go.id.';
const NESTED = `Subdomain hanya boleh satu bagian langsung di bawah ${P} (tanpa titik), misalnya pariwisata.${P}; subdomain bertingkat tidak dilayani.`;
const WRONG_PARENT = (n: string) => `Nama "${n}" tidak berada di bawah ${P}; subdomain harus berakhiran .${P}, atau tulis namanya saja, misalnya pariwisata.`;
const ONLY_NAME = {
  scheme: (s: string) => `Hapus "${s}" di depan nama: tulis nama domainnya saja, bukan alamat situs web.`,
  user: (s: string) => `Hapus "${s}" di depan nama: tulis nama domainnya saja, bukan alamat surel atau nama pengguna.`,
  path: (s: string) => `Hapus "${s}" di belakang nama: tulis nama domainnya saja, bukan alamat halaman.`,
  port: (s: string) => `Hapus nomor port "${s}": tulis nama domainnya saja.`,
};

const L63 = 'a'.repeat(63);
const L64 = 'a'.repeat(64);

interface Row {
  input: string;
  kind: NameKind;
  /** Valid: the normalized name. */
  fqdn?: string;
  warnings?: string[];
  /** Invalid: exactly these errors, in this order. */
  errors?: string[];
  /** Invalid: errors include these (when the full list is not the point of the row). */
  includes?: string[];
  /** The fqdn reported for an invalid name (undefined: not asserted). */
  badFqdn?: string | null;
}

const TABLE: Row[] = [
  // Subdomains of the region's domain.
  { input: 'pariwisata', kind: 'subdomain', fqdn: `pariwisata.${P}` },
  { input: 'Pariwisata', kind: 'subdomain', fqdn: `pariwisata.${P}`, warnings: [M.uppercase] },
  { input: `pariwisata.${P}`, kind: 'subdomain', fqdn: `pariwisata.${P}` },
  { input: `PARIWISATA.SindangrajaKab.go.id.`, kind: 'subdomain', fqdn: `pariwisata.${P}`, warnings: [M.uppercase] },
  { input: 'pariwisata.', kind: 'subdomain', fqdn: `pariwisata.${P}` },
  { input: `pariwisata.${P}.`, kind: 'subdomain', fqdn: `pariwisata.${P}` },
  { input: '  dinsos  ', kind: 'subdomain', fqdn: `dinsos.${P}` },
  { input: '\tppid\n', kind: 'subdomain', fqdn: `ppid.${P}` },
  { input: 'ab', kind: 'subdomain', fqdn: `ab.${P}` },
  { input: 'dinas-sosial', kind: 'subdomain', fqdn: `dinas-sosial.${P}` },
  { input: 'e-office', kind: 'subdomain', fqdn: `e-office.${P}` },
  { input: 'abc--d', kind: 'subdomain', fqdn: `abc--d.${P}` },
  { input: 'jdih2024', kind: 'subdomain', fqdn: `jdih2024.${P}` },
  { input: '3d', kind: 'subdomain', fqdn: `3d.${P}` },
  { input: L63, kind: 'subdomain', fqdn: `${L63}.${P}` },
  { input: '', kind: 'subdomain', errors: [M.empty], badFqdn: null },
  { input: '   ', kind: 'subdomain', errors: [M.empty], badFqdn: null },
  { input: '-abc', kind: 'subdomain', errors: [M.leadingHyphen], badFqdn: `-abc.${P}` },
  { input: 'abc-', kind: 'subdomain', errors: [M.trailingHyphen] },
  { input: '-', kind: 'subdomain', errors: [M.leadingHyphen, M.trailingHyphen, SHORT(1, 2)] },
  { input: 'a', kind: 'subdomain', errors: [SHORT(1, 2)], badFqdn: `a.${P}` },
  { input: 'www', kind: 'subdomain', errors: [RESERVED('www')], badFqdn: `www.${P}` },
  { input: `www.${P}`, kind: 'subdomain', errors: [RESERVED('www')] },
  { input: 'mail', kind: 'subdomain', errors: [RESERVED('mail')] },
  { input: 'ns1', kind: 'subdomain', errors: [RESERVED('ns1')] },
  { input: 'API-Internal', kind: 'subdomain', errors: [RESERVED('api-internal')], warnings: [M.uppercase] },
  { input: 'dinas sosial', kind: 'subdomain', errors: [M.whitespace], badFqdn: null },
  { input: 'dinas\u00a0sosial', kind: 'subdomain', errors: [M.whitespace] },
  { input: 'dinas_sosial', kind: 'subdomain', errors: [BAD_CHARS('"_" (ganti garis bawah dengan tanda hubung, misalnya dinas-sosial)')], badFqdn: null },
  { input: 'dinsos!', kind: 'subdomain', errors: [BAD_CHARS('"!"')] },
  { input: 'din$os&co', kind: 'subdomain', errors: [BAD_CHARS('"$" dan "&"')] },
  { input: 'ñandu', kind: 'subdomain', errors: [NON_ASCII('"ñ" (U+00F1)')], badFqdn: null },
  { input: 'dinsos-ñ', kind: 'subdomain', errors: [NON_ASCII('"ñ" (U+00F1)')] },
  { input: 'pariwisata–', kind: 'subdomain', errors: [NON_ASCII('"–" (U+2013)')] },
  { input: 'pari\u200bwisata', kind: 'subdomain', errors: [NON_ASCII('U+200B')] },
  { input: 'wisata😀', kind: 'subdomain', errors: [NON_ASCII('"😀" (U+1F600)')] },
  // The Kelvin sign lowercases to an ASCII "k": still refused, never folded into kab.desa.id.
  { input: '\u212Aab', kind: 'desa.id', errors: [NON_ASCII('"\u212A" (U+212A)')] },
  { input: 'DİNSOS', kind: 'subdomain', includes: [NON_ASCII('"İ" (U+0130)')] },
  { input: 'пример', kind: 'subdomain', includes: [NON_ASCII('"п" (U+043F), "р" (U+0440), "и" (U+0438), "м" (U+043C) dan "е" (U+0435)')] },
  { input: 'xn--abc', kind: 'subdomain', errors: [M.punycode] },
  { input: 'xn--mnchen-3ya', kind: 'go.id', includes: [M.punycode] },
  { input: 'ab--cd', kind: 'subdomain', errors: [M.doubleHyphen] },
  { input: L64, kind: 'subdomain', errors: [LONG(64, 63)] },
  { input: '12345', kind: 'subdomain', errors: [M.digitsOnly] },
  { input: `https://pariwisata.${P}`, kind: 'subdomain', errors: [ONLY_NAME.scheme('https://')], badFqdn: null },
  { input: 'http://pariwisata', kind: 'subdomain', errors: [ONLY_NAME.scheme('http://')] },
  { input: `pariwisata.${P}/`, kind: 'subdomain', errors: [ONLY_NAME.path('/')], badFqdn: null },
  { input: `pariwisata.${P}/berita?id=1`, kind: 'subdomain', errors: [ONLY_NAME.path('/berita?id=1')] },
  { input: `pariwisata.${P}:80`, kind: 'subdomain', errors: [ONLY_NAME.port(':80')] },
  { input: `admin@pariwisata.${P}`, kind: 'subdomain', errors: [ONLY_NAME.user('admin@')] },
  { input: 'www.pariwisata', kind: 'subdomain', errors: [M.www], badFqdn: null },
  { input: `https://www.pariwisata.${P}/`, kind: 'subdomain', errors: [ONLY_NAME.scheme('https://'), ONLY_NAME.path('/'), M.www] },
  { input: 'https://', kind: 'subdomain', errors: [ONLY_NAME.scheme('https://'), M.empty] },
  { input: `a.b.${P}`, kind: 'subdomain', errors: [NESTED, SHORT(1, 2)], badFqdn: `a.b.${P}` },
  { input: `berita.pariwisata.${P}`, kind: 'subdomain', errors: [NESTED] },
  { input: 'pariwisata.lainkab.go.id', kind: 'subdomain', errors: [WRONG_PARENT('pariwisata.lainkab.go.id')], badFqdn: 'pariwisata.lainkab.go.id' },
  { input: 'pariwisata.com', kind: 'subdomain', errors: [WRONG_PARENT('pariwisata.com')] },
  { input: P, kind: 'subdomain', errors: [`Tulis nama subdomain sebelum .${P}, misalnya pariwisata.`] },
  { input: `pariwisata..${P}`, kind: 'subdomain', errors: [M.emptyPart], badFqdn: null },
  { input: '.pariwisata', kind: 'subdomain', errors: [M.emptyPart] },
  { input: 'pariwisata..', kind: 'subdomain', errors: [M.emptyPart] },

  // .go.id names of a regional government.
  { input: 'sindangrajakab', kind: 'go.id', fqdn: P },
  { input: P, kind: 'go.id', fqdn: P },
  { input: 'SindangrajaKab.go.id.', kind: 'go.id', fqdn: P, warnings: [M.uppercase] },
  { input: 'sindangrajakota.go.id', kind: 'go.id', fqdn: 'sindangrajakota.go.id' },
  { input: 'jawabaratprov', kind: 'go.id', fqdn: 'jawabaratprov.go.id' },
  { input: 'bumikab', kind: 'go.id', fqdn: 'bumikab.go.id' },
  { input: 'dinsos.go.id', kind: 'go.id', errors: [REGION], badFqdn: 'dinsos.go.id' },
  { input: 'kab.go.id', kind: 'go.id', errors: [REGION] },
  { input: 'abkab', kind: 'go.id', errors: [REGION] },
  { input: 'kabsindangraja', kind: 'go.id', errors: [REGION] },
  { input: 'ab', kind: 'go.id', errors: [SHORT(2, 3), REGION] },
  { input: 'www', kind: 'go.id', errors: [RESERVED('www'), REGION] },
  { input: `www.${P}`, kind: 'go.id', errors: [M.www] },
  { input: 'go.id', kind: 'go.id', errors: ['Tulis nama yang diminta sebelum .go.id, misalnya sindangrajakab.'], badFqdn: 'go.id' },
  { input: `pariwisata.${P}`, kind: 'go.id', errors: [M.goIdSingleLabel] },
  { input: 'sukamaju.desa.id', kind: 'go.id', errors: ['Nama "sukamaju.desa.id" adalah nama .desa.id; untuk domain instansi tulis nama yang berakhiran .go.id, atau ajukan permohonan jenis .desa.id.'], badFqdn: 'sukamaju.desa.id' },
  { input: 'sindangrajakab.co.id', kind: 'go.id', errors: ['Nama "sindangrajakab.co.id" tidak berakhiran .go.id; tulis nama yang berakhiran .go.id, atau namanya saja, misalnya sindangrajakab.'] },
  { input: `${'a'.repeat(61)}kab`, kind: 'go.id', errors: [LONG(64, 63)] },
  { input: `${'a'.repeat(60)}kab`, kind: 'go.id', fqdn: `${'a'.repeat(60)}kab.go.id` },
  { input: '12345kab', kind: 'go.id', fqdn: '12345kab.go.id' },

  // .desa.id names.
  { input: 'sukamaju', kind: 'desa.id', fqdn: 'sukamaju.desa.id' },
  { input: 'sukamaju.desa.id', kind: 'desa.id', fqdn: 'sukamaju.desa.id' },
  { input: ' Suka-Maju.Desa.ID. ', kind: 'desa.id', fqdn: 'suka-maju.desa.id', warnings: [M.uppercase] },
  { input: L63, kind: 'desa.id', fqdn: `${L63}.desa.id` },
  { input: 'sukamaju.go.id', kind: 'desa.id', errors: ['Nama "sukamaju.go.id" berakhiran .go.id, padahal nama desa harus berakhiran .desa.id; tulis namanya saja, misalnya sukamaju.'], badFqdn: 'sukamaju.go.id' },
  { input: 'sukamaju.id', kind: 'desa.id', errors: ['Nama "sukamaju.id" tidak berakhiran .desa.id; nama desa harus berakhiran .desa.id, atau tulis namanya saja, misalnya sukamaju.'] },
  { input: 'ab', kind: 'desa.id', errors: [SHORT(2, 3)] },
  { input: L64, kind: 'desa.id', errors: [LONG(64, 63)] },
  { input: 'suka.maju', kind: 'desa.id', errors: ['Nama "suka.maju" tidak berakhiran .desa.id; nama desa harus berakhiran .desa.id, atau tulis namanya saja, misalnya sukamaju.'] },
  { input: 'suka.maju.desa.id', kind: 'desa.id', errors: [M.desaIdSingleLabel] },
  { input: '2024', kind: 'desa.id', errors: [M.digitsOnly] },
  { input: 'mail', kind: 'desa.id', errors: [RESERVED('mail')] },
  { input: 'suka maju', kind: 'desa.id', errors: [M.whitespace] },
];

describe('Domain and subdomain names (lib/domainNames)', () => {
  it('has a table of at least 45 names over the three kinds', () => {
    expect(TABLE.length).to.be.at.least(45);
    for (const k of ['subdomain', 'go.id', 'desa.id'] as const) {
      expect(TABLE.filter((r) => r.kind === k && r.fqdn).length, `${k} valid`).to.be.at.least(3);
      expect(TABLE.filter((r) => r.kind === k && !r.fqdn).length, `${k} invalid`).to.be.at.least(3);
    }
  });

  for (const row of TABLE) {
    const title = `${row.kind} ${JSON.stringify(row.input)} ${row.fqdn ? `-> ${row.fqdn}` : 'is refused'}`;
    it(title, () => {
      const r = checkDomainName(row.input, row.kind);
      if (row.fqdn) {
        expect(r.errors, 'errors').to.deep.equal([]);
        expect(r.ok).to.equal(true);
        expect(r.fqdn).to.equal(row.fqdn);
        expect(r.label).to.equal(row.fqdn.split('.')[0]);
      } else {
        expect(r.ok).to.equal(false);
        expect(r.errors.length, 'at least one error').to.be.greaterThan(0);
        if (row.errors) expect(r.errors).to.deep.equal(row.errors);
        for (const m of row.includes ?? []) expect(r.errors).to.include(m);
        if (row.badFqdn !== undefined) expect(r.fqdn).to.equal(row.badFqdn);
        if (r.fqdn === null) expect(r.label).to.equal(null);
      }
      expect(r.warnings, 'warnings').to.deep.equal(row.warnings ?? []);
      for (const m of [...r.errors, ...r.warnings]) expect(m, 'a complete sentence').to.match(/^[A-Z"].*\.$/s);
    });
  }

  it('reports a subdomain label and the parent, and a go.id label', () => {
    expect(checkDomainName('Pariwisata', 'subdomain')).to.deep.equal({
      ok: true, fqdn: `pariwisata.${P}`, label: 'pariwisata', errors: [], warnings: [M.uppercase],
    });
    expect(checkDomainName(`a.b.${P}`, 'subdomain').label).to.equal('a.b');
    expect(checkDomainName('pariwisata.lainkab.go.id', 'subdomain').label).to.equal(null);
  });

  it('merges settings over the defaults, normalizing lists and the parent', () => {
    const r = nameRulesFrom({ parentDomain: ' Wonosobokab.go.id. ', reserved: ['WWW', ' portal '], regionSuffixes: [] });
    expect(r).to.deep.equal({ ...DEFAULT_NAME_RULES, parentDomain: 'wonosobokab.go.id', reserved: ['www', 'portal'], regionSuffixes: [] });
    expect(nameRulesFrom({})).to.deep.equal(DEFAULT_NAME_RULES);
    expect(nameRulesFrom({}).reserved).to.not.equal(DEFAULT_NAME_RULES.reserved);
    expect(nameRulesFrom({ minLabel: undefined, maxTotal: -1 }).minLabel).to.equal(3);
    expect(nameRulesFrom({ maxTotal: -1 }).maxTotal).to.equal(253);

    expect(checkDomainName('portal', 'subdomain', r).errors).to.deep.equal([RESERVED('portal')]);
    expect(checkDomainName('mail', 'subdomain', r).ok, 'the list replaces the default one').to.equal(true);
    expect(checkDomainName('pariwisata', 'subdomain', r).fqdn).to.equal('pariwisata.wonosobokab.go.id');
    expect(checkDomainName(`pariwisata.${P}`, 'subdomain', r).errors).to.deep.equal([
      'Nama "pariwisata.sindangrajakab.go.id" tidak berada di bawah wonosobokab.go.id; subdomain harus berakhiran .wonosobokab.go.id, atau tulis namanya saja, misalnya pariwisata.',
    ]);
    expect(checkDomainName('dinsos', 'go.id', r).ok, 'no pattern check without region suffixes').to.equal(true);
    expect(checkDomainName('dinsos', 'go.id', nameRulesFrom({ regionSuffixes: ['kab'] })).errors).to.deep.equal([
      'Nama domain pemerintah daerah harus mengikuti pola {nama}kab.go.id, dengan {nama} paling sedikit 3 karakter, misalnya sindangrajakab.go.id.',
    ]);
    expect(checkDomainName('dinsos', 'go.id', nameRulesFrom({ regionSuffixes: ['kota'], parentDomain: 'lainkab.go.id' })).errors).to.deep.equal([
      'Nama domain pemerintah daerah harus mengikuti pola {nama}kota.go.id, dengan {nama} paling sedikit 3 karakter, misalnya contohkota.go.id.',
    ]);
  });

  it('applies the configured length rules and the total length', () => {
    const r = nameRulesFrom({ minLabel: 5, maxLabel: 20, maxTotal: 30 });
    expect(checkDomainName('abckab', 'go.id', r).ok).to.equal(true);
    expect(checkDomainName('desa', 'desa.id', r).errors).to.deep.equal([SHORT(4, 5)]);
    expect(checkDomainName(`${'a'.repeat(18)}kab`, 'go.id', r).errors).to.deep.equal([LONG(21, 20)]);
    expect(checkDomainName('ab', 'subdomain', r).ok, 'subdomains keep their own minimum').to.equal(true);
    // 10 + 1 + 20 = 31 characters over a 30-character limit.
    expect(checkDomainName('pariwisata', 'subdomain', r).errors).to.deep.equal(['Nama lengkap terlalu panjang (31 karakter); paling banyak 30 karakter.']);
    expect(checkDomainName('pariwisat', 'subdomain', r).ok).to.equal(true);
  });

  it('treats a non-string input as empty', () => {
    expect(checkDomainName(undefined as unknown as string, 'subdomain')).to.deep.equal({ ok: false, fqdn: null, label: null, errors: [M.empty], warnings: [] });
  });

  it('formats the taken message', () => {
    expect(takenMessage(`pariwisata.${P}`, 'aktif')).to.equal('Nama pariwisata.sindangrajakab.go.id sudah dipakai (status: aktif). Pilih nama lain.');
    expect(takenMessage('sukamaju.desa.id', '')).to.equal('Nama sukamaju.desa.id sudah dipakai. Pilih nama lain.');
  });
});
