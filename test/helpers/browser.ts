import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
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
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await puppeteer.launch({
    executablePath: exe, headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=id-ID'],
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

/** Click and wait for the resulting page load. */
export async function clickAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(selector)]);
}

export const textIn = (page: Page, sel: string): Promise<string> => page.$eval(sel, (el) => (el as HTMLElement).innerText);

/** The success message of the page, or a failure that shows what the page said instead. */
export async function flashOk(page: Page): Promise<string> {
  if (await page.$('.flash-ok')) return textIn(page, '.flash-ok');
  const said = await page.$eval('body', (b) => (b as HTMLElement).innerText).catch(() => '(no page)');
  throw new Error(`no success message at ${page.url()}; the page says: ${said.slice(0, 1200)}`);
}
