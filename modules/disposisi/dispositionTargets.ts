import type { Position } from '../../models';
import { getSetting } from '../../platform/settings';
import { positionsWhere, unitSubtree } from '../org';

/**
 * Positions a holder may dispose to: their direct subordinates and any position inside their
 * unit (and its sub-units) below their own rank; with the admin setting 'bebas', any active
 * position. Never their own position.
 */
export async function allowedTargets(from: Position): Promise<Position[]> {
  const mode = await getSetting('disposisi.target');
  if (mode === 'bebas') return positionsWhere((p) => p.id !== from.id);
  const units = new Set(await unitSubtree(from.unitId));
  const found = await positionsWhere((p) => p.id !== from.id && (p.superiorId === from.id || (units.has(p.unitId) && p.rank > from.rank)));
  // Direct subordinates first: they are the usual choice.
  return [...found.filter((p) => p.superiorId === from.id), ...found.filter((p) => p.superiorId !== from.id)];
}

