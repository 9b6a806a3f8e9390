import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expect } from 'chai';
import { admission } from '../platform/http/admission';
import { config, setConfig } from '../config';
import { createApp } from '../app';
import { db } from '../platform/db';
import { textOf } from './helpers/app';

/**
 * Admission control (platform/http/admission.ts): at most `limit` requests are worked on at once, the
 * rest wait in arrival order; beyond the queue or the wait, a 503 that says so. A client that
 * leaves while waiting gives its place up.
 */
describe('Admission control: a bounded number of requests at once', () => {
  let server: http.Server;
  let base: string;
  let active = 0;
  let peak = 0;
  const order: number[] = [];
  const gate = admission({
    limit: 2, maxQueue: 5, maxWaitMs: 1500,
    refuse: (_req, res) => { res.set('Retry-After', '10').status(503).send('Server sedang sibuk'); },
  });

  before(async () => {
    const app = express();
    app.use(gate);
    app.get('/kerja/:n', async (req, res) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, Number(req.query.ms ?? 100)));
      order.push(Number(req.params.n));
      active--;
      res.send(`ok ${req.params.n}`);
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((r) => server.close(r)));
  beforeEach(() => { peak = 0; order.length = 0; });

  it('works on at most `limit` at once and answers every waiting request, in arrival order', async () => {
    const res = [];
    for (let i = 0; i < 6; i++) {
      res.push(fetch(`${base}/kerja/${i}?ms=80`).then(async (r) => [r.status, await r.text()]));
      await new Promise((r) => setTimeout(r, 5));
    }
    const out = await Promise.all(res);
    expect(out.map((o) => o[0])).to.deep.equal([200, 200, 200, 200, 200, 200]);
    expect(peak, 'never more than the limit at once').to.equal(2);
    expect(order.slice(2), 'the waiting ones in the order they came').to.deep.equal([2, 3, 4, 5]);
    expect(gate.stats()).to.deep.include({ running: 0, waiting: 0 });
  });

  it('answers 503 with Retry-After beyond the queue, and when the wait runs out; the others still finish', async () => {
    const refusedBefore = gate.stats().refused;
    const all = await Promise.all(Array.from({ length: 9 }, (_, i) => fetch(`${base}/kerja/${i}?ms=${i < 2 ? 2500 : 50}`).then(async (r) => ({ status: r.status, retry: r.headers.get('retry-after'), text: await r.text() }))));
    const refused = all.filter((a) => a.status === 503);
    // 2 run, 5 wait, 2 find the queue full; the 5 waiting ones wait 1.5 s behind 2.5 s of work and are refused too.
    expect(refused).to.have.length(7);
    for (const r of refused) { expect(r.retry).to.equal('10'); expect(r.text).to.equal('Server sedang sibuk'); }
    expect(all.filter((a) => a.status === 200)).to.have.length(2);
    expect(gate.stats().refused - refusedBefore).to.equal(7);
    expect(gate.stats()).to.deep.include({ running: 0, waiting: 0 });
  });

  it('a client that goes away while waiting leaves the queue', async () => {
    const slow = [fetch(`${base}/kerja/1?ms=400`), fetch(`${base}/kerja/2?ms=400`)];
    await new Promise((r) => setTimeout(r, 30));
    const ac = new AbortController();
    const gone = fetch(`${base}/kerja/3?ms=10`, { signal: ac.signal }).catch((e: Error) => e.name);
    await new Promise((r) => setTimeout(r, 30));
    expect(gate.stats().waiting).to.equal(1);
    ac.abort();
    expect(await gone).to.equal('AbortError');
    await new Promise((r) => setTimeout(r, 30));
    expect(gate.stats().waiting, 'the aborted request gave its place up').to.equal(0);
    await Promise.all(slow);
    expect(order, 'the aborted request was never worked on').to.deep.equal([1, 2]);
  });

  it('the app answers a request with no turn left with the Indonesian "Server sedang sibuk" page, 503 and Retry-After', async () => {
    const saved = config();
    setConfig({ ...saved, maxActiveRequests: 1, maxWaitingRequests: 0 });
    const busy = createApp(db());
    setConfig(saved);
    const srv = busy.app.listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as AddressInfo).port;
    // One request holds the only turn: its body never finishes.
    const hold = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/masuk', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '1000' } });
    hold.on('error', () => undefined);
    hold.write('login=a');
    try {
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`http://127.0.0.1:${port}/masuk`);
      expect(res.status).to.equal(503);
      expect(res.headers.get('retry-after')).to.equal('10');
      expect(textOf(await res.text())).to.include('Server sedang sibuk').and.include('Tidak ada data yang disimpan dari permintaan ini');
    } finally {
      hold.destroy();
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
      busy.close();
    }
  });
});
