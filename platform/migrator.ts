import path from 'node:path';
import fs from 'node:fs';
import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize, QueryInterface } from 'sequelize';
import { ROOT } from './paths';

const DIR = path.join(ROOT, 'migrations');

/** Umzug over migrations/*.ts, recorded in the `schema_migrations` table. */
export function migrator(sequelize: Sequelize): Umzug<QueryInterface> {
  const files = fs.readdirSync(DIR).filter((f) => /^\d{14}-.*\.ts$/.test(f)).sort();
  return new Umzug({
    migrations: files.map((f) => {
      const full = path.join(DIR, f);
      return {
        name: f.replace(/\.ts$/, ''),
        // umzug's default resolver uses import(), which fails for CommonJS TypeScript under mocha.
        up: async ({ context }: { context: QueryInterface }) => require(full).up({ context }),
        down: async ({ context }: { context: QueryInterface }) => require(full).down({ context }),
      };
    }),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}
