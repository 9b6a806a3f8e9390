import { expect } from 'chai';
import { config, loadConfig, parseDbUrl, setConfig } from '../config';
import { formatNumber } from '../lib/numbering';
import { tanggal, tanggalJam, parseIsoDate, today } from '../platform/dates';
import { nipProblem } from '../modules/org/org';

describe('Configuration', () => {
  const ok = { NODE_ENV: 'development' } as NodeJS.ProcessEnv;

  it('has working defaults: SQLite file, port 3000, Asia/Jakarta, 20 MB / 10 files', () => {
    const c = loadConfig(ok);
    expect(c.port).to.equal(3000);
    expect(c.db).to.deep.include({ dialect: 'sqlite' });
    expect(c.timezone).to.equal('Asia/Jakarta');
    expect(c.maxUploadBytes).to.equal(20 * 1024 * 1024);
    expect(c.maxUploadFiles).to.equal(10);
    expect(c.agendaFormat).to.equal('{seq:4}/SM/{year}');
  });

  it('refuses bad values with a message naming the variable', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ PORT: 'tiga ribu' }, /PORT/],
      [{ PORT: '70000' }, /PORT/],
      [{ DB_URL: 'postgres://x/y' }, /DB_URL: skema tidak dikenal/],
      [{ DB_URL: 'mysql://root@127.0.0.1:3306/' }, /DB_URL: nama database wajib/],
      [{ APP_TIMEZONE: 'Mars/Olympus' }, /APP_TIMEZONE/],
      [{ AGENDA_FORMAT: 'SM/{year}' }, /AGENDA_FORMAT: format harus memuat \{seq\}/],
      [{ AGENDA_FORMAT: '{seq}/{tahun}' }, /AGENDA_FORMAT: token tidak dikenal: tahun/],
      [{ AGENDA_FORMAT: '{seq}/SM' }, /AGENDA_FORMAT: harus memuat \{year\}/],
      [{ SESSION_SECRET: 'pendek' }, /SESSION_SECRET/],
      [{ MAX_UPLOAD_MB: '0' }, /MAX_UPLOAD_MB/],
      [{ DEMO_SEED: 'kadang' }, /DEMO_SEED/],
    ];
    for (const [env, msg] of bad) {
      expect(() => loadConfig({ ...ok, ...env }), JSON.stringify(env)).to.throw(/Konfigurasi tidak valid/);
      expect(() => loadConfig({ ...ok, ...env }), JSON.stringify(env)).to.throw(msg);
    }
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...ok, DB_URL: '', PORT: '' }).db).to.deep.include({ dialect: 'sqlite' });
    expect(loadConfig({ ...ok, PORT: '' }).port).to.equal(3000);
  });

  it('refuses to start in production with the default session secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(/SESSION_SECRET: wajib diisi/);
    const c = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'a-real-secret-of-enough-length' });
    expect(c.isProduction).to.equal(true);
  });

  it('parses database URLs', () => {
    expect(parseDbUrl('sqlite::memory:')).to.deep.equal({ dialect: 'sqlite', storage: ':memory:' });
    expect(parseDbUrl('mariadb://root@127.0.0.1:3306/naskah')).to.deep.include({ dialect: 'mysql', database: 'naskah' });
  });
});

describe('Formats: agenda numbers, Indonesian dates, NIP', () => {
  it('formats numbers from tokens', () => {
    expect(formatNumber('{seq:4}/SM/{year}', { seq: 123, year: 2026, month: 11 })).to.equal('0123/SM/2026');
    expect(formatNumber('{klasifikasi}/{seq}/{unit}/{roman}/{year}', { seq: 7, year: 2026, month: 11, klasifikasi: '400.14.2.1', unit: 'Diskominfo' }))
      .to.equal('400.14.2.1/7/Diskominfo/XI/2026');
  });

  it('writes dates the Indonesian way in Asia/Jakarta', () => {
    expect(tanggal('2026-11-22')).to.equal('22 November 2026');
    expect(tanggal('2026-02-01')).to.equal('1 Februari 2026');
    // 17:30 UTC is already the next day in Jakarta (UTC+7).
    expect(tanggal(new Date('2026-11-22T17:30:00Z'))).to.equal('23 November 2026');
    expect(tanggalJam(new Date('2026-11-22T07:05:00Z'))).to.equal('22 November 2026 14.05');
    expect(today(new Date('2026-12-31T18:00:00Z'))).to.equal('2027-01-01');
    expect(parseIsoDate('2026-02-30')).to.equal(null);
    expect(parseIsoDate('2024-02-29')).to.equal('2024-02-29');
    expect(parseIsoDate('20-11-2026')).to.equal(null);
  });

  it('follows the configured zone across daylight-saving changes (as Intl does)', () => {
    const saved = config();
    try {
      for (const tz of ['Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Asia/Jayapura']) {
        setConfig({ ...saved, timezone: tz });
        const intl = new Intl.DateTimeFormat('id-ID', { timeZone: tz, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
        // Every 33 min 20 s through 2026: both DST changes of the zones with DST are crossed.
        for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 2_000_000) {
          const d = new Date(t);
          const p = Object.fromEntries(intl.formatToParts(d).map((x) => [x.type, x.value]));
          const want = `${p.day} ${p.month} ${p.year} ${p.hour}.${p.minute}`;
          if (tanggalJam(d) !== want) expect(`${tz} ${d.toISOString()}: ${tanggalJam(d)}`).to.equal(want);
        }
      }
      setConfig({ ...saved, timezone: 'Europe/Berlin' });
      // 2026-03-29 01:00 UTC: clocks go from 02:00 to 03:00 in Berlin.
      expect(tanggalJam(new Date('2026-03-29T00:59:00Z'))).to.equal('29 Maret 2026 01.59');
      expect(tanggalJam(new Date('2026-03-29T01:00:00Z'))).to.equal('29 Maret 2026 03.00');
    } finally {
      setConfig(saved);
    }
  });

  it('validates NIPs: 18 digits, birth date, appointment, sex digit', () => {
    expect(nipProblem('197204112000031003')).to.equal(null);
    expect(nipProblem('19720411200003100')).to.match(/18 digit/);
    expect(nipProblem('1972041120000310a3')).to.match(/hanya boleh berisi angka/);
    expect(nipProblem('197213412000031003')).to.match(/tanggal lahir/);
    expect(nipProblem('197204111980031003')).to.match(/pengangkatan/);
    expect(nipProblem('197204112000033003')).to.match(/jenis kelamin/);
  });
});
