import { DataTypes, type QueryInterface } from 'sequelize';

// Letter templates edited in the browser: every save is a new row (key, version). Templates
// shipped as files (templates/surat/) have no row until an admin edits them. Immutable once merged.
type Ctx = { context: QueryInterface };

export async function up({ context: q }: Ctx): Promise<void> {
  await q.createTable('letter_templates', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    template_key: { type: DataTypes.STRING(60), allowNull: false },
    version: { type: DataTypes.INTEGER, allowNull: false },
    name: { type: DataTypes.STRING(150), allowNull: false },
    description: { type: DataTypes.TEXT, allowNull: false },
    jenis_naskah_code: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'jenis_naskah', key: 'code' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
    layout: { type: DataTypes.STRING(20), allowNull: false },
    default_perihal: { type: DataTypes.STRING(500), allowNull: false },
    default_klasifikasi: { type: DataTypes.STRING(40), allowNull: true, references: { model: 'klasifikasi', key: 'code' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
    fields: { type: DataTypes.TEXT, allowNull: false },
    sample: { type: DataTypes.TEXT, allowNull: false },
    preview: { type: DataTypes.TEXT, allowNull: true },
    // MEDIUMTEXT on MariaDB (a TEXT holds 64 KB, a long template in multi-byte text may not fit).
    source: { type: q.sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium'), allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_by_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL', onUpdate: 'CASCADE' },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('letter_templates', ['template_key', 'version'], { unique: true, name: 'letter_templates_key_version' });
}

export async function down({ context: q }: Ctx): Promise<void> {
  await q.dropTable('letter_templates');
}
