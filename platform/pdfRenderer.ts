import { once } from 'node:events';
import { PAPER, DEFAULT_MARGINS, type PaperFormat, type PdfMargins, type PdfRenderOptions } from '../lib/pdf/paper';
import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';
import { config } from '../config';
import { AppError } from './errors';

/**
 * HTML to PDF. Print templates (the Lembar Disposisi, outgoing letters) are rendered to HTML
 * by the caller and handed to a PdfRenderer; routes never talk to Chromium themselves.
 *
 * The Chromium implementation keeps ONE browser and a small pool of reused pages (a new page
 * per PDF costs several times more than reusing one), a bounded queue in front of the pool
 * (back-pressure: a full queue is refused at once rather than piling up requests), a timeout
 * per render, and restarts the browser when it crashes or disconnects. The pages cannot run
 * JavaScript and cannot reach the network or the disk: every request except data: URLs is
 * aborted, file: loads are refused by Chromium (the page is about:blank), and the launch flags
 * route whatever Chromium fetches outside request interception (<link rel=prefetch>,
 * preconnect, DNS prefetch) to nowhere.
 */

export type { PaperFormat, PdfMargins, PdfRenderOptions } from '../lib/pdf/paper';
export { PAPER, DEFAULT_MARGINS } from '../lib/pdf/paper';

export interface PdfRenderer {
  render(html: string, opts: PdfRenderOptions): Promise<Buffer>;
  close(): Promise<void>;
}

export interface PdfRendererStats {
  /** Browser launches since the renderer was made (1 + restarts after crashes). */
  launches: number;
  /** PDFs rendered successfully. */
  renders: number;
  failures: number;
  timeouts: number;
  /** Renders waiting for a page now. */
  queued: number;
  /** Renders holding a page now. */
  active: number;
  /** Pages open or being opened now (at most poolSize). */
  pages: number;
  /** Pages opened since the renderer was made: stays at poolSize while pages are reused. */
  opened: number;
  /** Renders started again because the browser died under them. */
  retries: number;
  /** Requests the pages tried and were refused (network, file:, navigations). */
  blocked: number;
}


// ---------------------------------------------------------------- errors

/** The PDF could not be made for a reason the user may be told about (answered with 503). */
export class PdfUnavailableError extends AppError {
  constructor(code: string, message: string) { super(code, message, 503); }
}
export class ChromiumMissingError extends PdfUnavailableError {
  constructor() { super('chromium_missing', 'Chromium tidak ditemukan; PDF tidak dapat dibuat. Pasang paket chromium atau atur CHROMIUM_PATH.'); }
}
export class ChromiumLaunchError extends PdfUnavailableError {
  constructor(public readonly reason: string) {
    super('chromium_launch', 'Chromium gagal dijalankan; PDF tidak dapat dibuat saat ini. Coba lagi beberapa saat lagi atau hubungi admin.');
  }
}
export class PdfQueueFullError extends PdfUnavailableError {
  constructor(waiting: number) {
    super('pdf_queue_full', `Antrean pembuatan PDF penuh (${waiting} permintaan sedang menunggu). Coba lagi beberapa saat lagi.`);
  }
}
export class PdfTimeoutError extends PdfUnavailableError {
  constructor(ms: number) {
    super('pdf_timeout', `Pembuatan PDF melebihi batas waktu ${ms >= 1000 ? `${+(ms / 1000).toFixed(1)} detik` : `${ms} milidetik`} dan dibatalkan. Coba lagi.`);
  }
}
export class PdfQueueTimeoutError extends PdfUnavailableError {
  constructor(ms: number) {
    super('pdf_queue_timeout', `Layanan PDF sedang sibuk; permintaan ini menunggu giliran lebih dari ${+(ms / 1000).toFixed(1)} detik. Coba lagi beberapa saat lagi.`);
  }
}
export class PdfRendererClosedError extends PdfUnavailableError {
  constructor() { super('pdf_closed', 'Layanan PDF sedang dihentikan; coba lagi beberapa saat lagi.'); }
}
/** Internal: the browser died under a render; the render is retried once on a new browser. */
class BrowserGoneError extends Error {}

