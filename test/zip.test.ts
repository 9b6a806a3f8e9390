import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { buildZip, readZip, crc32, type ZipEntry } from '../lib/zip';

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/**
 * Opens the archive with Python's zipfile (a reader nobody here wrote): reads every entry (which
 * checks its CRC-32), extracts everything into outDir and reports what it saw as JSON.
 */
const PY_INSPECT = `
import hashlib, json, sys, zipfile
zip_path, out_dir = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(zip_path) as zf:
    bad = zf.testzip()
    if bad is not None:
        sys.exit('bad entry: ' + bad)
    entries = []
    for info in zf.infolist():
        data = zf.read(info)
        entries.append({
            'name': info.filename,
            'sha256': hashlib.sha256(data).hexdigest(),
            'compress_type': info.compress_type,
            'compress_size': info.compress_size,
            'file_size': info.file_size,
            'date_time': list(info.date_time),
            'flag_bits': info.flag_bits,
            'CRC': info.CRC,
            'is_dir': info.is_dir(),
        })
    zf.extractall(out_dir)
print(json.dumps(entries))
`;

interface PyEntry {
  name: string; sha256: string; compress_type: number; compress_size: number; file_size: number;
  date_time: number[]; flag_bits: number; CRC: number; is_dir: boolean;
}

