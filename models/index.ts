import type { Sequelize } from 'sequelize';
import { initOrgModels, Unit, Position, User, Assignment, Agency } from './org';
import { initLetterModels, Klasifikasi, JenisNaskah, Blob, IncomingLetter, LetterFile, InboxItem } from './letter';
import { initSystemModels, AuditEvent, Sequence, LoginThrottle } from './system';
import { initDispositionModels, Disposition, DispositionReport, DispositionReportFile, DispositionInstruction, SlaRule, Holiday, Setting, Notification } from './disposition';
import { initLetterNumberModels, LetterNumber } from './letterNumber';
import { initOutgoingModels } from './outgoing';
import { initLetterTemplateModels } from './letterTemplate';
import { initSigningModels } from './signing';
import { initDomainModels } from './domain';

export * from './org';
export * from './letter';
export * from './system';
export * from './disposition';
export * from './letterNumber';
export * from './outgoing';
export * from './letterTemplate';
export * from './signing';
export * from './domain';

let initialized: Sequelize | null = null;
/** Bind every model to a Sequelize instance (idempotent for the same instance). */
export function initModels(sequelize: Sequelize): void {
  if (initialized === sequelize) return;
  initOrgModels(sequelize);
  initLetterModels(sequelize);
  initSystemModels(sequelize);
  initDispositionModels(sequelize);
  initLetterNumberModels(sequelize);
  initOutgoingModels(sequelize);
  initLetterTemplateModels(sequelize);
  initSigningModels(sequelize);
  initDomainModels(sequelize);
  LetterNumber.belongsTo(JenisNaskah, { as: 'jenisNaskah', foreignKey: 'jenisNaskahCode', targetKey: 'code' });
  LetterNumber.belongsTo(User, { as: 'assignedBy', foreignKey: 'assignedByUserId' });
  LetterNumber.belongsTo(User, { as: 'cancelledBy', foreignKey: 'cancelledByUserId' });
  IncomingLetter.belongsTo(Agency, { as: 'sender', foreignKey: 'senderAgencyId' });
  IncomingLetter.belongsTo(Position, { as: 'addressedPosition', foreignKey: 'addressedPositionId' });
  IncomingLetter.belongsTo(User, { as: 'createdBy', foreignKey: 'createdById' });
  IncomingLetter.belongsTo(Klasifikasi, { as: 'klasifikasi', foreignKey: 'klasifikasiCode', targetKey: 'code' });
  IncomingLetter.belongsTo(JenisNaskah, { as: 'jenisNaskah', foreignKey: 'jenisNaskahCode', targetKey: 'code' });
  IncomingLetter.hasMany(LetterFile, { as: 'files', foreignKey: 'letterId' });
  LetterFile.belongsTo(IncomingLetter, { as: 'letter', foreignKey: 'letterId' });
  IncomingLetter.hasMany(InboxItem, { as: 'inboxItems', foreignKey: 'letterId' });
  InboxItem.belongsTo(IncomingLetter, { as: 'letter', foreignKey: 'letterId' });
  InboxItem.belongsTo(Position, { as: 'position', foreignKey: 'positionId' });
  InboxItem.belongsTo(User, { as: 'readBy', foreignKey: 'readByUserId' });
  IncomingLetter.hasMany(Disposition, { as: 'dispositions', foreignKey: 'letterId' });
  Disposition.belongsTo(IncomingLetter, { as: 'letter', foreignKey: 'letterId' });
  Disposition.hasMany(DispositionReport, { as: 'reports', foreignKey: 'dispositionId' });
  DispositionReport.hasMany(DispositionReportFile, { as: 'files', foreignKey: 'reportId' });
  initialized = sequelize;
}