// ---------------------------------------------------------------- Chromium

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
  // Request interception does not see <link rel=prefetch> (fetched by the browser process) nor
  // preconnect / DNS prefetch. Resolve no name and send everything, loopback included, to a
  // proxy on the discard port, so nothing that slips past interception reaches a server.
  '--host-resolver-rules=MAP * ~NOTFOUND', '--proxy-server=127.0.0.1:9', '--proxy-bypass-list=<-loopback>',
];

export interface ChromiumRendererOptions {
  executablePath: string;
  /** Pages kept open and reused; also the number of PDFs rendered at once. Default 2. */
  poolSize?: number;
  /** Renders that may wait for a page; one more is refused with PdfQueueFullError. Default 20. */
  maxQueue?: number;
  /** Per render, from the moment it has a page. Default 30 s. */
  timeoutMs?: number;
  /** Longest wait in the queue for a page. Default: timeoutMs. */
  queueTimeoutMs?: number;
  /** Timeouts in a row after which the browser is taken for hung and restarted. Default 3. */
  restartAfterTimeouts?: number;
  /** Browser start-up. Default 30 s. */
  launchTimeoutMs?: number;
}

interface Slot { page: Page; browser: Browser; gen: number }
interface Waiter { resolve(s: Slot): void; reject(e: unknown): void; timer: NodeJS.Timeout }

const noop = (): void => undefined;
const LOCAL_REFUSED = /^Not allowed to load local resource/;

export class ChromiumPdfRenderer implements PdfRenderer {
  readonly poolSize: number;
  readonly maxQueue: number;
  readonly timeoutMs: number;
  readonly queueTimeoutMs: number;
  private readonly restartAfterTimeouts: number;
  private timeoutsInARow = 0;
  private readonly executablePath: string;
  private readonly launchTimeoutMs: number;

  private browser: Browser | null = null;
  private launching: Promise<Browser> | null = null;
  /** Bumped at every launch and every loss of the browser: a page of an older generation is dead. */
  private gen = 0;
  private idle: Slot[] = [];
  private pages = 0;
  private waiters: Waiter[] = [];
  private active = 0;
  private closed = false;
  private closing: Promise<void> | null = null;
  private counts = { launches: 0, renders: 0, failures: 0, timeouts: 0, blocked: 0, opened: 0, retries: 0 };

  constructor(o: ChromiumRendererOptions) {
    this.executablePath = o.executablePath;
    this.poolSize = Math.max(1, Math.floor(o.poolSize ?? 2));
    this.maxQueue = Math.max(0, Math.floor(o.maxQueue ?? 20));
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.launchTimeoutMs = o.launchTimeoutMs ?? 30_000;
    this.queueTimeoutMs = o.queueTimeoutMs ?? this.timeoutMs;
    this.restartAfterTimeouts = Math.max(1, o.restartAfterTimeouts ?? 3);
  }

  stats(): PdfRendererStats {
    return { ...this.counts, queued: this.waiters.length, active: this.active, pages: this.pages };
  }

  render(html: string, opts: PdfRenderOptions): Promise<Buffer> {
    // attempt() takes its place in the queue synchronously, so back-pressure is decided now.
    return this.attempt(html, opts).catch((err: unknown) => {
      if (err instanceof BrowserGoneError) {
        this.counts.retries++;
        return this.attempt(html, opts).catch((e: unknown) => {
          throw e instanceof BrowserGoneError ? new ChromiumLaunchError('browser lost twice') : e;
        });
      }
      throw err;
    });
  }