describe('lib/zip', () => {
  let tmp: string;
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-zip-test-')); });
  after(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

  const date = new Date(2024, 4, 17, 13, 45, 31); // local time; DOS time keeps even seconds
  const json = Buffer.from(JSON.stringify({ nomor: '800/123/2024', perihal: 'Undangan rapat', lampiran: 2 }, null, 2));
  const random = crypto.randomBytes(300 * 1024);
  const repetitive = Buffer.from('Surat dinas ini dibuat secara elektronik dan sah tanpa tanda tangan basah.\n'.repeat(2000));
  const nonAscii = Buffer.from('Ringkasan pengajuan: señor Muñoz, 3 berkas.\n');
  const entries: ZipEntry[] = [
    { name: 'metadata.json', data: json, date },
    { name: 'lampiran/', data: Buffer.alloc(0), date },
    { name: 'lampiran/acak.bin', data: random, date },
    { name: 'lampiran/teks.txt', data: repetitive, date },
    { name: 'ringkasan-pengajuan-ñ.txt', data: nonAscii, date },
    { name: 'kosong.txt', data: Buffer.alloc(0), date },
    { name: 'tersimpan.txt', data: repetitive, date, method: 'store' },
  ];
  const files = entries.filter((e) => !e.name.endsWith('/'));

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).to.equal(0x414fa339);
    expect(crc32(Buffer.alloc(0))).to.equal(0);
    expect(crc32(Buffer.from('123456789'))).to.equal(0xcbf43926);
  });

  it('writes an archive that Python zipfile and unzip test and extract exactly', async function () {
    const zip = await buildZip(entries);
    const zipPath = path.join(tmp, 'arsip.zip');
    fs.writeFileSync(zipPath, zip);

    // python3 is required: no skipping here. `-m zipfile -t` exits 0 even when an entry fails
    // its CRC check (it only prints a message), so its output is checked as well.
    const pyTest = execFileSync('python3', ['-m', 'zipfile', '-t', zipPath], { encoding: 'utf8' });
    expect(pyTest).to.not.match(/corrupted/i);
    expect(pyTest).to.match(/Done testing/);

    const outDir = path.join(tmp, 'python-out');
    const report = JSON.parse(execFileSync('python3', ['-c', PY_INSPECT, zipPath, outDir], { encoding: 'utf8' })) as PyEntry[];
    expect(report.map((e) => e.name)).to.deep.equal(entries.map((e) => e.name));
    const byName = new Map(report.map((e) => [e.name, e]));
    for (const e of entries) {
      const py = byName.get(e.name)!;
      expect(py.sha256, e.name).to.equal(sha256(e.data));
      expect(py.file_size, e.name).to.equal(e.data.length);
      expect(py.CRC, e.name).to.equal(crc32(e.data));
      expect(py.flag_bits & 0x800, `${e.name}: UTF-8 flag`).to.equal(0x800);
      expect(py.date_time, e.name).to.deep.equal([2024, 5, 17, 13, 45, 30]);
      expect(py.is_dir, e.name).to.equal(e.name.endsWith('/'));
    }
    // The files Python wrote to disk (including the non-ASCII name) match the originals.
    for (const e of files) {
      expect(sha256(fs.readFileSync(path.join(outDir, ...e.name.split('/')))), e.name).to.equal(sha256(e.data));
    }
    expect(fs.statSync(path.join(outDir, 'lampiran')).isDirectory()).to.equal(true);

    // Method choice: random data does not deflate, so it is stored; text deflates well.
    const STORED = 0, DEFLATED = 8;
    expect(byName.get('lampiran/acak.bin')!.compress_type).to.equal(STORED);
    expect(byName.get('lampiran/acak.bin')!.compress_size).to.equal(random.length);
    expect(byName.get('lampiran/teks.txt')!.compress_type).to.equal(DEFLATED);
    expect(byName.get('lampiran/teks.txt')!.compress_size).to.be.below(repetitive.length / 10);
    expect(byName.get('metadata.json')!.compress_type).to.equal(DEFLATED);
    expect(byName.get('tersimpan.txt')!.compress_type).to.equal(STORED);
    expect(byName.get('kosong.txt')!.compress_size).to.equal(0);
    expect(zip.length).to.be.below(random.length + repetitive.length + 20_000);

    const t = spawnSync('unzip', ['-t', zipPath], { encoding: 'utf8' });
    expect(t.status, `unzip -t failed:\n${t.stdout}\n${t.stderr}`).to.equal(0);
    expect(t.stdout).to.match(/No errors detected/);
  });

  it('Python zipfile rejects a corrupted archive (the checks above can fail)', async () => {
    const zip = await buildZip([{ name: 'acak.bin', data: crypto.randomBytes(4096), method: 'store' }]);
    zip[30 + 'acak.bin'.length + 100] ^= 0xff; // one byte of the stored data
    const zipPath = path.join(tmp, 'rusak.zip');
    fs.writeFileSync(zipPath, zip);
    // `python3 -m zipfile -t` reports the bad entry but still exits 0 (hence the output check).
    const r = spawnSync('python3', ['-m', 'zipfile', '-t', zipPath], { encoding: 'utf8' });
    expect(r.stdout).to.match(/corrupted: 'acak\.bin'/);
    const inspect = spawnSync('python3', ['-c', PY_INSPECT, zipPath, path.join(tmp, 'rusak-out')], { encoding: 'utf8' });
    expect(inspect.status).to.not.equal(0);
    expect(inspect.stderr).to.match(/acak\.bin/);
    expect(() => readZip(zip)).to.throw(/CRC-32 mismatch/);
  });

  it('round-trips through readZip', async () => {
    const back = readZip(await buildZip(entries));
    expect(back.map((e) => e.name)).to.deep.equal(entries.map((e) => e.name));
    back.forEach((e, i) => {
      expect(e.data.equals(entries[i].data), e.name).to.equal(true);
      expect(e.date.getTime(), e.name).to.equal(new Date(2024, 4, 17, 13, 45, 30).getTime());
    });
    expect(readZip(await buildZip([]))).to.deep.equal([]);
  });

  it('defaults the date to now and clamps dates outside the DOS range', async () => {
    const before = Date.now();
    const [now, old] = readZip(await buildZip([
      { name: 'a.txt', data: Buffer.from('a') },
      { name: 'b.txt', data: Buffer.from('b'), date: new Date(1970, 0, 1) },
    ]));
    expect(now.date.getTime()).to.be.within(before - 2000 - 1000, Date.now());
    expect(old.date.getTime()).to.equal(new Date(1980, 0, 1).getTime());
  });

  it('refuses unsafe, duplicate or malformed names', () => {
    const d = Buffer.from('x');
    expect(() => buildZip([{ name: 'a.txt', data: d }, { name: 'a.txt', data: d }])).to.throw(Error, /duplicate/);
    expect(() => buildZip([{ name: '../x', data: d }])).to.throw(Error, /'\.\.'/);
    expect(() => buildZip([{ name: 'a/../../x', data: d }])).to.throw(Error, /'\.\.'/);
    expect(() => buildZip([{ name: '/abs', data: d }])).to.throw(Error, /absolute/);
    expect(() => buildZip([{ name: 'C:/x', data: d }])).to.throw(Error, /drive/);
    expect(() => buildZip([{ name: 'a\\b', data: d }])).to.throw(Error, /backslash/);
    expect(() => buildZip([{ name: '', data: d }])).to.throw(Error, /empty/);
    expect(() => buildZip([{ name: 'a//b', data: d }])).to.throw(Error, /segment/);
    expect(() => buildZip([{ name: 'dir/', data: d }])).to.throw(Error, /directory/);
  });

  it('refuses archives that would need ZIP64', () => {
    const many: ZipEntry[] = Array.from({ length: 65536 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(0) }));
    expect(() => buildZip(many)).to.throw(Error, /too many entries/);
  });
});
