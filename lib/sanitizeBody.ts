import sanitizeHtml from 'sanitize-html';

/**
 * The allowlist for the body of an outgoing letter (the paragraphs between the "Yth." block
 * and the signature): paragraphs, line breaks, bold/italic/underline, ordered and unordered
 * lists, simple tables with colspan/rowspan, and text alignment. Everything else goes:
 * scripts, styles, frames, objects, images, links (their text stays), event attributes,
 * classes and any style but `text-align`. Drafts store the sanitized HTML and the letter
 * renderer sanitizes again before printing, so a body can never carry markup that loads or
 * runs anything.
 */

const ALIGN = [/^(left|right|center|justify)$/];
const SPAN = /^[1-9]\d?$/; // 1..99

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'b', 'em', 'i', 'u', 'ol', 'ul', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: {
    p: ['style'], li: ['style'], th: ['colspan', 'rowspan', 'style'], td: ['colspan', 'rowspan', 'style'],
    ol: [{ name: 'type', multiple: false, values: ['1', 'a', 'A', 'i', 'I'] }],
  },
  allowedStyles: { '*': { 'text-align': ALIGN } },
  allowedSchemes: [],
  allowedSchemesAppliedToAttributes: [],
  allowProtocolRelative: false,
  // Tags whose content is code or chrome, not letter text: dropped with everything inside.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'template', 'title', 'head', 'xmp', 'noembed', 'noframes', 'svg', 'math', 'select', 'button'],
  disallowedTagsMode: 'discard',
  // Word processors and rich editors paste headings and divs: keep their text as paragraphs.
  transformTags: {
    div: 'p', h1: 'p', h2: 'p', h3: 'p', h4: 'p', h5: 'p', h6: 'p', blockquote: 'p',
    td: keepSpans('td'), th: keepSpans('th'),
  },
};

/** colspan/rowspan only as small positive integers. */
function keepSpans(tag: string): sanitizeHtml.Transformer {
  return (_name, attribs) => {
    const out: Record<string, string> = {};
    for (const k of ['colspan', 'rowspan']) if (attribs[k] !== undefined && SPAN.test(attribs[k].trim())) out[k] = attribs[k].trim();
    if (attribs.style !== undefined) out.style = attribs.style;
    return { tagName: tag, attribs: out };
  };
}

/** The body with only the allowed markup. Idempotent: sanitizing twice gives the same HTML. */
export function sanitizeBody(html: string): string {
  if (typeof html !== 'string' || !html) return '';
  return sanitizeHtml(html, OPTIONS).trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * Plain text of a body, for version diffs and search: one paragraph per line with a blank line
 * between paragraphs, list items as "1." / "-", table rows as cells separated by " | ".
 */
export function bodyToText(html: string): string {
  const clean = sanitizeBody(html);
  const out: string[] = [];
  const lists: { type: string | null; n: number }[] = [];
  let prefix = '';
  let line = '';
  let cells: string[] | null = null;
  const flush = (): void => {
    const t = line.replace(/\s+/g, ' ').trim();
    if (t) out.push(prefix + t);
    line = ''; prefix = '';
  };
  const paragraphBreak = (): void => { flush(); if (out.length && out[out.length - 1] !== '') out.push(''); };
  for (const tok of clean.split(/(<[^>]+>)/)) {
    if (!tok) continue;
    if (tok[0] !== '<') { line += decodeEntities(tok); continue; }
    const m = /^<(\/?)([a-z0-9]+)/i.exec(tok);
    if (!m) continue;
    const closing = m[1] === '/';
    const tag = m[2].toLowerCase();
    switch (tag) {
      case 'p': if (closing) paragraphBreak(); else flush(); break;
      case 'br': flush(); break;
      case 'ol': case 'ul':
        flush();
        if (closing) { lists.pop(); if (!lists.length) paragraphBreak(); } else lists.push({ type: tag === 'ol' ? (/type="([^"]+)"/.exec(tok)?.[1] ?? '1') : null, n: 0 });
        break;
      case 'li':
        flush();
        if (!closing) {
          const l = lists[lists.length - 1];
          prefix = `${'  '.repeat(Math.max(0, lists.length - 1))}${l?.type ? `${listMarker(l.type, ++l.n)}.` : '-'} `;
        }
        break;
      case 'tr': flush(); if (closing) { if (cells) out.push(cells.join(' | ')); cells = null; } else cells = []; break;
      case 'td': case 'th': if (closing && cells) { cells.push(line.replace(/\s+/g, ' ').trim()); line = ''; } break;
      case 'table': if (closing) paragraphBreak(); else flush(); break;
      default: break;
    }
  }
  flush();
  while (out.length && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

function listMarker(type: string, n: number): string {
  if (type === 'a' || type === 'A') {
    let s = '';
    for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(97 + ((k - 1) % 26)) + s;
    return type === 'A' ? s.toUpperCase() : s;
  }
  if (type === 'i' || type === 'I') {
    const r = roman(n);
    return type === 'i' ? r.toLowerCase() : r;
  }
  return String(n);
}

function roman(n: number): string {
  const t: [number, string][] = [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
  let s = '';
  for (const [v, r] of t) while (n >= v) { s += r; n -= v; }
  return s;
}
