import type { Sequelize } from 'sequelize';
import { db, ensureDatabase } from './db';
import { initModels, User } from '../models';
import { migrator } from './migrator';

/** Connect, bring the schema up to date, bind the models. Used by the server, the CLI and tests. */
export async function boot(opts: { migrate?: boolean } = {}): Promise<Sequelize> {
  await ensureDatabase();
  const s = db();
  await s.authenticate();
  if (opts.migrate !== false) await migrator(s).up();
  initModels(s);
  return s;
}

export async function isEmpty(): Promise<boolean> {
  return (await User.count()) === 0;
}
