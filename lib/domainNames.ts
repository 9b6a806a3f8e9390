/**
 * Checks the name asked for in a domain request (../shared/DOMAIN.md, "Domain names"): a new
 * .go.id or .desa.id name (decided by the registrar) or a subdomain of the region's own domain
 * (decided by the Dinas). Pure and dependency-free, so the server and the tests share it; whether
 * a name is still free is checked by the caller against its registry (takenMessage formats it).
 *
 * Decisions beyond the registrar's published rule (3-63 letters, digits, hyphen):
 * - a subdomain label has at least 2 characters (SUBDOMAIN_MIN_LABEL) and at most 63 (the DNS
 *   limit, whatever maxLabel says); exactly one label under the parent: nested names such as
 *   a.b.sindangrajakab.go.id are refused, they are created by whoever runs the subdomain;
 * - a .go.id / .desa.id request is exactly one label before the suffix;
 * - any dotted name that does not end with the expected suffix (or parent) is a wrong-suffix
 *   error, not a nested label;
 * - 'www.' in front of a name is an error ("write only the name"), except when what follows it
 *   is the suffix itself ('www.sindangrajakab.go.id' as a subdomain asks for the label 'www',
 *   which is then refused as reserved);
 * - one trailing dot (the DNS root) is dropped silently, leading/trailing spaces are trimmed.
 */

export type NameKind = 'go.id' | 'desa.id' | 'subdomain';

export interface NameRules {
  /** Reserved labels refused for subdomains and as the first label: default ['www','mail','ns','ns1','ns2','ns3','smtp','imap','pop','ftp','admin','localhost','webmail','mx','dns','vpn','api-internal']. */
  reserved: string[];
  /** For kind 'go.id' names of a REGIONAL government: allowed regional patterns; the name before .go.id must END with one of these suffixes, e.g. ['kab','kota','prov']. Empty array = no pattern check. */
  regionSuffixes: string[];
  /** Parent domain of local subdomains, e.g. 'sindangrajakab.go.id'. */
  parentDomain: string;
  /** Registrar's length rule for a .go.id / .desa.id name label: min 3, max 63. */
  minLabel: number; maxLabel: number;
  /** Max total length of a fully qualified name (253). */
  maxTotal: number;
}

export const DEFAULT_NAME_RULES: NameRules = Object.freeze({
  reserved: Object.freeze(['www', 'mail', 'ns', 'ns1', 'ns2', 'ns3', 'smtp', 'imap', 'pop', 'ftp', 'admin', 'localhost', 'webmail', 'mx', 'dns', 'vpn', 'api-internal']) as string[],
  regionSuffixes: Object.freeze(['kab', 'kota', 'prov']) as string[],
  parentDomain: 'sindangrajakab.go.id',
  minLabel: 3,
  maxLabel: 63,
  maxTotal: 253,
}) as NameRules;

/** Shortest subdomain label accepted (a one-letter subdomain says nothing about the service). */
export const SUBDOMAIN_MIN_LABEL = 2;
/** The DNS limit of one label, applied to subdomains. */
export const DNS_MAX_LABEL = 63;
/** Least characters of the region's own name before a regional suffix ('sindangraja' + 'kab'). */
export const REGION_NAME_MIN = 3;

export interface NameCheck {
  ok: boolean;
  /**
   * The normalized fully qualified name, e.g. 'pariwisata.sindangrajakab.go.id'. Null when it
   * cannot be formed: empty input, a URL part around the name (scheme, path, port, user, 'www.'),
   * whitespace, characters outside a-z 0-9 - and dots, or an empty part between dots.
   */
  fqdn: string | null;
  /** The label the applicant chose (the part before the suffix / parent); null when fqdn is null or the suffix is wrong. */
  label: string | null;
  /** Every problem found, each a complete Indonesian sentence telling what to fix, in a stable order. */
  errors: string[];
  /** Non-blocking remarks (e.g. "Huruf besar diubah menjadi huruf kecil."). */
  warnings: string[];
}

