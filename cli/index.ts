import { parseArgs } from 'node:util';
import readline from 'node:readline';
import { config } from '../config';
import { boot, isEmpty } from '../platform/boot';
import { db } from '../platform/db';
import { migrator } from '../platform/migrator';
import { verifyChain } from '../platform/audit';
import { verifyBlobs, sweepBlobs } from '../platform/blobMaintenance';
import { createUser, resetPassword } from '../modules/org';
import { ValidationError } from '../platform/errors';
import { seedDemo, DEMO_USERS, DEMO_PASSWORD } from '../seed/demo';
import { templatePreviewCommand } from './templatePreview';
import { bsreMockCommand } from './bsreMock';
import { certDevCaCommand, signCommand, verifyCommand } from './signing';

const HELP = `Naskah: perintah operator

  naskah migrate [up|down|status]     jalankan / batalkan satu / tampilkan migrasi
  naskah seed --demo                  isi organisasi dan surat contoh (basis data harus kosong)
  naskah user:create --username U --name "Nama" [--nip 18DIGIT] [--email E] [--admin]
                                      buat pengguna (kata sandi dari NASKAH_PASSWORD atau ditanyakan)
  naskah user:reset-password <username|NIP>
                                      ganti kata sandi (dari NASKAH_PASSWORD atau ditanyakan)
  naskah audit:verify                 periksa rantai hash log audit
  naskah blobs:verify                 hitung ulang SHA-256 setiap berkas dan laporkan yang rusak/hilang
  naskah blobs:sweep [--grace-hours N] [--dry-run]
                                      hapus berkas yatim yang lebih tua dari masa tenggang
  naskah template:preview <templat> [--data berkas.json] --out berkas.pdf
                                      buat PDF pratinjau templat surat (data contoh bila --data tidak diberikan)
  naskah cert:dev-ca [--out DIR] [--passphrase P]
                                      buat CA lokal dan P12 untuk penanda tangan contoh (hanya pengembangan)
  naskah sign <masuk.pdf> --p12 <berkas.p12> --out <keluar.pdf> [--reason R] [--location L] [--nip NIP]
                                      tandatangani PDF (passphrase dari NASKAH_P12_PASSPHRASE atau ditanyakan)
  naskah bsre:mock [--port 8089] [--host 127.0.0.1] [--user esign] [--password esign] [--passphrase P]
                 [--latency MS] [--mode normal|hold|vpn_down] [--hold MS] [--users berkas.json]
                                      jalankan tiruan BSrE Esign Client Service (v1 dan v2) untuk uji dan demo;
                                      setiap pengguna ber-NIK di basis data terdaftar berstatus ISSUE
  naskah verify <berkas.pdf> [--ca ca.pem]
                                      periksa setiap tanda tangan, apakah dokumen diubah sesudahnya,
                                      dan apakah surat tercatat di registri basis data (DB_URL)

Konfigurasi dari variabel lingkungan (DB_URL, BLOB_DIR, ...), sama dengan server.`;

async function askHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = readline.createInterface({ input: process.stdin });
    for await (const line of rl) { rl.close(); return line; }
    return '';
  }
  return new Promise((resolve) => {
    process.stdout.write(question);
    let s = '';
    process.stdin.setRawMode(true);
    process.stdin.resume();
    const onData = (b: Buffer) => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          process.stdin.setRawMode(false); process.stdin.pause(); process.stdin.off('data', onData);
          process.stdout.write('\n'); return resolve(s);
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f') s = s.slice(0, -1); else s += ch;
      }
    };
    process.stdin.on('data', onData);
  });
}

async function passwordFromEnvOrPrompt(): Promise<string> {
  if (process.env.NASKAH_PASSWORD) return process.env.NASKAH_PASSWORD;
  const a = await askHidden('Kata sandi baru: ');
  const b = process.stdin.isTTY ? await askHidden('Ulangi kata sandi: ') : a;
  if (a !== b) throw new ValidationError({ password: 'Kedua kata sandi tidak sama.' });
  return a;
}

