/**
 * Load benchmark of the register (Buku Agenda) and the inbox on a large database.
 *
 *   npx tsx bench/register-load.ts                                   # SQLite, 100,000 letters
 *   npx tsx bench/register-load.ts --db=mysql://root@127.0.0.1:3306/naskah_bench   # MariaDB, 1,000,000 letters
 *   npm run bench -- --db=... --letters=200000 --duration=15 --connections=10
 *
 * Options (argument, or environment variable):
 *   --db=URL            DB_URL         default sqlite:/tmp/naskah-bench/naskah-bench.sqlite
 *   --letters=N         BENCH_LETTERS  default 100000 on SQLite, 1000000 on MariaDB
 *   --duration=S        BENCH_DURATION seconds per measured page, default 12
 *   --connections=C     BENCH_CONNECTIONS default 10
 *   --warmup=S          BENCH_WARMUP   seconds of unmeasured load before each page, default 2
 *   --chunk=R           BENCH_CHUNK    rows per multi-row INSERT, default 2000
 *   --q=WORD            BENCH_Q        search word (default: picked from the data, ~0.5% of letters)
 *   --reuse             BENCH_REUSE=1  measure the existing database, no re-seeding (migrations still run)
 *   --only=a,b          BENCH_ONLY     measure only some of: bare,inbox,first,deep,search,dash,letter,tree,treeall
 *   --blobs=DIR         BLOB_DIR       default /tmp/naskah-bench/blobs
 *   --quiet-wait=S      BENCH_QUIET_WAIT on a shared host, wait up to S seconds before each page
 *                                      until the CPU pressure (/proc/pressure/cpu avg10) is under 25%
 *   BENCH_INBOX_USER / BENCH_REGISTER_USER   who reads the inbox / the register (kadis / sekretariat)
 *   BENCH_EXTRA=/profil,/healthz            more pages to measure (as the register user; 200 checked)
 *   BENCH_PROFILE=DIR                       write a CPU profile of the server process to DIR
 *
 * Every connection signs in with its own session, as separate users would. The table gives
 * latency percentiles from every response, requests/s, the share of the bare page's
 * throughput, non-2xx responses, and the server process's CPU time per request (which, unlike
 * latency, does not depend much on what else runs on the host), and the server process's peak
 * resident memory during each page (the app and the bare page share that process).
 *
 * The database is dropped (MariaDB) or deleted (SQLite) first, so its name must contain
 * "bench" unless BENCH_FORCE=1. Steps: fresh database, migrations, demo organization without
 * letters, 26 extra staff positions (40 positions with one holder each), ~90 extra sender
 * agencies, then N letters with their inbox items and scan file rows by multi-row INSERTs in
 * transactions, full-text and word index filled. The app (createApp, NODE_ENV=production behind a
 * trusted proxy, as deployed) and a bare Express + EJS page run in a child process; this
 * process signs in, checks the pages it measures, and drives them with autocannon.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import express from 'express';
import autocannon from 'autocannon';
import { QueryTypes, Sequelize, type Transaction } from 'sequelize';
import { config, loadConfig, parseDbUrl, setConfig } from '../config';
import { boot } from '../platform/boot';
import { db, isSqlite } from '../platform/db';
import { LocalBlobStore, blobStore, setBlobStore } from '../platform/blobstore';
import { formatNumber } from '../lib/numbering';
import { createApp } from '../app';
import { seedDemo, DEMO_AGENCIES, DEMO_PASSWORD, REGION } from '../seed/demo';
import { samplePdf } from '../seed/samplePdf';
import { hashPassword } from '../modules/org/passwords';
import { searchTextOf } from '../modules/surat-masuk/letterFields';
import { searchTerms } from '../modules/surat-masuk/letterSearch';
import { Agency, Assignment, Blob, Position, Unit, User, type AgencyKind, type LetterStatus, type Urgensi } from '../models';
import { rng, pick, between, extraAgencies, letterText, personName, SEARCH_CANDIDATES, STAFF_POSITIONS, type AgencySeed, type Rand } from './corpus';

// ---------------------------------------------------------------- options

interface Opts {
  dbUrl: string; letters: number; duration: number; connections: number; warmup: number; chunk: number;
  q: string | null; reuse: boolean; only: string[] | null; blobDir: string; inboxUser: string; registerUser: string; quietWait: number;
}

function arg(name: string): string | undefined {
  const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (!a) return undefined;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : '1';
}

function options(): Opts {
  const dbUrl = arg('db') ?? process.env.DB_URL ?? 'sqlite:/tmp/naskah-bench/naskah-bench.sqlite';
  const dialect = parseDbUrl(dbUrl).dialect;
  const num = (a: string, env: string, def: number) => {
    const v = arg(a) ?? process.env[env];
    const n = v === undefined ? def : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${a} / ${env}: not a positive number (${v})`);
    return n;
  };
  const only = arg('only') ?? process.env.BENCH_ONLY;
  return {
    dbUrl,
    letters: Math.floor(num('letters', 'BENCH_LETTERS', dialect === 'sqlite' ? 100_000 : 1_000_000)),
    duration: num('duration', 'BENCH_DURATION', 12),
    connections: Math.floor(num('connections', 'BENCH_CONNECTIONS', 10)),
    warmup: Number(arg('warmup') ?? process.env.BENCH_WARMUP ?? 2),
    chunk: Math.floor(num('chunk', 'BENCH_CHUNK', 2000)),
    q: arg('q') ?? process.env.BENCH_Q ?? null,
    reuse: (arg('reuse') ?? process.env.BENCH_REUSE ?? '0') !== '0',
    only: only ? only.split(',').map((s) => s.trim()) : null,
    blobDir: arg('blobs') ?? process.env.BLOB_DIR ?? '/tmp/naskah-bench/blobs',
    inboxUser: process.env.BENCH_INBOX_USER ?? 'kadis',
    registerUser: process.env.BENCH_REGISTER_USER ?? 'sekretariat',
    quietWait: Number(arg('quiet-wait') ?? process.env.BENCH_QUIET_WAIT ?? 0),
  };
}

/** The environment the app runs with, here and in the server child. */
function benchEnv(o: Opts): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    TRUST_PROXY: '1',
    DB_URL: o.dbUrl,
    DB_LOG: '0',
    BLOB_DIR: o.blobDir,
    DEMO_SEED: 'never',
    SESSION_SECRET: process.env.SESSION_SECRET && process.env.SESSION_SECRET.length >= 16 ? process.env.SESSION_SECRET : 'naskah-bench-session-secret-0123456789',
  };
}

