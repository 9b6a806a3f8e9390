import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import ejs from 'ejs';
import { AppError } from '../../platform/errors';

/**
 * Runs letter templates (EJS written by admins in the browser) where they can do no harm.
 *
 * EJS compiles a template to JavaScript, so a template is code. It runs here in a fresh V8
 * context (node:vm) that holds nothing but the template's own data, parsed from JSON inside
 * the context, and a few formatting helpers defined there: no process, no require, no host
 * object whose constructor chain leads back out, no eval/new Function (code generation from
 * strings is off), no include. Those contexts live in one worker thread with a memory limit,
 * so a runaway template (an endless loop, a huge string, a rejected promise nobody handles)
 * costs at most the worker, which is restarted; the server's own thread is never at risk.
 * Each render has a time limit inside the context and a watchdog outside it.
 *
 * Output tags escape by default (<%= %>); <%- %> prints raw markup, which the callers pass
 * through the body sanitizer anyway.
 */

export interface TemplateProblem {
  /** 1-based line of the template source. */
  line: number;
  message: string;
}

/** The template itself is at fault (syntax, run-time error, time or memory limit): shown to the admin with its line. */
export class TemplateError extends AppError {
  constructor(public readonly problem: TemplateProblem) {
    super('template_error', `Templat bermasalah pada baris ${problem.line}: ${problem.message}`, 422);
  }
}

const MAX_OUTPUT = 200_000;
const DEFAULT_TIMEOUT_MS = 1_000;

// ---------------------------------------------------------------- compiling (host side, nothing runs)

interface Compiled { source: string; lineMarks: number[] }

/** EJS -> the body of the template function. Parsing only; a malformed tag is a problem with its line. */
function ejsSource(text: string): Compiled | TemplateProblem {
  const tpl = new ejs.Template(text, { compileDebug: true, _with: true, localsName: 'locals', strict: false, client: false });
  try {
    (tpl as unknown as { generateSource(): void }).generateSource();
  } catch (err) {
    return { line: unclosedTagLine(text), message: translate(String((err as Error).message)) };
  }
  const source = tpl.source;
  // lineMarks[i] = template line in force at generated line i (EJS emits "; __line = N" as it goes).
  const lineMarks: number[] = [];
  let current = 1;
  for (const l of source.split('\n')) {
    const m = /^\s*; __line = (\d+)$/.exec(l);
    if (m) current = Number(m[1]);
    lineMarks.push(current);
  }
  return { source, lineMarks };
}

/** The line of the first "<%" that has no "%>" after it (EJS does not say). */
function unclosedTagLine(text: string): number {
  const re = /<%|%>/g;
  let open: number | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '<%') {
      if (text[m.index + 2] === '%') { re.lastIndex = m.index + 3; continue; } // "<%%" is a literal
      if (open !== null) break; // a second opening before any "%>": the first is the unclosed one
      open = m.index;
    } else open = null;
  }
  const at = open ?? text.length;
  return text.slice(0, at).split('\n').length;
}

const isProblem = (x: Compiled | TemplateProblem): x is TemplateProblem => 'line' in x;

const FN_HEAD = '(function (locals, escapeFn) {\nvar __output = "";\nfunction __append(s) { if (s !== undefined && s !== null) __output += s; }\nwith (locals) {\n';
const FN_HEAD_LINES = 4;
const FN_TAIL = '\n}\nreturn __output;\n})';

/** Common V8 messages in Indonesian; the original follows for anything else. */
function translate(msg: string): string {
  const first = msg.split('\n')[0].replace(/ while compiling ejs.*$/, '').trim();
  if (/Could not find matching close tag for "<%/.test(first)) return 'tag "<%" tidak ditutup dengan "%>".';
  if (/^Unexpected end of input/.test(first)) return 'templat berakhir sebelum blok selesai; kemungkinan ada "{" atau "(" yang belum ditutup (Unexpected end of input).';
  if (/^Unexpected token/.test(first) || /^Invalid or unexpected token/.test(first) || /^missing \) after/.test(first)) return `kode JavaScript tidak sah (${first}).`;
  return first;
}

