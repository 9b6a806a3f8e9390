import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

/**
 * The Express view engine for the pages in views/: EJS templates, compiled by ejs itself, but
 * called the way a page is rendered thousands of times a minute.
 *
 * - No `with (locals)`: each template reads the names it uses from the locals once, at its top
 *   (`var title = locals.title, ...`; the names are found in the template's code, see
 *   `freeNames`). Inside `with`, every `__append` and escape call is a dynamic lookup through
 *   the locals object.
 * - `include()` resolves its path once per template and hands the included template the
 *   including one's locals as a prototype (plus its own data), instead of copying every local
 *   and asking the file system whether the file exists on every call.
 * - Escaping returns the value unchanged when it holds no character to escape (most do).
 * - In production (`view cache`), each template is read and compiled once, without the line
 *   bookkeeping ejs adds for error messages; elsewhere it is compiled on every render with it,
 *   so an edited template shows at once and an error names its line.
 *
 * The output is the same as ejs's with its defaults: the same escaping, the same whitespace.
 */

type Locals = Record<string, unknown>;
type TemplateFn = (locals: Locals) => string;
interface Compiled { fn: TemplateFn; file: string; includes: Map<string, string> }

const cache = new Map<string, Compiled>();

const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_ALL = /[&<>"']/g;
/** HTML-escape like ejs.escapeXML (same entities), without a replace when nothing needs it. */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? value : String(value);
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, (c) => ESCAPED[c]) : s;
}

const RESERVED = new Set(('break case catch class const continue debugger default delete do else export extends false finally for '
  + 'function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static '
  + 'await async of get set arguments eval undefined NaN Infinity').split(' '));
/** The standard globals a template may use (an explicit list: whatever else a process puts on globalThis stays a local). */
const GLOBALS = new Set(('Math JSON Number String Boolean Date Object Array RegExp Map Set WeakMap Symbol BigInt Intl Error Promise '
  + 'encodeURIComponent decodeURIComponent encodeURI decodeURI parseInt parseFloat isNaN isFinite console globalThis '
  + 'toString valueOf hasOwnProperty constructor').split(' '));
/** Names the generated function declares itself. */
const OWN = new Set(['locals', 'include', 'escapeFn', 'rethrow', '__output', '__append', '__line', '__lines', '__filename', '__locals']);

/**
 * The names a template's code reads that may come from its locals: every identifier in its
 * scriptlets that is not a property (after `.`), a string's content, a keyword, a standard
 * global (Math, JSON, encodeURIComponent...), or a name the template declares at its top level
 * (a `var x` of the template's own would collide with the `var x = locals.x` before it).
 * A name found here that the locals lack is simply undefined, as `typeof x` expects.
 */
export function freeNames(text: string): string[] {
  const code: string[] = [];
  for (const m of text.matchAll(/<%([_=\-#%]?)([\s\S]*?)[-_]?%>/g)) {
    if (m[1] === '#' || m[1] === '%') continue;
    code.push(m[2]);
  }
  // String literals' contents are not code ('../partials/header'); template literals keep their
  // text, and a word of it read as a name is harmless.
  const src = code.join(';\n').replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
  const declared = new Set<string>();
  for (const m of src.matchAll(/\b(?:const|let|var|function|class)\s+([A-Za-z_$][\w$]*)/g)) declared.add(m[1]);
  for (const m of src.matchAll(/\b(?:const|let|var)\s*[{[]([^}\]]*)[}\]]/g)) {
    for (const part of m[1].split(',')) {
      const name = /([A-Za-z_$][\w$]*)\s*(?:=.*)?$/.exec(part.trim().replace(/^.*:\s*/, ''));
      if (name) declared.add(name[1]);
    }
  }
  const names = new Set<string>();
  // A property follows one dot (or `?.`); three dots are a spread, and the name after them is read.
  for (const m of src.matchAll(/((?<!\.)\.\s*|\?\.\s*)?([A-Za-z_$][\w$]*)/g)) {
    const name = m[2];
    if (m[1] || RESERVED.has(name) || OWN.has(name) || declared.has(name) || GLOBALS.has(name)) continue;
    names.add(name);
  }
  return [...names];
}

function compile(file: string, debug: boolean): Compiled {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const fn = ejs.compile(text, {
    filename: file,
    _with: false,
    localsName: 'locals',
    // `include` first: the generated function's own include is replaced by ours (see render).
    destructuredLocals: ['include', ...freeNames(text)],
    escape: escapeHtml,
    compileDebug: debug,
    unsafePrototypeLocals: true,
  } as ejs.Options & { unsafePrototypeLocals: boolean }) as unknown as TemplateFn;
  return { fn, file, includes: new Map() };
}

function load(file: string, cached: boolean): Compiled {
  if (!cached) return compile(file, true);
  let c = cache.get(file);
  if (!c) { c = compile(file, false); cache.set(file, c); }
  return c;
}

function render(c: Compiled, locals: Locals, cached: boolean): string {
  const scope = Object.create(locals) as Locals;
  scope.include = (name: string, data?: Locals): string => {
    let target = c.includes.get(name);
    if (!target) {
      target = path.resolve(path.dirname(c.file), name) + (path.extname(name) ? '' : '.ejs');
      c.includes.set(name, target);
    }
    const inner = data ? Object.assign(Object.create(scope) as Locals, data) : scope;
    return render(load(target, cached), inner, cached);
  };
  return c.fn(scope);
}

/**
 * Compile every template under `dir` into the cache (production start-up): the first request
 * of each page is not the slow one, and a template that does not compile stops the start with
 * its name rather than failing a user's page later. Returns how many were compiled.
 */
export function precompileViews(dir: string): number {
  let n = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ejs')) continue;
    load(path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name), true);
    n++;
  }
  return n;
}

/** `app.engine('ejs', renderView)`. */
export function renderView(file: string, options: object, done: (err: Error | null, html?: string) => void): void {
  let html: string;
  try {
    const cached = (options as { cache?: boolean }).cache === true;
    html = render(load(file, cached), options as Locals, cached);
  } catch (err) {
    return done(err as Error);
  }
  done(null, html);
}