/** Fixed messages (the ones that name no part of the input), for callers and tests. */
export const NAME_MESSAGES = Object.freeze({
  empty: 'Nama belum diisi; tulis nama yang diminta, misalnya pariwisata.',
  uppercase: 'Huruf besar diubah menjadi huruf kecil.',
  whitespace: 'Nama tidak boleh mengandung spasi; ganti spasi dengan tanda hubung (-), misalnya dinas-sosial.',
  www: 'Hapus awalan "www.": tulis nama domainnya saja.',
  emptyPart: 'Nama tidak boleh diawali titik, diakhiri lebih dari satu titik, atau mengandung dua titik berurutan; hapus titik yang berlebih.',
  leadingHyphen: 'Nama tidak boleh diawali tanda hubung (-); mulailah dengan huruf atau angka.',
  trailingHyphen: 'Nama tidak boleh diakhiri tanda hubung (-); akhirilah dengan huruf atau angka.',
  doubleHyphen: 'Nama tidak boleh memakai dua tanda hubung pada karakter ke-3 dan ke-4 (seperti ab--cd), karena pola itu khusus untuk nama domain internasional (IDN).',
  punycode: 'Nama berawalan "xn--" adalah bentuk punycode dari nama domain internasional (IDN); hanya huruf ASCII a-z, angka 0-9 dan tanda hubung (-) yang boleh dipakai, karena .go.id dan .desa.id tidak menerima nama domain internasional.',
  digitsOnly: 'Nama tidak boleh hanya berisi angka; tambahkan huruf yang menggambarkan instansi atau layanannya.',
  goIdSingleLabel: 'Nama .go.id hanya boleh terdiri atas satu bagian sebelum .go.id (tanpa titik); untuk nama seperti pariwisata.sindangrajakab.go.id ajukan subdomain.',
  desaIdSingleLabel: 'Nama .desa.id hanya boleh terdiri atas satu bagian sebelum .desa.id (tanpa titik), yaitu nama desanya.',
});

const SUFFIX: Record<Exclude<NameKind, 'subdomain'>, string> = { 'go.id': 'go.id', 'desa.id': 'desa.id' };

/** Merges settings over the defaults; lists and the parent are normalized (lowercase, trimmed). */
export function nameRulesFrom(settings: Partial<NameRules>): NameRules {
  const s = settings ?? {};
  const list = (v: unknown, d: string[]) => (Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string').map((x) => x.trim().toLowerCase()).filter(Boolean)
    : [...d]);
  const count = (v: unknown, d: number) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : d);
  const parent = typeof s.parentDomain === 'string' && normDomain(s.parentDomain) ? normDomain(s.parentDomain) : DEFAULT_NAME_RULES.parentDomain;
  return {
    reserved: list(s.reserved, DEFAULT_NAME_RULES.reserved),
    regionSuffixes: list(s.regionSuffixes, DEFAULT_NAME_RULES.regionSuffixes),
    parentDomain: parent,
    minLabel: count(s.minLabel, DEFAULT_NAME_RULES.minLabel),
    maxLabel: count(s.maxLabel, DEFAULT_NAME_RULES.maxLabel),
    maxTotal: count(s.maxTotal, DEFAULT_NAME_RULES.maxTotal),
  };
}

/** The message for a name already in the caller's registry. */
export function takenMessage(fqdn: string, status: string): string {
  const st = String(status ?? '').trim();
  return st ? `Nama ${fqdn} sudah dipakai (status: ${st}). Pilih nama lain.` : `Nama ${fqdn} sudah dipakai. Pilih nama lain.`;
}

function normDomain(d: string): string {
  return d.trim().toLowerCase().replace(/^\.+/, '').replace(/\.+$/, '');
}

/** A piece of the input quoted in a message, shortened when long. */
function quote(s: string): string {
  const chars = [...s];
  return `"${chars.length > 40 ? chars.slice(0, 39).join('') + '…' : s}"`;
}

/** A character shown in a message: visible ones as themselves with their code point, invisible ones by code point only. */
function showChar(ch: string): string {
  const cp = 'U+' + ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{C}\p{Z}\p{M}]$/u.test(ch) ? cp : `"${ch}" (${cp})`;
}

function listChars(chars: string[]): string {
  return chars.length === 1 ? chars[0] : chars.slice(0, -1).join(', ') + ' dan ' + chars[chars.length - 1];
}

function regionPattern(suffixes: string[]): string {
  const p = suffixes.map((x) => `{nama}${x}.go.id`);
  return p.length === 1 ? p[0] : p.slice(0, -1).join(', ') + ' atau ' + p[p.length - 1];
}

function regionOk(label: string, suffixes: string[]): boolean {
  return suffixes.some((x) => label.endsWith(x) && label.length - x.length >= REGION_NAME_MIN);
}

/**
 * Checks one requested name. `input` may be the bare label ('pariwisata') or the full name
 * ('pariwisata.sindangrajakab.go.id', 'sukamajukab.go.id', 'sukamaju.desa.id'); the suffix of
 * the kind (the parent for 'subdomain') is appended when missing.
 */