/**
 * Syntax check of a template: null when it compiles, else the line (of the template source)
 * and a message. Nothing of the template runs.
 */
export function checkSyntax(text: string): TemplateProblem | null {
  const c = ejsSource(text);
  if (isProblem(c)) return c;
  try {
    // Compiling is not running: the function expression is never called here.
    new vm.Script(FN_HEAD + c.source + FN_TAIL, { filename: 'templat' });
    return null;
  } catch (err) {
    const stack = String((err as Error).stack ?? '');
    const m = /^templat:(\d+)/.exec(stack);
    const generated = m ? Number(m[1]) - FN_HEAD_LINES - 1 : c.lineMarks.length;
    if (generated >= c.lineMarks.length) {
      // The error surfaced after the template's last line: its blocks do not balance.
      return { line: text.split('\n').length, message: `blok { } atau ( ) tidak seimbang: ada yang belum ditutup atau ditutup berlebih (${String((err as Error).message).split('\n')[0]}).` };
    }
    const line = c.lineMarks[Math.max(generated, 0)] ?? 1;
    return { line, message: translate(String((err as Error).message)) };
  }
}

// ---------------------------------------------------------------- the code that runs in the context

/** Helpers a template may call, defined inside the context (never host functions). */
const HELPERS = String.raw`
var BULAN = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];
function tanggal(d) {
  if (d === null || d === undefined || d === '') return '';
  var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(d));
  if (!m || +m[2] < 1 || +m[2] > 12) return String(d);
  return (+m[3]) + ' ' + BULAN[+m[2] - 1] + ' ' + m[1];
}
var SATUAN = ['', 'satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan', 'sepuluh', 'sebelas'];
function __kata(n) {
  if (n < 12) return SATUAN[n];
  if (n < 20) return __kata(n - 10) + ' belas';
  if (n < 100) return __kata(Math.floor(n / 10)) + ' puluh' + (n % 10 ? ' ' + __kata(n % 10) : '');
  if (n < 200) return 'seratus' + (n - 100 ? ' ' + __kata(n - 100) : '');
  if (n < 1000) return __kata(Math.floor(n / 100)) + ' ratus' + (n % 100 ? ' ' + __kata(n % 100) : '');
  if (n < 2000) return 'seribu' + (n - 1000 ? ' ' + __kata(n - 1000) : '');
  var units = [[1e12, ' triliun'], [1e9, ' miliar'], [1e6, ' juta'], [1e3, ' ribu']];
  for (var i = 0; i < units.length; i++) {
    if (n >= units[i][0]) { var q = Math.floor(n / units[i][0]), r = n % units[i][0]; return __kata(q) + units[i][1] + (r ? ' ' + __kata(r) : ''); }
  }
  return String(n);
}
function terbilang(n) {
  var x = Math.floor(Math.abs(Number(n)));
  if (!isFinite(x)) return '';
  if (x === 0) return 'nol';
  if (x >= 1e15) return String(n);
  return (Number(n) < 0 ? 'minus ' : '') + __kata(x);
}
function angka(n) {
  var x = Math.round(Number(n));
  if (!isFinite(x)) return '';
  return (x < 0 ? '-' : '') + String(Math.abs(x)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
function rupiah(n) { return 'Rp' + angka(n) + ',00'; }
function daftar(s) {
  if (Array.isArray(s)) return s.map(function (x) { return String(x).trim(); }).filter(Boolean);
  return String(s === null || s === undefined ? '' : s).split(/\r?\n/).map(function (l) { return l.replace(/^\s*(?:[-*\u2022]|\d{1,2}[.)]|[a-z][.)])\s+/i, '').trim(); }).filter(Boolean);
}
function paragraf(s) {
  return String(s === null || s === undefined ? '' : s).split(/\r?\n[ \t]*\r?\n/).map(function (p) { return p.replace(/\s*\r?\n\s*/g, ' ').trim(); }).filter(Boolean);
}
function blok(s) {
  var LIST = /^\s*(?:[-*\u2022]|\d{1,2}[.)]|[a-z][.)])\s+/i;
  return String(s === null || s === undefined ? '' : s).split(/\r?\n[ \t]*\r?\n/).map(function (b) {
    var lines = b.split(/\r?\n/).map(function (l) { return l.trim(); }).filter(Boolean);
    if (!lines.length) return null;
    if (lines.every(function (l) { return LIST.test(l); })) return { list: true, items: daftar(lines.join('\n')), text: '' };
    return { list: false, items: [], text: lines.join(' ') };
  }).filter(Boolean);
}
function kapital(s) { return String(s === null || s === undefined ? '' : s).toLocaleUpperCase('id-ID'); }
`;
const HELPER_NAMES = ['tanggal', 'terbilang', 'angka', 'rupiah', 'daftar', 'paragraf', 'blok', 'kapital'];