const fmtInt = (n: number) => n.toLocaleString('en-US');

/** Share of the last 10 s in which runnable tasks waited for a CPU (Linux PSI), or null. */
function cpuPressure(): number | null {
  try { return Number(/avg10=([\d.]+)/.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'))?.[1]); } catch { return null; }
}

/** How busy the host is: other processes compete with the server and the load generator for the CPUs. */
function hostLoad(): string {
  const p = cpuPressure();
  return `load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs${p === null ? '' : `, CPU pressure ${p}%`}`;
}

async function waitForQuiet(maxSeconds: number): Promise<void> {
  const until = Date.now() + maxSeconds * 1000;
  while (Date.now() < until && (cpuPressure() ?? 0) >= 25) await new Promise((r) => setTimeout(r, 2000));
}
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (...a: unknown[]) => console.log(...a);

// ---------------------------------------------------------------- fresh database

async function freshDatabase(o: Opts): Promise<void> {
  const c = parseDbUrl(o.dbUrl);
  const name = c.dialect === 'sqlite' ? path.basename(c.storage) : c.database;
  if (!/bench/i.test(name) && process.env.BENCH_FORCE !== '1') {
    throw new Error(`refusing to wipe "${name}": the benchmark database name must contain "bench" (or set BENCH_FORCE=1)`);
  }
  if (c.dialect === 'sqlite') {
    if (c.storage === ':memory:') throw new Error('the benchmark needs a file database (the app runs in a child process)');
    for (const f of [c.storage, `${c.storage}-wal`, `${c.storage}-shm`, `${c.storage}-journal`]) fs.rmSync(f, { force: true });
  } else {
    const u = new URL(c.url);
    u.pathname = '/';
    const admin = new Sequelize(u.toString(), { dialect: 'mysql', logging: false });
    try { await admin.query(`DROP DATABASE IF EXISTS \`${c.database.replace(/`/g, '')}\``); } finally { await admin.close(); }
  }
  fs.rmSync(o.blobDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- seeding

interface InboxPosition { id: number; holderId: number }
interface Sender extends AgencySeed { id: number }

/** 26 staff positions on top of the demo's 14, each with one holder: 40 inboxes. */
async function addStaff(r: Rand, pwHash: string): Promise<void> {
  const units = await Unit.findAll();
  const positions = await Position.findAll();
  const heads = units
    .filter((u) => u.kind !== 'dinas')
    .map((u) => ({ unit: u, head: positions.filter((p) => p.unitId === u.id).sort((a, b) => a.rank - b.rank)[0] }))
    .filter((x) => x.head);
  const start = `${new Date().getFullYear() - 2}-01-02`;
  let serial = 0;
  for (const title of STAFF_POSITIONS) {
    const { unit, head } = heads[serial % heads.length];
    serial++;
    const pos = await Position.create({ name: `${title} (${unit.code})`, unitId: unit.id, superiorId: head.id, role: 'staf', rank: 5, eselon: null });
    const username = `staf.bench${String(serial).padStart(2, '0')}`;
    const user = await User.create({ username, name: personName(r), nip: null, pangkat: 'Penata Muda', golongan: 'III/a',
      email: `${username.replace(/\./g, '')}@sindangrajakab.go.id`, phone: null, passwordHash: pwHash });
    await Assignment.create({ userId: user.id, positionId: pos.id, kind: 'definitif', startDate: start, endDate: null, decreeNumber: null });
  }
}

async function senders(r: Rand): Promise<Sender[]> {
  const extras = extraAgencies(r);
  await Agency.bulkCreate(extras.map((a) => ({ name: a.name, kind: a.kind, headTitle: a.headTitle, address: null, city: REGION, email: null, phone: null })));
  const extra = new Map(extras.map((a) => [a.name, a]));
  const demo = new Map(DEMO_AGENCIES.map((a) => [a.name, a]));
  const out: Sender[] = [];
  for (const a of await Agency.findAll({ order: [['id', 'ASC']] })) {
    const d = demo.get(a.name);
    const e = extra.get(a.name);
    const place = a.kind === 'desa' ? a.name.replace(/^Pemerintah Desa /, '') : a.kind === 'kecamatan' ? a.name.replace(/^Kecamatan /, '') : null;
    out.push({ id: a.id, name: a.name, kind: a.kind, headTitle: a.headTitle ?? '', code: d?.code ?? e?.code ?? `AG${a.id}`, place });
  }
  return out;
}

/** Sender agencies by kind: SKPD and the Setda write most, then villages and sub-districts. */
function senderPicker(all: Sender[]): (r: Rand) => Sender {
  const byKind = new Map<AgencyKind, Sender[]>();
  for (const a of all) byKind.set(a.kind, [...(byKind.get(a.kind) ?? []), a]);
  const weights: [AgencyKind, number][] = [['skpd', 0.38], ['desa', 0.22], ['kecamatan', 0.18], ['setda', 0.12], ['instansi_vertikal', 0.1]];
  return (r) => {
    let x = r();
    for (const [k, w] of weights) { if ((x -= w) < 0 && byKind.get(k)?.length) return pick(r, byKind.get(k)!); }
    return pick(r, all);
  };
}

/** Working days (Mon-Fri) from `years` back until today, as UTC midnights. */
function workingDays(years: number, nowMs: number): number[] {
  const days: number[] = [];
  const end = new Date(nowMs);
  end.setUTCHours(0, 0, 0, 0);
  for (let d = end.getTime() - Math.round(years * 365.25) * 86_400_000; d <= end.getTime(); d += 86_400_000) {
    const wd = new Date(d).getUTCDay();
    if (wd !== 0 && wd !== 6) days.push(d);
  }
  return days;
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];
const H = 3_600_000;
/** Time to act on a new letter by urgency, in plain hours (the working-calendar rules need not be replayed for the benchmark). */
const DUE_HOURS: Record<Urgensi, number> = { sangat_segera: 1, segera: 24, biasa: 72 };

async function seedLetters(o: Opts, s: Sequelize, r: Rand): Promise<{ items: number; dispositions: number }> {
  const sqlite = isSqlite(s);
  const nowMs = Date.now();
  // Literals exactly as Sequelize writes them, so the app reads and compares them the same way.
  const ts = (ms: number) => { const i = new Date(ms).toISOString(); return `'${i.slice(0, 10)} ${i.slice(11, 23)}${sqlite ? ' +00:00' : ''}'`; };
  const probe = Date.UTC(2026, 10, 23, 1, 2, 3, sqlite ? 45 : 0); // Sequelize's MariaDB escape() drops milliseconds; DATETIME(3) keeps them
  const mine = sqlite ? ts(probe) : ts(probe).replace('.000', '');
  if (mine !== s.escape(new Date(probe))) throw new Error(`date literal ${mine} differs from Sequelize's ${s.escape(new Date(probe))}`);
  const str = (v: string | null) => (v === null ? 'NULL' : `'${(sqlite ? v : v.replace(/\\/g, '\\\\')).replace(/'/g, "''")}'`);

  const clerk = await User.findOne({ where: { username: o.registerUser } });
  if (!clerk) throw new Error(`no user ${o.registerUser}`);
  const assigns = await Assignment.findAll({ where: { kind: 'definitif', endDate: null } });
  const inbox: InboxPosition[] = assigns.map((a) => ({ id: a.positionId, holderId: a.userId }));
  const pickSender = senderPicker(await senders(r));

  // One scan shared by every letter keeps the blob store light.
  const scan = await blobStore().putBuffer(samplePdf({
    agencyLines: [`PEMERINTAH ${REGION.toUpperCase()}`, 'DINAS KESEHATAN'], address: `Jl. Dr. Sutomo No. 5, ${REGION}`, place: 'Sindangraja',
    date: '2 Januari 2026', number: '400.14.2.1/001/Dinkes/I/2026', sifat: 'Biasa', lampiran: '-', hal: 'Contoh pindaian surat untuk uji beban',
    to: ['Kepala Dinas Komunikasi dan Informatika', REGION, 'di Tempat'], body: ['Dengan hormat,', 'Surat contoh.'],
    signerTitle: 'Kepala Dinas Kesehatan', signerName: 'NAMA PEJABAT (FIKTIF)', signerNip: '197001011995031001',
  }));
  await Blob.create({ sha256: scan.sha256, size: scan.size, mime: 'application/pdf' });

  const years = Math.min(10, Math.max(1, Math.ceil(o.letters / 100_000)));
  const days = workingDays(years, nowMs);
  const seqs = new Map<number, number>();
  const format = config().agendaFormat;
  const N = o.letters;
  let itemId = 0;
  const LCOLS = 'id, agenda_year, agenda_seq, agenda_number, sender_agency_id, sender_name, sender_number, letter_date, received_date, perihal, sifat, urgensi, klasifikasi_code, jenis_naskah_code, lampiran, summary, addressed_position_id, status, search_text, submission_key, created_by_id, version, created_at, updated_at';
  const ICOLS = 'id, letter_id, position_id, kind, received_at, unread, read_at, read_by_user_id, due_at, done_at';
  const FCOLS = 'id, letter_id, blob_sha, kind, original_name, mime, size, created_at';
  const DCOLS = 'id, letter_id, parent_id, from_position_id, from_user_id, from_acting, to_position_id, instructions, note, priority, due_at, status, read_at, read_by_user_id, completed_at, completed_by_user_id, completed_acting, result, version, created_at, updated_at';
  const INSTRUCTIONS = ['Tindak lanjuti', 'Pelajari dan laporkan', 'Siapkan jawaban', 'Koordinasikan', 'Untuk diketahui'];
  let dispId = 0;
  /** A disposition row from `from` to `to`, in a state that fits the letter's. */
  const disp = (letterId: number, parentId: number | null, from: InboxPosition, to: InboxPosition, at: number, letterStatus: LetterStatus): string => {
    const done = ['selesai', 'diarsipkan', 'dibalas'].includes(letterStatus);
    const read = done || r() < 0.7 ? Math.min(nowMs - 1000, at + (0.2 + r() * 24) * H) : null;
    const status = done ? 'selesai' : read === null ? 'terkirim' : letterStatus === 'diproses' ? 'diproses' : 'dibaca';
    const completed = status === 'selesai' ? Math.min(nowMs - 1000, read! + (1 + r() * 48) * H) : null;
    const ins = JSON.stringify([pick(r, INSTRUCTIONS), ...(r() < 0.3 ? [pick(r, INSTRUCTIONS)] : [])].filter((v, i, a) => a.indexOf(v) === i));
    return `(${++dispId},${letterId},${parentId ?? 'NULL'},${from.id},${from.holderId},NULL,${to.id},${str(ins)},${r() < 0.3 ? str('Mohon segera ditindaklanjuti sesuai ketentuan.') : 'NULL'},'biasa',${ts(at + 72 * H)},'${status}',`
      + `${read === null ? 'NULL' : ts(read)},${read === null ? 'NULL' : to.holderId},${completed === null ? 'NULL' : ts(completed)},${completed === null ? 'NULL' : to.holderId},NULL,${completed === null ? 'NULL' : str('Sudah ditindaklanjuti.')},0,${ts(at)},${ts(at)})`;
  };
  const other = (avoid: Set<number>): InboxPosition => {
    let p = pick(r, inbox);
    while (avoid.has(p.id)) p = inbox[(inbox.indexOf(p) + 1) % inbox.length];
    avoid.add(p.id);
    return p;
  };
  const headUser = await User.findOne({ where: { username: o.inboxUser } });
  const headPos = inbox.find((x) => x.holderId === headUser?.id);
  let newestHeadLetter: { id: number; at: number } | null = null;

  const item = (letterId: number, p: InboxPosition, kind: string, at: number, due: number): string => {
    const ageDays = (nowMs - at) / 86_400_000;
    const unread = ageDays < 7 ? r() < 0.6 : r() < 0.01;
    const readAt = unread ? null : Math.min(nowMs - 1000, at + (0.2 + r() * 48) * H);
    const doneAt = readAt !== null && ageDays > 14 && r() < 0.95 ? Math.min(nowMs - 1000, readAt + (1 + r() * 72) * H) : null;
    return `(${++itemId},${letterId},${p.id},'${kind}',${ts(at)},${unread ? 1 : 0},${readAt === null ? 'NULL' : ts(readAt)},${readAt === null ? 'NULL' : p.holderId},${ts(due)},${doneAt === null ? 'NULL' : ts(doneAt)})`;
  };

  const started = performance.now();
  let id = 0;
  const perTx = o.chunk * 5;
  while (id < N) {
    const txEnd = Math.min(N, id + perTx);
    await s.transaction(async (t: Transaction) => {
      if (!sqlite) await s.query('SET SESSION foreign_key_checks = 0, unique_checks = 0', { transaction: t });
      while (id < txEnd) {
        const end = Math.min(txEnd, id + o.chunk);
        const L: string[] = [];
        const I: string[] = [];
        const F: string[] = [];
        const D: string[] = [];
        const T: [string, number][] = [];
        for (; id < end; ) {
          const i = id++;
          const letterId = id;
          const pos = (i * days.length) / N;
          let at = days[Math.floor(pos)] + 0.5 * H + (pos % 1) * 8 * H; // 07:30-15:30 WIB
          if (at > nowMs - 60_000) at = nowMs - 60_000 - (N - i) * 1000;
          const d = new Date(at);
          const year = d.getUTCFullYear();
          const month = d.getUTCMonth() + 1;
          const seq = (seqs.get(year) ?? 0) + 1;
          seqs.set(year, seq);
          const agendaNumber = formatNumber(format, { seq, year, month });
          const ag = pickSender(r);
          const x = letterText(r, ag, year);
          const ld = new Date(at - between(r, 1, 6) * 86_400_000);
          const senderNumber = `${x.klas}/${String(between(r, 1, 1500)).padStart(3, '0')}/${ag.code}/${ROMAN[ld.getUTCMonth()]}/${ld.getUTCFullYear()}`;
          const to = pick(r, inbox);
          const ageDays = (nowMs - at) / 86_400_000;
          const sr = r();
          const status: LetterStatus = ageDays < 3 ? (sr < 0.6 ? 'baru' : 'didisposisi')
            : ageDays < 30 ? (sr < 0.1 ? 'baru' : sr < 0.5 ? 'didisposisi' : sr < 0.9 ? 'diproses' : 'dibalas')
              : (sr < 0.55 ? 'selesai' : sr < 0.85 ? 'diarsipkan' : sr < 0.95 ? 'dibalas' : 'diproses');
          const summary = x.summary || null;
          const searchText = searchTextOf({ agendaNumber, senderNumber, senderName: ag.name, perihal: x.perihal, summary });
          L.push(`(${letterId},${year},${seq},${str(agendaNumber)},${ag.id},${str(ag.name)},${str(senderNumber)},'${ld.toISOString().slice(0, 10)}','${d.toISOString().slice(0, 10)}',`
            + `${str(x.perihal)},'${x.sifat}','${x.urgensi}','${x.klas}','${x.jenis}',${str(x.lampiran)},${str(summary)},${to.id},'${status}',${str(searchText)},NULL,${clerk.id},0,${ts(at)},${ts(at)})`);
          for (const w of searchTerms(searchText)) T.push([w, letterId]);
          I.push(item(letterId, to, 'tujuan', at, at + DUE_HOURS[x.urgensi] * H));
          if (status !== 'baru') {
            // Disposed: the addressed official sends it to one or two positions, and some of
            // those send it one level further (the dispositions and their inbox entries).
            const used = new Set([to.id]);
            for (let k = r() < 0.7 ? 1 : 2; k > 0; k--) {
              const dp = other(used);
              const dAt = Math.min(nowMs - 2000, at + (1 + r() * 47) * H);
              I.push(item(letterId, dp, 'disposisi', dAt, dAt + 72 * H));
              D.push(disp(letterId, null, to, dp, dAt, status));
              const parent = dispId;
              if (r() < 0.4) {
                const dp2 = other(used);
                const d2At = Math.min(nowMs - 1000, dAt + (1 + r() * 24) * H);
                I.push(item(letterId, dp2, 'disposisi', d2At, d2At + 72 * H));
                D.push(disp(letterId, parent, dp, dp2, d2At, status));
              }
            }
          }
          if (headPos && to.id === headPos.id) newestHeadLetter = { id: letterId, at };
          F.push(`(${letterId},${letterId},'${scan.sha256}','scan',${str(`scan-${ag.code.toLowerCase()}-${letterId}.pdf`)},'application/pdf',${scan.size},${ts(at)})`);
        }
        await s.query(`INSERT INTO incoming_letters (${LCOLS}) VALUES ${L.join(',')}`, { transaction: t });
        await s.query(`INSERT INTO inbox_items (${ICOLS}) VALUES ${I.join(',')}`, { transaction: t });
        await s.query(`INSERT INTO incoming_letter_files (${FCOLS}) VALUES ${F.join(',')}`, { transaction: t });
        if (D.length) await s.query(`INSERT INTO dispositions (${DCOLS}) VALUES ${D.join(',')}`, { transaction: t });
        // The register's word index (modules/surat-masuk/letterSearch.ts), in key order.
        T.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
        await s.query(`INSERT INTO letter_search_terms (term, letter_id) VALUES ${T.map(([w, lid]) => `(${str(w)},${lid})`).join(',')}`, { transaction: t });
      }
      if (!sqlite) await s.query('SET SESSION foreign_key_checks = 1, unique_checks = 1', { transaction: t });
    });
    if (id % 100_000 === 0 || id === N) {
      const el = performance.now() - started;
      log(`    ${fmtInt(id)} letters, ${fmtInt(itemId)} inbox items, ${fmtInt(dispId)} dispositions  (${secs(el)}, ${fmtInt(Math.round(id / (el / 1000)))} letters/s)`);
    }
  }
  // The newest letter to the head of the agency gets a tree of 200 dispositions (issue #3's
  // worst case): each node sent by an earlier node's recipient, a bushy tree some levels deep.
  if (newestHeadLetter && headPos) {
    const { id: letterId, at } = newestHeadLetter;
    await s.query(`UPDATE incoming_letters SET status = 'didisposisi' WHERE id = ${letterId}`);
    const nodes: { id: number; to: InboxPosition }[] = [];
    const D: string[] = [];
    for (let k = 0; k < 200; k++) {
      const parent = k < 4 ? null : nodes[Math.floor(r() * nodes.length)];
      const from = parent ? parent.to : headPos;
      const to = other(new Set([from.id]));
      const dAt = Math.min(nowMs - 1000, at + (k + 1) * 60_000);
      D.push(disp(letterId, parent?.id ?? null, from, to, dAt, 'didisposisi'));
      nodes.push({ id: dispId, to });
    }
    await s.query(`INSERT INTO dispositions (${DCOLS}) VALUES ${D.join(',')}`);
  }
  for (const [year, value] of seqs) {
    await s.query('INSERT INTO sequences (name, value) VALUES (?, ?)', { replacements: [`agenda-surat-masuk:${year}`, value] });
  }
  return { items: itemId, dispositions: dispId };
}

async function seed(o: Opts): Promise<void> {
  const t0 = performance.now();
  log(`Preparing a fresh database: ${o.dbUrl}`);
  await freshDatabase(o);
  setBlobStore(new LocalBlobStore(o.blobDir));
  const s = await boot();
  const sqlite = isSqlite(s);
  const tMigrated = performance.now();
  log(`  migrated in ${secs(tMigrated - t0)}`);

  const r = rng(20261123);
  await seedDemo({ letters: false });
  await addStaff(r, await hashPassword(DEMO_PASSWORD));
  const tOrg = performance.now();
  log(`  demo organization + 26 staff positions (40 inbox users) in ${secs(tOrg - tMigrated)}`);

  // Full-text: SQLite fills its FTS5 table by trigger row by row; drop the trigger, load, rebuild once.
  // MariaDB maintains the FULLTEXT index as each transaction commits. (Dropping it and adding it back
  // after the load is faster, but on MariaDB 10.11 the re-added index then matched nothing.)
  let triggerSql: string | null = null;
  if (sqlite) {
    const rows = await s.query<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'incoming_letters_fts_ai'", { type: QueryTypes.SELECT });
    triggerSql = rows[0]?.sql ?? null;
    if (!triggerSql) throw new Error('FTS insert trigger incoming_letters_fts_ai not found');
    await s.query('DROP TRIGGER incoming_letters_fts_ai');
  }

  log(`  inserting ${fmtInt(o.letters)} letters in multi-row INSERTs of ${fmtInt(o.chunk)} rows, ${fmtInt(o.chunk * 5)} letters per transaction`);
  const { items, dispositions } = await seedLetters(o, s, r);
  const tLetters = performance.now();
  log(`  letters + ${fmtInt(items)} inbox items + ${fmtInt(dispositions)} dispositions + ${fmtInt(o.letters)} file rows in ${secs(tLetters - tOrg)}`);

  if (sqlite) {
    await s.query("INSERT INTO incoming_letters_fts(incoming_letters_fts) VALUES('rebuild')");
    await s.query(triggerSql!);
    await s.query('PRAGMA wal_checkpoint(TRUNCATE)');
  } else {
    // What InnoDB's background statistics would reach after this much change.
    for (const tb of ['incoming_letters', 'inbox_items', 'incoming_letter_files', 'dispositions']) await s.query(`ANALYZE TABLE ${tb}`);
  }
  const tFts = performance.now();
  log(`  ${sqlite ? 'FTS5 table rebuilt' : 'statistics (ANALYZE TABLE)'} in ${secs(tFts - tLetters)}`);
  log(`SEEDING TIME: ${secs(tFts - t0)} total (${fmtInt(o.letters)} letters, ${fmtInt(items)} inbox items, ${fmtInt(dispositions)} dispositions)`);
}

// ---------------------------------------------------------------- what to measure

interface Plan {
  letters: number; items: number; minId: number; maxId: number; deepCursor: number; deepFirstId: number;
  q: string; qMatches: number; qNewestId: number; qFirstPage: number[]; inboxItems: number; inboxUnread: number;
  /** Dispositions in the database; the inbox user's newest letter with a small tree, and the letter with the largest tree. */
  dispositions: number; smallTree: { id: number; nodes: number } | null; bigTree: { id: number; nodes: number } | null;
}

async function countMatches(s: Sequelize, word: string): Promise<{ n: number; newest: number }> {
  const rows = isSqlite(s)
    ? await s.query<{ n: number; newest: number }>('SELECT count(*) AS n, max(rowid) AS newest FROM incoming_letters_fts WHERE incoming_letters_fts MATCH ?', { replacements: [`"${word}"*`], type: QueryTypes.SELECT })
    : await s.query<{ n: number; newest: number }>('SELECT count(*) AS n, max(id) AS newest FROM incoming_letters WHERE MATCH(search_text) AGAINST(? IN BOOLEAN MODE)', { replacements: [`+${word}*`], type: QueryTypes.SELECT });
  return { n: Number(rows[0].n), newest: Number(rows[0].newest ?? 0) };
}

async function plan(o: Opts): Promise<Plan> {
  const s = db();
  const one = async (sql: string, rep: unknown[] = []) => (await s.query<Record<string, number | string>>(sql, { replacements: rep, type: QueryTypes.SELECT }))[0];
  const st = await one('SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM incoming_letters');
  const letters = Number(st.n);
  if (!letters) throw new Error('the database has no letters: run without --reuse');
  const items = Number((await one('SELECT count(*) AS n FROM inbox_items')).n);
  // The register cursor at 90% depth: 90% of the letters are newer than it.
  const deepCursor = Number((await one(`SELECT id FROM incoming_letters ORDER BY id DESC LIMIT 1 OFFSET ${Math.floor(letters * 0.9)}`)).id);
  const deepFirstId = Number((await one('SELECT max(id) AS id FROM incoming_letters WHERE id < ?', [deepCursor])).id);
  let q = o.q;
  let m: { n: number; newest: number };
  if (q) m = await countMatches(s, q);
  else {
    const counted: [string, { n: number; newest: number }][] = [];
    for (const w of SEARCH_CANDIDATES) counted.push([w, await countMatches(s, w)]);
    counted.sort((a, b) => Math.abs(a[1].n / letters - 0.005) - Math.abs(b[1].n / letters - 0.005));
    [q, m] = counted[0];
  }
  if (!m.n) throw new Error(`the search word "${q}" matches no letter: the full-text index is empty or the word is wrong`);
  // The search's first page: the 50 newest matches, less the confidential ones outside the
  // register user's chain (a search never lists those, not even masked; the page may be short).
  const top = isSqlite(s)
    ? await s.query<{ id: number }>('SELECT rowid AS id FROM incoming_letters_fts WHERE incoming_letters_fts MATCH ? ORDER BY rowid DESC LIMIT 50', { replacements: [`"${q}"*`], type: QueryTypes.SELECT })
    : await s.query<{ id: number }>('SELECT id FROM incoming_letters WHERE MATCH(search_text) AGAINST(? IN BOOLEAN MODE) ORDER BY id DESC LIMIT 50', { replacements: [`+${q}*`], type: QueryTypes.SELECT });
  const topIds = top.map((r) => Number(r.id));
  const hidden = new Set((topIds.length ? await s.query<{ id: number }>(`SELECT l.id AS id FROM incoming_letters l WHERE l.id IN (${topIds.join(',')})
    AND l.sifat IN ('rahasia', 'sangat_rahasia') AND NOT EXISTS (SELECT 1 FROM inbox_items ii JOIN assignments a ON a.position_id = ii.position_id
      JOIN users u ON u.id = a.user_id AND u.username = ? AND a.end_date IS NULL WHERE ii.letter_id = l.id)`, { replacements: [o.registerUser], type: QueryTypes.SELECT }) : []).map((r) => Number(r.id)));
  const qFirstPage = topIds.filter((id) => !hidden.has(id));
  const user = await User.findOne({ where: { username: o.inboxUser } });
  if (!user) throw new Error(`no user ${o.inboxUser}`);
  const dispositions = Number((await one('SELECT count(*) AS n FROM dispositions')).n);
  const treeOf = async (sql: string, rep: unknown[]) => {
    const row = await one(sql, rep);
    return row && row.id ? { id: Number(row.id), nodes: Number(row.n) } : null;
  };
  const headLetters = `SELECT l.id AS id, (SELECT count(*) FROM dispositions d WHERE d.letter_id = l.id) AS n FROM incoming_letters l
    JOIN assignments a ON a.position_id = l.addressed_position_id AND a.user_id = ? AND a.end_date IS NULL`;
  const smallTree = await treeOf(`${headLetters} WHERE EXISTS (SELECT 1 FROM dispositions d WHERE d.letter_id = l.id)
    AND (SELECT count(*) FROM dispositions d WHERE d.letter_id = l.id) < 10 ORDER BY l.id DESC LIMIT 1`, [user.id]);
  const bigTree = await treeOf(`${headLetters} WHERE (SELECT count(*) FROM dispositions d WHERE d.letter_id = l.id) >= 100 ORDER BY l.id DESC LIMIT 1`, [user.id]);
  // The letter-page targets are opened by the inbox user's sessions, and opening a letter marks it
  // read: the unread counter the inbox shows is the count without those letters, from the first
  // check on (on a fresh database they are still unread now; on a reused one they are read already).
  const measuredKey = (k: string) => !o.only || o.only.includes(k);
  const opened = [measuredKey('letter') ? smallTree?.id : 0, measuredKey('tree') ? bigTree?.id : 0].filter((x): x is number => !!x);
  const ib = await one(`SELECT count(*) AS n, sum(CASE WHEN ii.unread${opened.length ? ` AND ii.letter_id NOT IN (${opened.join(',')})` : ''} THEN 1 ELSE 0 END) AS u FROM inbox_items ii
    JOIN assignments a ON a.position_id = ii.position_id AND a.user_id = ? AND a.end_date IS NULL`, [user.id]);
  return { letters, items, minId: Number(st.lo), maxId: Number(st.hi), deepCursor, deepFirstId, q: q!, qMatches: m.n, qNewestId: m.newest, qFirstPage,
    inboxItems: Number(ib.n), inboxUnread: Number(ib.u ?? 0), dispositions, smallTree, bigTree };
}

// ---------------------------------------------------------------- server child

function bareApp(): express.Express {
  const app = express();
  app.set('views', __dirname);
  app.set('view engine', 'ejs');
  app.disable('x-powered-by');
  const rows = Array.from({ length: 50 }, (_, i) => ({
    id: 1000 - i, agenda: `${String(1000 - i).padStart(4, '0')}/SM/2026`, date: '23 November 2026', sender: 'Dinas Pendidikan dan Kebudayaan',
    number: `400.14.2.1/${100 + i}/Disdikbud/XI/2026`, perihal: `Permohonan Subdomain layanan${i}.disdikbud.sindangrajakab.go.id beserta hosting`,
    sifat: 'biasa', status: 'Baru',
  }));
  app.get('/', (_req, res) => res.render('bare', { title: 'Buku Agenda Surat Masuk', rows }));
  return app;
}

async function serve(): Promise<void> {
  setBlobStore(new LocalBlobStore(config().blobDir));
  const s = await boot({ migrate: false });
  const handle = createApp(s);
  const listen = (app: express.Express) => new Promise<import('node:http').Server>((resolve) => { const srv = app.listen(0, '127.0.0.1', () => resolve(srv)); });
  const main = await listen(handle.app);
  const bare = await listen(bareApp());
  const port = (srv: import('node:http').Server) => (srv.address() as import('node:net').AddressInfo).port;
  process.send!({ app: port(main), bare: port(bare) });
  const stop = () => { main.close(); bare.close(); main.closeAllConnections(); bare.closeAllConnections(); handle.close(); void s.close().finally(() => process.exit(0)); };
  // The resident memory's peak since the last probe, sampled every 100 ms.
  let peak = process.memoryUsage.rss();
  setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 100).unref();
  process.on('message', (m) => {
    if (m !== 'cpu') return;
    process.send!({ cpu: process.cpuUsage(), rss: Math.max(peak, process.memoryUsage.rss()) });
    peak = process.memoryUsage.rss();
  });
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

// ---------------------------------------------------------------- measuring

const PROXY = { 'x-forwarded-proto': 'https', accept: 'text/html' };

function sidOf(res: Response): string | null {
  for (const c of res.headers.getSetCookie()) if (c.startsWith('naskah.sid=')) return c.split(';')[0];
  return null;
}

async function signIn(base: string, login: string): Promise<string> {
  // A visitor has no session yet: the sign-in page's CSRF token comes in a signed cookie of its own.
  const page = await fetch(`${base}/masuk`, { headers: PROXY, redirect: 'manual' });
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!cookie || !token) throw new Error(`GET /masuk gave no cookie or CSRF token (status ${page.status})`);
  const res = await fetch(`${base}/masuk`, {
    method: 'POST', redirect: 'manual',
    headers: { ...PROXY, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, login, password: DEMO_PASSWORD }).toString(),
  });
  const sid = sidOf(res);
  if (res.status !== 302 || !sid) throw new Error(`sign-in of ${login} failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return sid;
}

/** A page to measure; `headers` per connection (each signed-in connection has its own session, as separate users would). */
interface Target { key: string; label: string; url: string; headers: Record<string, string>[]; check: (html: string) => string | null }
interface Row { t: Target; bytes: number; p50: number; p95: number; p99: number; rps: number; n: number; non2xx: number; errors: number; timeouts: number; codes: string; cpuMs: number; sysMs: number; rssMiB: number }

const count = (html: string, needle: string) => html.split(needle).length - 1;
const registerIds = (html: string) => [...html.matchAll(/<td data-label="No. Agenda"><a href="\/surat-masuk\/(\d+)">/g)].map((m) => Number(m[1]));

function targets(p: Plan, appBase: string, bareBase: string, sid: { inbox: string[]; register: string[] }): Target[] {
  const h = (cookies: string[] | null) => (cookies ? cookies.map((cookie) => ({ ...PROXY, cookie })) : [{ ...PROXY }]);
  const newestFirst = (ids: number[]) => ids.every((x, i) => i === 0 || x < ids[i - 1]);
  return [
    { key: 'bare', label: 'bare Express+EJS', url: `${bareBase}/`, headers: h(null),
      check: (html) => (count(html, '<td data-label="No. Agenda">') === 50 ? null : 'expected 50 rows') },
    { key: 'inbox', label: 'inbox /kotak-masuk', url: `${appBase}/kotak-masuk`, headers: h(sid.inbox),
      check: (html) => {
        if (!html.includes('data-testid="inbox"')) return 'no inbox list';
        const n = count(html, 'class="inbox-item ');
        if (n !== Math.min(30, p.inboxItems)) return `expected ${Math.min(30, p.inboxItems)} items, got ${n}`;
        if (!html.includes(`${p.inboxUnread} belum dibaca`)) return `unread counter ${p.inboxUnread} not shown`;
        return null;
      } },
    { key: 'first', label: 'register first page', url: `${appBase}/surat-masuk`, headers: h(sid.register),
      check: (html) => {
        const ids = registerIds(html);
        if (ids.length !== 50 || ids[0] !== p.maxId || !newestFirst(ids)) return `expected 50 rows from id ${p.maxId}, got ${ids.length} from ${ids[0]}`;
        return html.includes(`setelah=${ids[49]}`) ? null : 'no next-page link';
      } },
    { key: 'deep', label: 'register deep (90%)', url: `${appBase}/surat-masuk?setelah=${p.deepCursor}`, headers: h(sid.register),
      check: (html) => {
        const ids = registerIds(html);
        return ids.length === 50 && ids[0] === p.deepFirstId && newestFirst(ids) ? null : `expected 50 rows from id ${p.deepFirstId}, got ${ids.length} from ${ids[0]}`;
      } },
    { key: 'search', label: `search q=${p.q}`, url: `${appBase}/surat-masuk?q=${encodeURIComponent(p.q)}`, headers: h(sid.register),
      check: (html) => {
        const ids = registerIds(html);
        const want = p.qFirstPage;
        return ids.join(',') === want.join(',') ? null : `expected ${want.length} rows from id ${want[0]}, got ${ids.length} from ${ids[0]}`;
      } },
    { key: 'dash', label: 'leader dashboard /dasbor', url: `${appBase}/dasbor`, headers: h(sid.inbox),
      check: (html) => (html.includes('Dasbor Pimpinan') && html.includes('Rata-rata') ? null : 'no dashboard') },
    ...[['letter', p.smallTree], ['tree', p.bigTree]].flatMap(([key, tree]) => {
      const t = tree as Plan['smallTree'];
      if (!t) return [];
      // A large tree opens paged (its upper levels and the reader's own nodes); ?pohon=semua shows it whole.
      const paged = { key: key as string, label: `letter page, ${t.nodes}-node tree`, url: `${appBase}/surat-masuk/${t.id}`, headers: h(sid.inbox),
        check: (html: string) => {
          const n = count(html, 'data-testid="disposition"');
          return n === t.nodes || (n < t.nodes && html.includes(`dari ${t.nodes} disposisi`)) ? null : `expected ${t.nodes} disposition nodes or a paged tree, got ${n}`;
        } };
      const whole = { key: 'treeall', label: `letter page, ${t.nodes}-node tree whole`, url: `${appBase}/surat-masuk/${t.id}?pohon=semua`, headers: h(sid.inbox),
        check: (html: string) => {
          const n = count(html, 'data-testid="disposition"');
          return n === t.nodes ? null : `expected ${t.nodes} disposition nodes, got ${n}`;
        } };
      return key === 'tree' ? [paged, whole] : [paged];
    }),
  ];
}

async function verify(t: Target): Promise<number> {
  const res = await fetch(t.url, { headers: t.headers[0], redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${t.label}: GET ${t.url} answered ${res.status} ${res.headers.get('location') ?? ''}`);
  const problem = t.check(html);
  if (problem) throw new Error(`${t.label}: GET ${t.url}: ${problem}`);
  return Buffer.byteLength(html);
}

