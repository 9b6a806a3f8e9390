import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { config } from '../../config';
import { app } from './app';
import { DEMO_PASSWORD } from '../../seed/demo';

/** A real headless Chromium against the app served on an ephemeral port. */
export interface BrowserRig { base: string; browser: Browser; signIn(login: string): Promise<Page>; close(): Promise<void> }

export async function startBrowserRig(): Promise<BrowserRig> {
  const exe = config().chromiumPath;
  if (!exe) throw new Error('Chromium is required for browser journeys (apt-get install chromium, or set CHROMIUM_PATH)');
  const server: Server = app().listen(0, '127.0.0.1');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => traffic.track(req, res));
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await puppeteer.launch({
    executablePath: exe, headless: true,
    // Chromium's PDF viewer in an out-of-process frame (puppeteer turns PdfOopif on) races
    // puppeteer's frame bookkeeping: leaving a page whose scan preview (a PDF in an iframe) is
    // still being set up leaves puppeteer blind to the next page, and the journey waits out its
    // navigation timeout (about one run in eight on a loaded machine). The viewer in-process
    // shows the same PDF; the pages and what the server answers are unchanged.
    ignoreDefaultArgs: ['--enable-features=PdfOopif'],
    args: ['--disable-features=PdfOopif', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=id-ID'],
  });
  return {
    base, browser,
    async signIn(login: string) {
      const ctx = await browser.createBrowserContext();
      const page = await ctx.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      page.setDefaultNavigationTimeout(90_000);
      page.setDefaultTimeout(30_000);
      await page.goto(`${base}/masuk`, { waitUntil: 'domcontentloaded' });
      await page.type('input[name=login]', login);
      await page.type('input[name=password]', DEMO_PASSWORD);
      await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('button[type=submit]')]);
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * What the app served to the browser: the requests still open and the last ones answered, so
 * a journey that waits in vain can say whether the server or the page did not answer.
 */
const traffic = {
  open: new Map<IncomingMessage, number>(),
  done: [] as string[],
  track(req: IncomingMessage, res: ServerResponse) {
    const started = Date.now();
    this.open.set(req, started);
    res.on('close', () => {
      this.open.delete(req);
      this.done.push(`${req.method} ${req.url} -> ${res.statusCode} in ${Date.now() - started} ms`);
      if (this.done.length > 12) this.done.shift();
    });
  },
  report(): string {
    const open = [...this.open].map(([r, t]) => `${r.method} ${r.url} (open for ${Date.now() - t} ms)`);
    return `server requests still open: ${open.join('; ') || 'none'}\nlast answered:\n  ${this.done.join('\n  ')}`;
  },
};

/** Click and wait for the resulting page load; a page that never comes says what was going on. */
export async function clickAndWait(page: Page, selector: string): Promise<void> {
  const before = page.url();
  try {
    await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(selector)]);
  } catch (err) {
    if ((err as Error).name !== 'TimeoutError') throw err;
    const box = await page.$eval(selector, (el) => JSON.stringify(el.getBoundingClientRect())).catch((e: Error) => `(element gone: ${e.message})`);
    const href = await page.evaluate(() => `${location.href} ${document.readyState} ${document.title}`).catch((e: Error) => `(evaluate failed: ${e.message})`);
    const frames = page.frames().map((f) => f.url()).join(', ');
    throw new Error(`no page load after clicking ${selector} on ${before} (now at ${page.url()}, element at ${box}; document: ${href}; frames: ${frames})\n${traffic.report()}`, { cause: err });
  }
}

export const textIn = (page: Page, sel: string): Promise<string> => page.$eval(sel, (el) => (el as HTMLElement).innerText);

/** The success message of the page, or a failure that shows what the page said instead. */
export async function flashOk(page: Page): Promise<string> {
  if (await page.$('.flash-ok')) return textIn(page, '.flash-ok');
  const said = await page.$eval('body', (b) => (b as HTMLElement).innerText).catch(() => '(no page)');
  throw new Error(`no success message at ${page.url()}; the page says: ${said.slice(0, 1200)}`);
}
