/**
 * The house rules, checked by `npm test` (npm run lint:imports). The layers, from the bottom:
 *   lib/        pure, generic code (dates, working time, numbering formats, sanitizer, pdf/):
 *               imports only lib/ and packages;
 *   config/     the environment, read once;
 *   models/     the tables (Sequelize), over platform/db;
 *   platform/   what every module stands on (db and transactions, blob store, jobs, cache,
 *               clock, errors, audit, settings, notifier, sequences, actor, http/): imports no
 *               module and no route;
 *   modules/X/  one part of the product (org, surat-masuk, disposisi, surat-keluar, ttd,
 *               templat, domain, dasbor): its commands, queries and policies/; another module
 *               or a route of another module reaches it only through modules/X/index.ts;
 *   routes/X/   the pages of module X (views/ keeps their templates; see the README);
 *   app.ts, server.ts, cli/, seed/: put it all together.
 * Policies decide from the actor and the records they are given: they import no services.
 */
const MODULE = '^modules/([^/]+)/';
module.exports = {
  forbidden: [
    {
      name: 'lib-is-pure',
      comment: 'lib/ holds pure, generic code: no platform, module, route, model or config import.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(platform|modules|routes|models|config|cli|seed)/|^(app|server)\\.ts$' },
    },
    {
      name: 'platform-below-modules',
      comment: 'platform/ is what modules stand on: it imports no module and no route.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(modules|routes|cli|seed)/|^(app|server)\\.ts$' },
    },
    {
      name: 'models-below-modules',
      comment: 'models/ are the tables: they import no module, route or service of the platform.',
      severity: 'error',
      from: { path: '^models/' },
      to: { path: '^(modules|routes|cli|seed)/|^(app|server)\\.ts$|^platform/(?!db\\.ts|clock\\.ts|errors\\.ts)' },
    },
    {
      name: 'policies-import-no-services',
      comment: 'A policy decides from the actor and the records: models, lib, platform/actor and other policies of its module only.',
      severity: 'error',
      from: { path: `${MODULE}policies/` },
      // Types carry no behaviour: a policy may name its module's types.
      to: { pathNot: ['^models/', '^lib/', '^platform/(actor|errors)\\.ts$', `${MODULE}policies/`, '^node_modules/'], dependencyTypesNot: ['core', 'type-only'] },
    },
    {
      name: 'modules-through-their-index',
      comment: 'A module reaches another module only through that module\'s index.ts.',
      severity: 'error',
      from: { path: '^modules/([^/]+)/' },
      to: { path: '^modules/([^/]+)/(?!index\\.ts$)', pathNot: '^modules/$1/' },
    },
    {
      name: 'routes-through-module-index',
      comment: 'The pages of one module reach another module only through its index.ts.',
      severity: 'error',
      from: { path: '^routes/([^/]+)/' },
      to: { path: '^modules/([^/]+)/(?!index\\.ts$)', pathNot: '^modules/$1/' },
    },
    {
      name: 'shared-routes-through-module-index',
      comment: 'Pages of no single module (routes/*.ts) reach modules only through their index.ts.',
      severity: 'error',
      from: { path: '^routes/[^/]+\\.ts$' },
      to: { path: '^modules/[^/]+/(?!index\\.ts$)' },
    },
    {
      name: 'no-module-cycles',
      comment: 'Modules depend on each other in one direction: org < templat, disposisi < surat-masuk < surat-keluar < ttd < domain < dasbor.',
      severity: 'error',
      from: { path: '^modules/' },
      to: { circular: true, viaOnly: { path: '^modules/' } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|test|bench)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
    combinedDependencies: false,
  },
};