function runnerCode(c: Compiled): string {
  return `(function () {
var __d = JSON.parse(__input);
${HELPERS}
var __ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
var escapeFn = function (s) { return s === undefined || s === null ? '' : String(s).replace(/[&<>'"]/g, function (ch) { return __ESC[ch]; }); };
var locals = Object.create(null);
${HELPER_NAMES.map((n) => `locals.${n} = ${n};`).join('\n')}
Object.keys(__d).forEach(function (k) { locals[k] = __d[k]; });
var __line = 1;
try {
  var __html = ${FN_HEAD}${c.source}${FN_TAIL}(locals, escapeFn);
  return JSON.stringify({ ok: true, html: typeof __html === 'string' ? __html : '' });
} catch (e) {
  var msg;
  try { msg = e !== null && typeof e === 'object' ? String(e.name || 'Error') + ': ' + String(e.message) : String(e); } catch (_) { msg = 'galat tidak dikenal'; }
  return JSON.stringify({ ok: false, line: typeof __line === 'number' ? __line : 1, message: msg });
}
})()`;
}

// ---------------------------------------------------------------- the worker

const WORKER_CODE = String.raw`
const { parentPort } = require('node:worker_threads');
const vm = require('node:vm');
// A template may leave a rejected promise behind; it must not end the worker.
process.on('unhandledRejection', () => {});
const scripts = new Map();
parentPort.on('message', (job) => {
  let reply;
  try {
    let script = scripts.get(job.code);
    if (!script) {
      script = new vm.Script(job.code, { filename: 'templat' });
      if (scripts.size >= 64) scripts.delete(scripts.keys().next().value);
      scripts.set(job.code, script);
    }
    const sandbox = Object.create(null);
    sandbox.__input = job.input;
    for (const k of ['Atomics', 'SharedArrayBuffer', 'WebAssembly', 'FinalizationRegistry', 'WeakRef']) sandbox[k] = undefined;
    const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate' });
    const out = script.runInContext(context, { timeout: job.timeoutMs, breakOnSigint: false });
    reply = { id: job.id, out: typeof out === 'string' ? out : null };
  } catch (e) {
    let message = 'galat tidak dikenal';
    try { message = String(e && e.message); } catch (_) { /* keep the generic message */ }
    reply = { id: job.id, fault: e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' ? 'timeout' : 'error', message };
  }
  parentPort.postMessage(reply);
});
`;

interface Reply { id: number; out?: string | null; fault?: 'timeout' | 'error'; message?: string }