export function checkDomainName(input: string, kind: NameKind, rules: NameRules = DEFAULT_NAME_RULES): NameCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const add = (m: string) => { if (!errors.includes(m)) errors.push(m); };
  const fail = (): NameCheck => ({ ok: false, fqdn: null, label: null, errors, warnings });

  const parent = normDomain(rules.parentDomain);
  const suffix = kind === 'subdomain' ? parent : SUFFIX[kind];
  const reserved = rules.reserved.map((r) => r.trim().toLowerCase());
  const regionSuffixes = rules.regionSuffixes.map((r) => r.trim().toLowerCase()).filter(Boolean);

  const trimmed = (typeof input === 'string' ? input : '').trim();
  if (!trimmed) { add(NAME_MESSAGES.empty); return fail(); }
  // Lowercasing can turn a non-ASCII character into an ASCII one (U+212A KELVIN SIGN -> "k"):
  // keep the characters as typed until the ASCII check below has seen them.
  const folded = trimmed.toLowerCase();
  if (folded !== trimmed && !/[^\x00-\x7f]/.test(trimmed)) warnings.push(NAME_MESSAGES.uppercase);
  let s = /[^\x00-\x7f]/.test(trimmed) ? trimmed.replace(/[A-Z]/g, (c) => c.toLowerCase()) : folded;

  // Parts of a URL or address around the name: refused, never silently dropped. The rest is
  // still checked so that every problem is reported at once.
  let decorated = false;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//.exec(s);
  if (scheme) {
    decorated = true;
    add(`Hapus ${quote(scheme[0])} di depan nama: tulis nama domainnya saja, bukan alamat situs web.`);
    s = s.slice(scheme[0].length);
  }
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    decorated = true;
    add(`Hapus ${quote(s.slice(0, at + 1))} di depan nama: tulis nama domainnya saja, bukan alamat surel atau nama pengguna.`);
    s = s.slice(at + 1);
  }
  const pathAt = s.search(/[/?#\\]/);
  if (pathAt >= 0) {
    decorated = true;
    add(`Hapus ${quote(s.slice(pathAt))} di belakang nama: tulis nama domainnya saja, bukan alamat halaman.`);
    s = s.slice(0, pathAt);
  }
  const port = /:\d*$/.exec(s);
  if (port) {
    decorated = true;
    add(`Hapus nomor port ${quote(port[0])}: tulis nama domainnya saja.`);
    s = s.slice(0, port.index);
  }
  if (s.startsWith('www.') && normDomain(s.slice(4)) !== suffix) {
    decorated = true;
    add(NAME_MESSAGES.www);
    s = s.slice(4);
  }
  s = s.trim();
  if (s.endsWith('.') && !s.endsWith('..')) s = s.slice(0, -1);
  if (!s) { add(NAME_MESSAGES.empty); return fail(); }

  // Characters.
  let malformed = decorated;
  if (/\s/.test(s)) { malformed = true; add(NAME_MESSAGES.whitespace); }
  const nonAscii: string[] = [];
  const badAscii: string[] = [];
  for (const ch of s) {
    if (/\s/.test(ch)) continue;
    const cp = ch.codePointAt(0)!;
    if (cp > 0x7e) { if (!nonAscii.includes(ch)) nonAscii.push(ch); } else if (!/[a-z0-9.-]/.test(ch) && !badAscii.includes(ch)) badAscii.push(ch);
  }
  if (nonAscii.length) {
    malformed = true;
    add(`Nama hanya boleh memakai huruf ASCII a-z tanpa tanda aksen, angka 0-9 dan tanda hubung (-) biasa, karena .go.id dan .desa.id tidak menerima nama domain internasional (IDN); hapus atau ganti ${listChars(nonAscii.map(showChar))}.`);
  }
  if (badAscii.length) {
    malformed = true;
    const shown = badAscii.map((c) => (c.codePointAt(0)! < 0x20 ? showChar(c) : `"${c}"`));
    const hint = badAscii.includes('_') ? ' (ganti garis bawah dengan tanda hubung, misalnya dinas-sosial)' : '';
    add(`Nama hanya boleh berisi huruf a-z, angka 0-9 dan tanda hubung (-); hapus atau ganti ${listChars(shown)}${hint}.`);
  }

  if (/^\.|\.\.|\.$/.test(s)) {
    malformed = true;
    add(NAME_MESSAGES.emptyPart);
    s = s.split('.').filter(Boolean).join('.');
    if (!s) return fail();
  }

  // Suffix (or parent) and the chosen label.
  let labelPart: string | null;
  let fqdn: string;
  if (s === suffix) {
    labelPart = null;
    fqdn = s;
    add(kind === 'subdomain'
      ? `Tulis nama subdomain sebelum .${parent}, misalnya pariwisata.`
      : `Tulis nama yang diminta sebelum .${suffix}, misalnya ${kind === 'go.id' ? 'sindangrajakab' : 'sukamaju'}.`);
  } else if (s.endsWith('.' + suffix)) {
    labelPart = s.slice(0, -(suffix.length + 1));
    fqdn = s;
  } else if (s.includes('.')) {
    labelPart = null;
    fqdn = s;
    add(wrongSuffix(s, kind, parent));
  } else {
    labelPart = s;
    fqdn = `${s}.${suffix}`;
  }

  if (labelPart !== null) {
    const real = labelPart.split('.');
    if (real.length > 1) {
      add(kind === 'subdomain'
        ? `Subdomain hanya boleh satu bagian langsung di bawah ${parent} (tanpa titik), misalnya pariwisata.${parent}; subdomain bertingkat tidak dilayani.`
        : kind === 'go.id' ? NAME_MESSAGES.goIdSingleLabel : NAME_MESSAGES.desaIdSingleLabel);
    }
    const [min, max] = kind === 'subdomain' ? [SUBDOMAIN_MIN_LABEL, DNS_MAX_LABEL] : [rules.minLabel, rules.maxLabel];
    real.forEach((l, i) => {
      const len = [...l].length;
      if (l.startsWith('xn--')) add(NAME_MESSAGES.punycode);
      if (l.startsWith('-')) add(NAME_MESSAGES.leadingHyphen);
      if (l.endsWith('-')) add(NAME_MESSAGES.trailingHyphen);
      if (l.length >= 4 && l.slice(2, 4) === '--' && !l.startsWith('xn--')) add(NAME_MESSAGES.doubleHyphen);
      if (len < min) add(`Nama terlalu pendek (${len} karakter); paling sedikit ${min} karakter.`);
      if (len > max) add(`Nama terlalu panjang (${len} karakter); paling banyak ${max} karakter.`);
      if (/^[0-9]+$/.test(l)) add(NAME_MESSAGES.digitsOnly);
      if (i === 0 && reserved.includes(l)) add(`Nama ${quote(l)} dicadangkan untuk keperluan teknis (server, surel, DNS); pilih nama lain.`);
    });
    if (kind === 'go.id' && regionSuffixes.length && real.length === 1 && !regionOk(real[0], regionSuffixes)) {
      const example = parent.endsWith('.go.id') && regionOk(parent.slice(0, -6), regionSuffixes) && !parent.slice(0, -6).includes('.')
        ? parent : `contoh${regionSuffixes[0]}.go.id`;
      add(`Nama domain pemerintah daerah harus mengikuti pola ${regionPattern(regionSuffixes)}, dengan {nama} paling sedikit ${REGION_NAME_MIN} karakter, misalnya ${example}.`);
    }
  }

  const total = [...fqdn].length;
  if (!malformed && total > rules.maxTotal) add(`Nama lengkap terlalu panjang (${total} karakter); paling banyak ${rules.maxTotal} karakter.`);

  if (malformed) return fail();
  return { ok: errors.length === 0, fqdn, label: labelPart, errors, warnings };
}

function wrongSuffix(s: string, kind: NameKind, parent: string): string {
  const n = quote(s);
  if (kind === 'subdomain') {
    return `Nama ${n} tidak berada di bawah ${parent}; subdomain harus berakhiran .${parent}, atau tulis namanya saja, misalnya pariwisata.`;
  }
  if (kind === 'go.id') {
    if (s.endsWith('.desa.id')) return `Nama ${n} adalah nama .desa.id; untuk domain instansi tulis nama yang berakhiran .go.id, atau ajukan permohonan jenis .desa.id.`;
    return `Nama ${n} tidak berakhiran .go.id; tulis nama yang berakhiran .go.id, atau namanya saja, misalnya sindangrajakab.`;
  }
  if (s.endsWith('.go.id')) return `Nama ${n} berakhiran .go.id, padahal nama desa harus berakhiran .desa.id; tulis namanya saja, misalnya sukamaju.`;
  return `Nama ${n} tidak berakhiran .desa.id; nama desa harus berakhiran .desa.id, atau tulis namanya saja, misalnya sukamaju.`;
}
