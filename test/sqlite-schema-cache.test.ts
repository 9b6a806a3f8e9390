import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DataTypes, QueryTypes } from 'sequelize';
import { createSequelize } from '../platform/db';

/**
 * platform/db.ts keeps SQLite's column types (PRAGMA table_info, which Sequelize asks for on every
 * SELECT) until the schema changes. A column added later must be parsed by its type at once,
 * on every connection to the file. Runs on its own SQLite file in both suites.
 */
describe('SQLite column types kept until the schema changes', () => {
  it('parses a DATETIME column added after the table was read, on the reader and the writer connection', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-schema-'));
    const s = createSequelize({ dialect: 'sqlite', storage: path.join(dir, 'x.sqlite') }, false);
    try {
      await s.query('CREATE TABLE `catatan` (`id` INTEGER PRIMARY KEY, `isi` TEXT)');
      await s.query("INSERT INTO `catatan` (`id`, `isi`) VALUES (1, 'a')");
      const first = await s.query<Record<string, unknown>>('SELECT * FROM `catatan`', { type: QueryTypes.SELECT });
      expect(first).to.deep.equal([{ id: 1, isi: 'a' }]);
      await s.query('ALTER TABLE `catatan` ADD COLUMN `dibaca_pada` DATETIME');
      await s.query("UPDATE `catatan` SET `dibaca_pada` = '2026-12-07 10:00:00.000 +00:00'");
      // A model read is parsed by the column types (a raw read is not parsed at all).
      const Catatan = s.define('Catatan', { id: { type: DataTypes.INTEGER, primaryKey: true }, isi: DataTypes.TEXT, dibacaPada: { type: DataTypes.DATE, field: 'dibaca_pada' } }, { tableName: 'catatan', timestamps: false, underscored: true });
      const outside = await Catatan.findAll();
      const inside = await s.transaction(() => Catatan.findAll());
      for (const rows of [outside, inside]) {
        expect(rows[0].get('dibacaPada'), 'the new column is parsed as a date').to.be.instanceOf(Date);
        expect((rows[0].get('dibacaPada') as Date).toISOString()).to.equal('2026-12-07T10:00:00.000Z');
      }
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
