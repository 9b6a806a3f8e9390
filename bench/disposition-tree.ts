/**
 * Issue #3 benchmark: the letter page with a disposition tree of 200 nodes, the same page with
 * one node, and the inbox, under concurrent load, against a bare Express + EJS page in the same
 * run. SQLite by default (DB_URL=mysql://... for MariaDB). Prints p50/p95/p99, req/s and the ratio.
 *
 *   npx tsx bench/disposition-tree.ts [--nodes=200] [--duration=10] [--connections=10]
 *   npx tsx bench/disposition-tree.ts --engines [--rounds=2]
 *
 * --engines: the same pages rendered by platform/http/viewEngine.ts (the app's) and by ejs's own
 * renderFile (`with`, cache on), two apps on one database, measured alternately in the same run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import autocannon from 'autocannon';
import ejs from 'ejs';
import { loadConfig, setConfig } from '../config';
import { setBlobStore, LocalBlobStore, blobStore } from '../platform/blobstore';
import { createSequelize, setDb, db } from '../platform/db';
import { boot } from '../platform/boot';
import { createApp } from '../app';
import { Disposition, InboxItem, Position } from '../models';
import { seedDemo, DEMO_PASSWORD } from '../seed/demo';
import { samplePdf } from '../seed/samplePdf';
import { registerLetter } from '../modules/surat-masuk/letterRegistrar';
import { holdingsOf } from '../modules/org/org';
import { User } from '../models';
import { today } from '../platform/dates';

const arg = (n: string, d: string) => process.argv.find((a) => a.startsWith(`--${n}=`))?.split('=')[1] ?? d;
const NODES = Number(arg('nodes', '200'));
const DURATION = Number(arg('duration', '10'));
const CONNECTIONS = Number(arg('connections', '10'));
const ENGINES = process.argv.includes('--engines');
const ROUNDS = Number(arg('rounds', '2'));

async function letterWithTree(nodes: number, kadisPos: number, targets: number[], actorUser: User): Promise<number> {
  const blob = await blobStore().putBuffer(samplePdf({ agencyLines: ['PEMERINTAH KABUPATEN UJI', 'DINAS UJI'], address: 'x', place: 'Uji', date: '1 November 2026', number: `B/${nodes}/${Date.now()}`, sifat: 'Biasa', lampiran: '-', hal: 'Bench', to: ['Kepala Dinas'], body: ['x'], signerTitle: 'Kepala', signerName: 'NAMA' }));
  const actor = { user: actorUser, holdings: await holdingsOf(actorUser.id), ip: null };
  const { letter } = await registerLetter({ actor, submissionKey: `${Date.now()}${nodes}`.padEnd(32, '0').slice(0, 32).replace(/[^0-9a-f]/g, 'a'), confirmDuplicate: true,
    files: [{ ...blob, mime: 'application/pdf', originalName: 'scan.pdf', kind: 'scan' }],
    form: { senderNumber: `B/${nodes}/${Date.now()}`, letterDate: today(), receivedDate: today(), newSenderName: `Dinas Bench ${nodes} ${Date.now()}`, newSenderKind: 'skpd', perihal: `Surat dengan ${nodes} disposisi`, sifat: 'biasa', urgensi: 'biasa', klasifikasi: '400.14.2.1', jenisNaskah: 'surat_permohonan', addressedPositionId: String(kadisPos) } });
  // The tree: each node's parent is an earlier node (a bushy tree, up to ~6 levels), mixed states.
  const now = Date.now();
  const ids: number[] = [];
  for (let i = 0; i < nodes; i++) {
    const parent = i === 0 ? null : ids[Math.floor((i - 1) / 3)];
    const status = (['terkirim', 'dibaca', 'diproses', 'selesai'] as const)[i % 4];
    const d = await Disposition.create({
      letterId: letter.id, parentId: parent, fromPositionId: i === 0 ? kadisPos : targets[(i - 1) % targets.length], fromUserId: actorUser.id, fromActing: null,
      toPositionId: targets[i % targets.length], instructions: JSON.stringify(['tindak_lanjuti', 'pelajari_laporkan']), note: `Catatan disposisi ${i}`,
      priority: 'biasa', dueAt: new Date(now + (i % 5 - 2) * 86_400_000), status, readAt: status === 'terkirim' ? null : new Date(now - 3_600_000), readByUserId: null,
      completedAt: status === 'selesai' ? new Date(now - 1_800_000) : null, completedByUserId: status === 'selesai' ? actorUser.id : null, completedActing: null,
      result: status === 'selesai' ? 'Selesai dikerjakan.' : null, recalledAt: null, recallReason: null, remindedAt: null, escalatedAt: null,
    });
    ids.push(d.id);
  }
  for (const p of new Set(targets)) {
    await InboxItem.findOrCreate({ where: { letterId: letter.id, positionId: p }, defaults: { letterId: letter.id, positionId: p, kind: 'disposisi', receivedAt: new Date(), readAt: null, readByUserId: null, dueAt: null, doneAt: null } });
  }
  return letter.id;
}

async function run(url: string, headers: Record<string, string>) {
  const times: number[] = [];
  const inst = autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION, timeout: 30 });
  inst.on('response', (_c: unknown, _code: number, _bytes: number, ms: number) => { times.push(ms); });
  const r = await inst;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN;
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), rps: r.requests.average, non2xx: r.non2xx, errors: r.errors };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-tree-bench-'));
  const dbUrl = process.env.DB_URL || `sqlite:${dir}/n.sqlite`;
  setConfig(loadConfig({ ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'bench-secret-0123456789abcdef', DB_URL: dbUrl, BLOB_DIR: `${dir}/blobs`, DEMO_SEED: 'never', TRUST_PROXY: '1' }));
  setBlobStore(new LocalBlobStore(`${dir}/blobs`));
  setDb(createSequelize());
  if (dbUrl.startsWith('mysql')) { const u = new URL(dbUrl); const name = u.pathname.slice(1); u.pathname = '/'; const { Sequelize } = await import('sequelize'); const a = new Sequelize(u.toString(), { logging: false }); await a.query(`DROP DATABASE IF EXISTS \`${name}\``); await a.close(); }
  await boot();
  await seedDemo({ letters: false });
  const kadis = (await User.findOne({ where: { username: 'kadis' } }))!;
  const kadisPos = (await holdingsOf(kadis.id))[0].positionId;
  const others = (await Position.findAll()).map((p) => p.id).filter((id) => id !== kadisPos);
  const clerk = (await User.findOne({ where: { username: 'sekretariat' } }))!;
  const big = await letterWithTree(NODES, kadisPos, others, clerk);
  const small = await letterWithTree(1, kadisPos, others, clerk);
  const handle = createApp(db());
  const listen = (a: express.Express) => new Promise<import('node:http').Server>((r) => { const s = a.listen(0, '127.0.0.1', () => r(s)); });
  const srv = await listen(handle.app);
  const bareApp = express(); bareApp.set('views', __dirname); bareApp.set('view engine', 'ejs');
  const rows = Array.from({ length: 50 }, (_, i) => ({ id: i, agenda: `${i}/SM/2026`, date: '23 November 2026', sender: 'Dinas', number: `${i}`, perihal: `Permohonan ${i}`, sifat: 'biasa', status: 'Baru' }));
  bareApp.get('/', (_q, res) => res.render('bare', { title: 'Bare', rows }));
  const bare = await listen(bareApp);
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const proxy = { 'x-forwarded-proto': 'https', accept: 'text/html' };
  const page = await fetch(`${base}/masuk`, { headers: proxy, redirect: 'manual' });
  // A visitor has no session yet: the sign-in page's CSRF token comes in a signed cookie of its own.
  const cookie0 = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const login = await fetch(`${base}/masuk`, { method: 'POST', redirect: 'manual', headers: { ...proxy, cookie: cookie0, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: token, login: 'kadis', password: DEMO_PASSWORD }).toString() });
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('naskah.sid='))!.split(';')[0];
  const h = { ...proxy, cookie };
  const check = await (await fetch(`${base}/surat-masuk/${big}`, { headers: h })).text();
  const nodesShown = check.split('data-testid="disposition"').length - 1;
  if (nodesShown !== NODES) throw new Error(`letter page shows ${nodesShown} nodes, expected ${NODES}`);
  const pages: [string, string, Record<string, string>][] = [
    ['bare Express+EJS', `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, {}],
    [`letter page, ${NODES} nodes`, `${base}/surat-masuk/${big}`, h],
    ['letter page, 1 node', `${base}/surat-masuk/${small}`, h],
    ['inbox /kotak-masuk', `${base}/kotak-masuk`, h],
  ];
  if (ENGINES) {
    // The same app with ejs's own engine: every view through ejs.renderFile (with `with`, cached).
    const viaEjs = createApp(db());
    viaEjs.app.engine('ejs', (file: string, opts: object, cb: (e: Error | null, html?: string) => void) => { ejs.renderFile(file, opts as ejs.Data, { cache: true }, cb as never); });
    const ejsSrv = await listen(viaEjs.app);
    const ejsBase = `http://127.0.0.1:${(ejsSrv.address() as AddressInfo).port}`;
    const same = await (await fetch(`${ejsBase}/surat-masuk/${big}`, { headers: h })).text();
    const strip = (x: string) => x.replace(/name="_csrf" value="[^"]+"/g, '').replace(/\s+/g, ' ');
    // Opening the letter marked it read: compare with the app's page as it is now.
    const ours = await (await fetch(`${base}/surat-masuk/${big}`, { headers: h })).text();
    if (strip(same) !== strip(ours)) throw new Error('ejs renders the letter page differently from platform/http/viewEngine.ts');
    const rowsOut: string[] = ['| page | engine | p50 ms | p95 ms | req/s |', '|---|---|---:|---:|---:|'];
    const sum: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [label, path] of [[`letter page, ${NODES} nodes`, `/surat-masuk/${big}`], ['letter page, 1 node', `/surat-masuk/${small}`], ['inbox /kotak-masuk', '/kotak-masuk']] as const) {
        for (const [engine, b] of (round % 2 ? [['ejs', ejsBase], ['viewEngine', base]] : [['viewEngine', base], ['ejs', ejsBase]]) as [string, string][]) {
          const r = await run(`${b}${path}`, h);
          (sum[`${label}|${engine}`] ??= []).push(r.rps);
          rowsOut.push(`| ${label} | ${engine} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.rps.toFixed(0)} |`);
        }
      }
    }
    console.log(`\nView engines (${db().getDialect()}, ${CONNECTIONS} connections, ${DURATION} s each, ${ROUNDS} rounds alternating):\n${rowsOut.join('\n')}`);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const label of new Set(Object.keys(sum).map((k) => k.split('|')[0]))) {
      console.log(`${label}: lib/viewEngine ${avg(sum[`${label}|viewEngine`]).toFixed(0)} req/s, ejs ${avg(sum[`${label}|ejs`]).toFixed(0)} req/s, ratio ${(avg(sum[`${label}|viewEngine`]) / avg(sum[`${label}|ejs`])).toFixed(2)}x`);
    }
    ejsSrv.close(); ejsSrv.closeAllConnections(); viaEjs.close();
  }
  const out: string[] = ['| page | p50 ms | p95 ms | p99 ms | req/s | vs bare | non-2xx |', '|---|---:|---:|---:|---:|---:|---:|'];
  let bareRps = 0;
  for (const [label, url, headers] of pages) {
    const r = await run(url, headers);
    if (!bareRps) bareRps = r.rps;
    out.push(`| ${label} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.rps.toFixed(0)} | ${(100 * r.rps / bareRps).toFixed(1)}% | ${r.non2xx + r.errors} |`);
  }
  console.log(`\nDisposition tree benchmark (${db().getDialect()}, ${CONNECTIONS} connections, ${DURATION} s each, ${os.loadavg()[0].toFixed(1)} load):\n${out.join('\n')}`);
  srv.close(); bare.close(); srv.closeAllConnections(); bare.closeAllConnections(); handle.close();
  await new Promise((r) => setTimeout(r, 1000)); // let requests cut off by the close finish before the database goes
  await db().close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => { console.error(e); process.exit(1); });