function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function load(t: Target, o: Opts, seconds: number): Promise<{ times: number[]; result: autocannon.Result }> {
  const times: number[] = [];
  let next = 0;
  const inst = autocannon({ url: t.url, headers: t.headers[0], connections: o.connections, duration: seconds, timeout: 30,
    setupClient: (client) => client.setHeaders(t.headers[next++ % t.headers.length]) });
  inst.on('response', (_c: unknown, _code: number, _bytes: number, ms: number) => { times.push(ms); });
  const result = await inst;
  return { times, result };
}

/** CPU time (ms) the server process has used so far: user + system, and the system (kernel) part. */
type CpuProbe = () => Promise<{ total: number; sys: number; rssMiB: number }>;

async function measure(t: Target, o: Opts, cpu: CpuProbe): Promise<Row> {
  const bytes = await verify(t);
  if (o.warmup > 0) await load(t, o, o.warmup);
  const cpu0 = await cpu();
  const { times, result } = await load(t, o, o.duration);
  const cpu1 = await cpu();
  const cpuMs = cpu1.total - cpu0.total;
  times.sort((a, b) => a - b);
  // Still right after the load: every page answers as it did before.
  await verify(t);
  const codes = Object.entries(result.statusCodeStats).map(([c, v]) => `${c}:${v.count}`).join(' ');
  return { t, bytes, p50: percentile(times, 0.5), p95: percentile(times, 0.95), p99: percentile(times, 0.99),
    rps: times.length / result.duration, n: times.length, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, codes,
    cpuMs: times.length ? cpuMs / times.length : NaN, sysMs: times.length ? (cpu1.sys - cpu0.sys) / times.length : NaN, rssMiB: cpu1.rssMiB };
}