class SandboxWorker {
  private worker: Worker | null = null;
  private seq = 0;
  private current: { id: number; resolve(r: Reply): void; reject(e: unknown): void; timer: NodeJS.Timeout } | null = null;
  /** One job at a time, so the watchdog measures that job alone. */
  private chain: Promise<unknown> = Promise.resolve();
  restarts = 0;

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_CODE, {
      eval: true, execArgv: [], env: {},
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    w.unref();
    w.on('message', (r: Reply) => {
      const c = this.current;
      if (!c || r.id !== c.id) return;
      clearTimeout(c.timer);
      this.current = null;
      w.unref(); // idle: the worker alone must not keep the process alive
      c.resolve(r);
    });
    const gone = (why: string) => {
      if (this.worker !== w) return;
      this.worker = null;
      this.restarts++;
      const c = this.current;
      if (c) { clearTimeout(c.timer); this.current = null; c.resolve({ id: c.id, fault: 'error', message: why }); }
    };
    w.on('error', (err: Error & { code?: string }) => gone(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memori habis' : err.message));
    w.on('exit', () => gone('pemroses templat berhenti'));
    this.worker = w;
    return w;
  }

  run(code: string, input: string, timeoutMs: number): Promise<Reply> {
    const job = this.chain.then(() => new Promise<Reply>((resolve, reject) => {
      const w = this.ensure();
      const id = ++this.seq;
      const timer = setTimeout(() => {
        // The context's own timeout did not stop it (a getter, a microtask storm): end the worker.
        if (this.current?.id !== id) return;
        this.current = null;
        if (this.worker === w) { this.worker = null; this.restarts++; }
        void w.terminate();
        resolve({ id, fault: 'timeout', message: '' });
      }, timeoutMs + 2_000);
      // Busy: the pending render keeps the process alive (a CLI awaiting it must not exit).
      w.ref();
      this.current = { id, resolve, reject, timer };
      w.postMessage({ id, code, input, timeoutMs });
    }));
    this.chain = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

let sandbox: SandboxWorker | null = null;
const worker = (): SandboxWorker => (sandbox ??= new SandboxWorker());

/** Stop the template worker (tests, shutdown). The next render starts a new one. */
export async function closeTemplateSandbox(): Promise<void> {
  const s = sandbox;
  sandbox = null;
  await s?.close();
}

/** Restarts of the worker after a template killed it (tests, diagnostics). */
export const sandboxRestarts = (): number => sandbox?.restarts ?? 0;

const runners = new Map<string, string>();

/**
 * Render a template with `data` (JSON-serializable; it becomes the template's variables,
 * next to the helpers tanggal, terbilang, angka, rupiah, daftar, paragraf, blok, kapital). Returns the raw
 * output (not yet sanitized). Throws TemplateError for a fault of the template.
 */
export async function runTemplate(text: string, data: Record<string, unknown>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
  let code = runners.get(text);
  if (code === undefined) {
    const problem = checkSyntax(text);
    if (problem) throw new TemplateError(problem);
    code = runnerCode(ejsSource(text) as Compiled);
    if (runners.size >= 64) runners.delete(runners.keys().next().value as string);
    runners.set(text, code);
  }
  const r = await worker().run(code, JSON.stringify(data), timeoutMs);
  if (r.fault === 'timeout') throw new TemplateError({ line: 1, message: `templat berjalan lebih dari ${timeoutMs} milidetik dan dihentikan (perulangan tanpa akhir?).` });
  if (r.fault) throw new TemplateError({ line: 1, message: `templat menghentikan pemrosesnya (${r.message}).` });
  let parsed: { ok: boolean; html?: string; line?: number; message?: string };
  try { parsed = JSON.parse(r.out ?? 'null') as typeof parsed; } catch { parsed = { ok: false, line: 1, message: 'keluaran templat tidak terbaca' }; }
  if (!parsed || typeof parsed !== 'object') throw new TemplateError({ line: 1, message: 'keluaran templat tidak terbaca' });
  if (!parsed.ok) throw new TemplateError({ line: Number(parsed.line) || 1, message: runtimeMessage(String(parsed.message)) });
  const html = String(parsed.html ?? '');
  if (html.length > MAX_OUTPUT) throw new TemplateError({ line: 1, message: `keluaran templat terlalu panjang (${html.length} karakter; paling banyak ${MAX_OUTPUT}).` });
  return html;
}

function runtimeMessage(m: string): string {
  const first = m.split('\n')[0];
  const undef = /^ReferenceError: (\S+) is not defined$/.exec(first);
  if (undef) {
    if (undef[1] === 'include') return 'include tidak tersedia dalam templat surat (ReferenceError: include is not defined).';
    return `variabel "${undef[1]}" tidak dikenal; templat hanya melihat values, reference, applicantName, today dan fungsi bantu (ReferenceError: ${undef[1]} is not defined).`;
  }
  if (/^EvalError: Code generation from strings disallowed/.test(first)) return 'eval / new Function tidak diizinkan dalam templat.';
  return first;
}