  private async attempt(html: string, opts: PdfRenderOptions): Promise<Buffer> {
    if (this.closed) throw new PdfRendererClosedError();
    const slot = await this.acquire();
    this.active++;
    let healthy = false;
    let timer: NodeJS.Timeout | undefined;
    const ms = opts.timeoutMs ?? this.timeoutMs;
    try {
      const work = this.print(slot.page, html, opts, ms);
      work.catch(noop); // still observed below; keeps a late failure after a timeout from going unhandled
      const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new PdfTimeoutError(ms)), ms); });
      const pdf = await Promise.race([work, timeout]);
      // A page that navigated away (it should not be able to) is not reused.
      healthy = slot.page.url() === 'about:blank';
      this.counts.renders++;
      this.timeoutsInARow = 0;
      return pdf;
    } catch (err) {
      this.counts.failures++;
      if (err instanceof PdfTimeoutError) {
        this.counts.timeouts++;
        // One slow document loses its page; several in a row mean the browser itself is stuck.
        if (++this.timeoutsInARow >= this.restartAfterTimeouts && slot.gen === this.gen) {
          this.timeoutsInARow = 0;
          this.browserGone(slot.browser);
        }
        throw err;
      }
      if (!slot.browser.connected || slot.gen !== this.gen) {
        this.browserGone(slot.browser);
        throw new BrowserGoneError(String(err));
      }
      throw err;
    } finally {
      clearTimeout(timer);
      this.active--;
      this.release(slot, healthy);
    }
  }

  private async print(page: Page, html: string, o: PdfRenderOptions, ms: number): Promise<Buffer> {
    const timeout = ms + 5_000; // our own timer decides; puppeteer's only backs it up
    await page.setContent(html, { waitUntil: 'load', timeout });
    const size = PAPER[o.format];
    if (!size) throw new Error(`unknown paper format ${String(o.format)}`);
    const m = { ...DEFAULT_MARGINS, ...o.margins };
    const hf = o.headerFooter;
    const bytes = await page.pdf({
      width: size.width, height: size.height, landscape: !!o.landscape, printBackground: true, preferCSSPageSize: false,
      margin: m, displayHeaderFooter: !!(hf?.header || hf?.footer),
      headerTemplate: hf?.header || '<span></span>', footerTemplate: hf?.footer || '<span></span>', tagged: o.tagged ?? true, timeout,
    });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  // ---- the pool

  private acquire(): Promise<Slot> {
    const s = this.takeIdle();
    if (s) return Promise.resolve(s);
    if (this.pages < this.poolSize) return this.openSlot();
    if (this.waiters.length >= this.maxQueue) return Promise.reject(new PdfQueueFullError(this.waiters.length));
    return new Promise<Slot>((resolve, reject) => {
      const w: Waiter = {
        resolve, reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) { this.waiters.splice(i, 1); reject(new PdfQueueTimeoutError(this.queueTimeoutMs)); }
        }, this.queueTimeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** The longest-waiting render, no longer timed. */
  private nextWaiter(): Waiter | undefined {
    const w = this.waiters.shift();
    if (w) clearTimeout(w.timer);
    return w;
  }

  private takeIdle(): Slot | undefined {
    let s: Slot | undefined;
    while ((s = this.idle.pop())) {
      if (s.gen === this.gen && s.browser.connected) return s;
      this.discard(s);
    }
    return undefined;
  }

  private openSlot(): Promise<Slot> {
    this.pages++;
    return this.newSlot().catch((err: unknown) => {
      this.pages--;
      this.pump();
      throw err;
    });
  }

  private async newSlot(): Promise<Slot> {
    const browser = await this.ensureBrowser();
    const gen = this.gen;
    let page: Page | null = null;
    try {
      page = await browser.newPage();
      this.counts.opened++;
      await this.harden(page);
      return { page, browser, gen };
    } catch (err) {
      page?.close().catch(noop);
      if (!browser.connected || gen !== this.gen) {
        this.browserGone(browser);
        throw new BrowserGoneError(String(err));
      }
      throw err;
    }
  }

  /** No JavaScript; no request leaves except data: URLs; the page never navigates away. */
  private async harden(page: Page): Promise<void> {
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (r: HTTPRequest) => {
      if (r.isInterceptResolutionHandled()) return;
      const mainNavigation = r.isNavigationRequest() && r.frame() === page.mainFrame();
      if (!mainNavigation && r.url().startsWith('data:')) { r.continue().catch(noop); return; }
      this.counts.blocked++;
      // 'aborted' leaves a main-frame navigation (<meta http-equiv=refresh>) without an error page.
      r.abort(r.isNavigationRequest() ? 'aborted' : 'blockedbyclient').catch(noop);
    });
    // file: URLs never reach interception: Chromium refuses them itself (and says so).
    page.on('console', (m) => { if (m.type() === 'error' && LOCAL_REFUSED.test(m.text())) this.counts.blocked++; });
    page.on('error', noop);
  }

  private release(s: Slot, healthy: boolean): void {
    if (healthy && !this.closed && s.gen === this.gen && s.browser.connected) {
      const w = this.nextWaiter();
      if (w) w.resolve(s); else this.idle.push(s);
      return;
    }
    this.discard(s);
    this.pump();
  }

  private discard(s: Slot): void {
    this.pages--;
    if (s.browser.connected) s.page.close().catch(noop);
  }

  /** Hand freed capacity to waiting renders. */
  private pump(): void {
    while (this.waiters.length && !this.closed) {
      const s = this.takeIdle();
      if (s) { this.nextWaiter()!.resolve(s); continue; }
      if (this.pages >= this.poolSize) return;
      const w = this.nextWaiter()!;
      this.openSlot().then(w.resolve, w.reject);
    }
  }

  // ---- the browser

  private ensureBrowser(): Promise<Browser> {
    if (this.closed) return Promise.reject(new PdfRendererClosedError());
    if (this.browser?.connected) return Promise.resolve(this.browser);
    if (!this.launching) this.launching = this.launch().finally(() => { this.launching = null; });
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    let b: Browser;
    try {
      b = await puppeteer.launch({
        executablePath: this.executablePath, headless: true, pipe: true, args: [...CHROMIUM_ARGS],
        timeout: this.launchTimeoutMs, protocolTimeout: Math.max(60_000, this.timeoutMs * 2),
        // The server decides when to stop; puppeteer would otherwise exit the process on SIGINT.
        handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
      });
    } catch (err) {
      throw new ChromiumLaunchError((err as Error).message);
    }
    this.counts.launches++;
    if (this.closed) {
      await b.close().catch(noop);
      throw new PdfRendererClosedError();
    }
    this.gen++;
    this.browser = b;
    b.on('disconnected', () => this.browserGone(b));
    return b;
  }

  /** The browser crashed, was killed or disconnected: forget it and its pages; the next render launches another. */
  private browserGone(b: Browser): void {
    if (this.browser !== b) return;
    this.browser = null;
    this.gen++;
    const proc = b.process();
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    const stale = this.idle;
    this.idle = [];
    for (const s of stale) this.discard(s);
    this.pump();
  }

  /** The running Chromium process, if any (tests, diagnostics). */
  browserProcess(): ReturnType<Browser['process']> {
    return this.browser?.process() ?? null;
  }

  /** Test hook: kill the browser process as a crash would, and wait until it is gone. */
  async killBrowserForTests(): Promise<void> {
    const proc = this.browser?.process();
    if (!proc) return;
    const exited = proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : once(proc, 'exit').then(noop);
    proc.kill('SIGKILL');
    await exited;
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (let w = this.nextWaiter(); w; w = this.nextWaiter()) w.reject(new PdfRendererClosedError());
    this.closing = (async () => {
      const b = this.browser ?? (this.launching ? await this.launching.catch(() => null) : null);
      this.browser = null;
      this.idle = [];
      if (!b) return;
      const proc = b.process();
      const t = setTimeout(() => proc?.kill('SIGKILL'), 5_000);
      try { await b.close(); } catch { proc?.kill('SIGKILL'); } finally { clearTimeout(t); }
    })();
    return this.closing;
  }
}

// ---------------------------------------------------------------- the process-wide renderer

let current: PdfRenderer | null = null;

/** The process's renderer, made on first use from the configuration. Throws ChromiumMissingError without Chromium. */
export function pdfRenderer(): PdfRenderer {
  if (current) return current;
  const c = config();
  if (!c.chromiumPath) throw new ChromiumMissingError();
  current = new ChromiumPdfRenderer({ executablePath: c.chromiumPath, poolSize: c.pdfPoolSize, maxQueue: c.pdfQueueMax, timeoutMs: c.pdfTimeoutMs });
  return current;
}

/** Replace the process's renderer (tests); null makes the next pdfRenderer() build one from the configuration. Returns the previous one, not closed. */
export function setPdfRenderer(r: PdfRenderer | null): PdfRenderer | null {
  const prev = current;
  current = r;
  return prev;
}

/** Close the process's renderer (and its Chromium), if one was made. Call on shutdown. */
export async function closePdfRenderer(): Promise<void> {
  const r = current;
  current = null;
  await r?.close();
}