function table(rows: Row[]): string {
  const bare = rows.find((r) => r.t.key === 'bare');
  const head = ['page', 'p50 ms', 'p95 ms', 'p99 ms', 'req/s', 'vs bare', 'requests', 'non-2xx', 'errors', 'KB/page', 'server CPU ms/req', 'server RSS MiB'];
  const body = rows.map((r) => [r.t.label, r.p50.toFixed(1), r.p95.toFixed(1), r.p99.toFixed(1), r.rps.toFixed(0),
    bare ? `${((r.rps / bare.rps) * 100).toFixed(1)}%` : '-', fmtInt(r.n), String(r.non2xx), String(r.errors + r.timeouts), (r.bytes / 1024).toFixed(1), r.cpuMs.toFixed(2), r.rssMiB.toFixed(0)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |`;
  return [line(head), `|${w.map((x, i) => (i === 0 ? '-'.repeat(x + 2) : `${'-'.repeat(x + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const o = options();
  const env = benchEnv(o);
  setConfig(loadConfig(env));
  const dialect = config().db.dialect === 'sqlite' ? 'SQLite' : 'MariaDB';
  log(`Naskah register load benchmark: ${dialect}, ${o.reuse ? 'existing database' : `${fmtInt(o.letters)} letters`}, ${o.connections} connections, ${o.duration} s per page (+${o.warmup} s warm-up)`);

  if (o.reuse) {
    setBlobStore(new LocalBlobStore(o.blobDir));
    await boot();
  } else await seed(o);
  const p = await plan(o);
  await db().close();
  log(`Data: ${fmtInt(p.letters)} letters (ids ${p.minId}-${p.maxId}), ${fmtInt(p.items)} inbox items, ${fmtInt(p.dispositions)} dispositions; ${o.inboxUser}: ${fmtInt(p.inboxItems)} inbox items, ${fmtInt(p.inboxUnread)} unread`);
  log(`      deep cursor setelah=${p.deepCursor} (90% of the register is newer); search "${p.q}" matches ${fmtInt(p.qMatches)} letters (${((p.qMatches / p.letters) * 100).toFixed(2)}%)`);

  // BENCH_PROFILE=DIR writes a CPU profile of the server process there.
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  // The server runs with npm start's V8 flag (heap growth bounded), so its memory is the deployed one's.
  const child = fork(__filename, ['--serve'], { env, execArgv: [...process.execArgv, '--heap-growing-percent=30', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ports = await new Promise<{ app: number; bare: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { app: number; bare: number }));
      child.once('exit', (code) => reject(new Error(`server process exited (${code})`)));
    });
    const appBase = `http://127.0.0.1:${ports.app}`;
    const cpu: CpuProbe = () => new Promise((resolve) => {
      const on = (m: unknown) => {
        const { cpu: c, rss } = m as { cpu?: NodeJS.CpuUsage; rss?: number };
        if (c) { child.off('message', on); resolve({ total: (c.user + c.system) / 1000, sys: c.system / 1000, rssMiB: (rss ?? 0) / 1048576 }); }
      };
      child.on('message', on);
      child.send('cpu');
    });
    const sid: { inbox: string[]; register: string[] } = { inbox: [], register: [] };
    for (let i = 0; i < o.connections; i++) {
      sid.inbox.push(await signIn(appBase, o.inboxUser));
      sid.register.push(await signIn(appBase, o.registerUser));
    }
    const all = targets(p, appBase, `http://127.0.0.1:${ports.bare}`, sid);
    // BENCH_EXTRA=/healthz,/profil: more pages (as the secretariat user) for diagnosis; only a 200 is checked.
    for (const u of (process.env.BENCH_EXTRA ?? '').split(',').filter(Boolean)) {
      all.push({ key: u, label: u, url: `${appBase}${u}`, headers: sid.register.map((cookie) => ({ ...PROXY, cookie })), check: () => null });
    }
    const measured = all.filter((x) => !o.only || o.only.includes(x.key) || x.key.startsWith('/'));
    // Letter pages first: opening them marks them read, which the inbox's unread counter then shows.
    const opensFirst = [...measured].sort((a, b) => Number(['letter', 'tree'].includes(b.key)) - Number(['letter', 'tree'].includes(a.key)));
    for (const t of opensFirst) log(`  check ${t.label.padEnd(24)} 200, ${(await verify(t)) / 1024 | 0} KB, content as expected`);
    const rows: Row[] = [];
    for (const t of measured) {
      if (o.quietWait > 0) await waitForQuiet(o.quietWait);
      process.stdout.write(`  measuring ${t.label} (${hostLoad()}) ... `);
      const r = await measure(t, o, cpu);
      rows.push(r);
      log(`p95 ${r.p95.toFixed(1)} ms, ${r.rps.toFixed(0)} req/s, ${r.cpuMs.toFixed(2)} ms server CPU/req (${r.sysMs.toFixed(2)} of it in the kernel), status ${r.codes}${r.errors || r.timeouts ? `, ${r.errors} errors ${r.timeouts} timeouts` : ''} (after: ${hostLoad()})`);
    }
    log('');
    log(`Results: ${dialect}, ${fmtInt(p.letters)} letters, ${o.connections} connections, ${o.duration} s each (node ${process.version}; host now: ${hostLoad()})`);
    log(table(rows));
    const by = (k: string) => rows.find((r) => r.t.key === k);
    const first = by('first'), deep = by('deep'), bare = by('bare');
    const appRows = rows.filter((r) => r.t.key !== 'bare');
    if (first && deep) log(`deep/first p95 ratio: ${(deep.p95 / first.p95).toFixed(2)}`);
    const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');
    if (appRows.length) {
      log('Goals:');
      const worst = appRows.reduce((a, b) => (b.p95 > a.p95 ? b : a));
      log(`  p95 under 100 ms on every page ............ ${verdict(appRows.every((r) => r.p95 < 100))} (max ${worst.p95.toFixed(1)} ms: ${worst.t.label})`);
      if (first && deep) log(`  deep page p95 within 1.5x of the first .... ${verdict(deep.p95 <= 1.5 * first.p95)} (${(deep.p95 / first.p95).toFixed(2)}x)`);
      if (bare) {
        const low = appRows.reduce((a, b) => (b.rps < a.rps ? b : a));
        log(`  throughput at least 25% of the bare page .. ${verdict(appRows.every((r) => r.rps >= 0.25 * bare.rps))} (min ${((low.rps / bare.rps) * 100).toFixed(1)}%: ${low.t.label})`);
      }
      const fat = rows.reduce((a, b) => (b.rssMiB > a.rssMiB ? b : a));
      log(`  server resident memory under 300 MiB ..... ${verdict(fat.rssMiB < 300)} (peak ${fat.rssMiB.toFixed(0)} MiB, during ${fat.t.label}; app and bare page in one process, no Chromium)`);
    }
    const bad = rows.filter((r) => r.non2xx || r.errors || r.timeouts);
    log(bad.length ? `NON-2XX OR ERRORS: ${bad.map((r) => `${r.t.label}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`).join('; ')}` : 'non-2xx responses: 0 on every page; errors: 0');
    if (bad.length) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv.includes('--serve')) {
  serve().catch((err) => { console.error(err); process.exit(1); });
} else {
  main().catch((err) => { console.error(err); process.exit(1); });
}
