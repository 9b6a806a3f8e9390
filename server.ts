import { config } from './config';
import { boot, isEmpty } from './platform/boot';
import { createApp } from './app';
import { seedDemo, DEMO_USERS, DEMO_PASSWORD } from './seed/demo';
import { startScheduler, stopScheduler } from './platform/scheduler';
import { sweepDeadlines } from './modules/disposisi';
import { sweepDomainCases } from './modules/domain';
import { requeueStuckEmails } from './platform/mailer';
import { deliverDispatchEmails, sweepAttempts, checkSigningService, warnExpiringCertificates } from './modules/ttd';
import { closePdfRenderer } from './platform/pdfRenderer';

// Listens; nothing else. The app is built in app.ts so tests can drive it without a port.
async function main(): Promise<void> {
  let c;
  try { c = config(); } catch (err) { console.error((err as Error).message); process.exit(1); }
  // Sequelize captures a stack for every query and formats it at once; with source maps that
  // formatting cost ~10% of the server's CPU under load (CPU profile, bench/office-load.ts).
  process.setSourceMapsEnabled(c.sourceMaps);
  const sequelize = await boot();
  if (c.demoSeed === 'auto' && (await isEmpty())) {
    console.log('Basis data kosong: mengisi organisasi dan surat contoh...');
    await seedDemo();
  }
  const { app } = createApp(sequelize);
  const server = app.listen(c.port, c.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : c.port;
    console.log(`\nNaskah berjalan di http://localhost:${port}  (basis data: ${c.db.dialect === 'sqlite' ? c.db.storage : c.db.database})`);
    if (!c.chromiumPath) console.log('PERINGATAN: Chromium tidak ditemukan; halaman PDF akan memberi tahu. Pasang paket "chromium" atau atur CHROMIUM_PATH.');
    if (c.demoSeed === 'auto') {
      console.log(`\nAkun demo (kata sandi semua: ${DEMO_PASSWORD}):`);
      for (const u of DEMO_USERS) console.log(`  ${u.username.padEnd(12)} ${u.role}`);
    }
    // E-mails a crash left half-sent go back in the queue; then the background jobs start.
    requeueStuckEmails()
      .catch((err) => console.error('Gagal mengembalikan antrean e-mail:', err))
      .finally(() => {
        if (c.schedulerIntervalMs > 0 && !stopping) {
          startScheduler({ intervalMs: c.schedulerIntervalMs, jobs: [{ name: 'tenggat disposisi', run: sweepDeadlines }, { name: 'e-mail surat keluar', run: deliverDispatchEmails }, { name: 'kasus domain', run: sweepDomainCases },
            { name: 'percobaan TTE', run: sweepAttempts }, { name: 'layanan TTE', run: checkSigningService }, { name: 'sertifikat berakhir', run: warnExpiringCertificates }] });
          console.log(`Penjadwal tenggat berjalan tiap ${c.schedulerIntervalMs / 1000} detik.`);
        }
      });
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Let a sweep in progress finish its transaction (at most 10 s) before the database closes.
    const settled = Promise.race([stopScheduler().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
    // Requests in flight finish; idle keep-alive connections close now; whatever is left after
    // 20 s is cut off, so a stop never hangs.
    setTimeout(() => { console.error('Berhenti paksa: permintaan belum selesai setelah 20 detik.'); process.exit(1); }, 20_000).unref();
    void settled.then(() => {
      server.close(() => Promise.all([sequelize.close(), closePdfRenderer()]).then(() => process.exit(0), () => process.exit(1)));
      server.closeIdleConnections();
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error('Naskah gagal dijalankan:', err instanceof Error ? err.message : err);
  process.exit(1);
});
