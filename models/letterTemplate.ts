import {
  Model, DataTypes, Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional,
} from 'sequelize';

/**
 * One saved version of a letter template (modules/templat/letterTemplates.ts). Rows are never
 * updated: an edit in the browser adds the next version of the key, and the highest version is
 * the template in use. A template shipped as files (templates/surat/<key>.ejs + .json) has no
 * row until it is first edited. `fields`, `sample` and `preview` are JSON.
 */
export class LetterTemplateVersion extends Model<InferAttributes<LetterTemplateVersion>, InferCreationAttributes<LetterTemplateVersion>> {
  declare id: CreationOptional<number>;
  declare templateKey: string;
  declare version: number;
  declare name: string;
  declare description: string;
  declare jenisNaskahCode: string;
  declare layout: 'surat' | 'nota_dinas';
  declare defaultPerihal: string;
  declare defaultKlasifikasi: string | null;
  declare fields: string;
  declare sample: string;
  declare preview: string | null;
  declare source: string;
  declare active: boolean;
  declare createdById: number | null;
  declare createdAt: CreationOptional<Date>;
}

export function initLetterTemplateModels(sequelize: Sequelize): void {
  LetterTemplateVersion.init({
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    templateKey: { type: DataTypes.STRING(60), allowNull: false },
    version: { type: DataTypes.INTEGER, allowNull: false },
    name: { type: DataTypes.STRING(150), allowNull: false },
    description: { type: DataTypes.TEXT, allowNull: false },
    jenisNaskahCode: { type: DataTypes.STRING(40), allowNull: false },
    layout: { type: DataTypes.STRING(20), allowNull: false },
    defaultPerihal: { type: DataTypes.STRING(500), allowNull: false },
    defaultKlasifikasi: { type: DataTypes.STRING(40), allowNull: true },
    fields: { type: DataTypes.TEXT, allowNull: false },
    sample: { type: DataTypes.TEXT, allowNull: false },
    preview: { type: DataTypes.TEXT, allowNull: true },
    source: { type: DataTypes.TEXT, allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    createdById: { type: DataTypes.INTEGER, allowNull: true },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  }, { sequelize, tableName: 'letter_templates', updatedAt: false });
}