export async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') { console.log(HELP); return cmd ? 0 : 1; }
  config();
  switch (cmd) {
    case 'migrate': {
      const sub = rest[0] ?? 'up';
      await boot({ migrate: false });
      const m = migrator(db());
      if (sub === 'up') { const done = await m.up(); console.log(done.length ? `Migrasi dijalankan: ${done.map((d) => d.name).join(', ')}` : 'Skema sudah mutakhir.'); }
      else if (sub === 'down') { const undone = await m.down(); console.log(undone.length ? `Migrasi dibatalkan: ${undone.map((d) => d.name).join(', ')}` : 'Tidak ada migrasi untuk dibatalkan.'); }
      else if (sub === 'status') {
        for (const x of await m.executed()) console.log(`  [x] ${x.name}`);
        for (const x of await m.pending()) console.log(`  [ ] ${x.name}`);
      } else { console.error(`Subperintah migrate tidak dikenal: ${sub} (up, down, status)`); return 2; }
      return 0;
    }
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } } });
      if (!values.demo) { console.error('Gunakan: naskah seed --demo'); return 2; }
      await boot();
      if (!(await isEmpty())) { console.error('Basis data sudah berisi pengguna; data contoh hanya diisi ke basis data kosong.'); return 1; }
      await seedDemo();
      console.log(`Data contoh terisi. Akun (kata sandi: ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => u.username).join(', ')}`);
      return 0;
    }
    case 'user:create': {
      const { values } = parseArgs({ args: rest, options: { username: { type: 'string' }, name: { type: 'string' }, nip: { type: 'string' }, email: { type: 'string' }, admin: { type: 'boolean' } } });
      await boot();
      const password = await passwordFromEnvOrPrompt();
      const u = await createUser({ username: values.username ?? '', name: values.name ?? '', nip: values.nip ?? null, email: values.email ?? null, isAdmin: !!values.admin, password });
      console.log(`Pengguna dibuat: ${u.username} (id ${u.id})${u.isAdmin ? ', administrator' : ''}.`);
      return 0;
    }
    case 'user:reset-password': {
      const who = rest[0];
      if (!who) { console.error('Gunakan: naskah user:reset-password <username|NIP>'); return 2; }
      await boot();
      const password = await passwordFromEnvOrPrompt();
      const u = await resetPassword(who, password);
      console.log(`Kata sandi ${u.username} diganti; percobaan masuk yang gagal direset.`);
      return 0;
    }
    case 'audit:verify': {
      await boot();
      const { count, problems } = await verifyChain();
      if (!problems.length) { console.log(`Log audit utuh: ${count} kejadian, rantai hash cocok.`); return 0; }
      console.error(`Log audit RUSAK: ${problems.length} masalah dari ${count} kejadian:`);
      for (const p of problems) console.error(`  ${p.seq === null ? '(akhir)' : `seq ${p.seq}`}: ${p.problem}`);
      return 1;
    }
    case 'blobs:verify': {
      await boot();
      const r = await verifyBlobs();
      for (const s of r.missing) console.error(`  HILANG  ${s}`);
      for (const s of r.corrupt) console.error(`  RUSAK   ${s}`);
      console.log(`${r.checked} berkas diperiksa; ${r.missing.length} hilang, ${r.corrupt.length} rusak.`);
      return r.missing.length || r.corrupt.length ? 1 : 0;
    }
    case 'blobs:sweep': {
      const { values } = parseArgs({ args: rest, options: { 'grace-hours': { type: 'string' }, 'dry-run': { type: 'boolean' } } });
      const hours = values['grace-hours'] !== undefined ? Number(values['grace-hours']) : config().blobSweepGraceHours;
      if (!Number.isFinite(hours) || hours < 0) { console.error('--grace-hours harus bilangan >= 0.'); return 2; }
      await boot();
      const r = await sweepBlobs(hours * 3_600_000, { dryRun: !!values['dry-run'] });
      console.log(`${values['dry-run'] ? '(uji coba) akan dihapus' : 'Dihapus'}: ${r.removed.length} berkas yatim; ${r.tmpRemoved} berkas sementara; ${r.keptYoung} berkas lebih muda dari ${hours} jam tidak disentuh.`);
      return 0;
    }
    case 'template:preview':
      return templatePreviewCommand(rest);
    case 'cert:dev-ca':
      return certDevCaCommand(rest);
    case 'sign':
      return signCommand(rest, askHidden);
    case 'bsre:mock':
      return bsreMockCommand(rest);
    case 'verify':
      return verifyCommand(rest);
    default:
      console.error(`Perintah tidak dikenal: ${cmd}\n\n${HELP}`);
      return 2;
  }
}

if (require.main === module || process.argv[1]?.endsWith('naskah.js') || process.argv[1]?.endsWith('naskah')) {
  run(process.argv.slice(2))
    .then(async (code) => { try { await db().close(); } catch { /* not connected */ } process.exit(code); })
    .catch(async (err) => {
      if (err instanceof ValidationError) console.error(Object.values(err.fields).join('\n') || err.message);
      else console.error(`Gagal: ${err instanceof Error ? err.message : String(err)}`);
      try { await db().close(); } catch { /* not connected */ }
      process.exit(1);
    });
}
