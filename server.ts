import { config } from './config';
import { boot, isEmpty } from './lib/boot';
import { createApp } from './app';
import { seedDemo, DEMO_USERS, DEMO_PASSWORD } from './seed/demo';

// Listens; nothing else. The app is built in app.ts so tests can drive it without a port.
async function main(): Promise<void> {
  let c;
  try { c = config(); } catch (err) { console.error((err as Error).message); process.exit(1); }
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
  });
  const stop = () => server.close(() => sequelize.close().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error('Naskah gagal dijalankan:', err instanceof Error ? err.message : err);
  process.exit(1);
});
