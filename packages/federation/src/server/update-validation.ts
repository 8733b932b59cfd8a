import { FederationError } from '../protocol/federation-error';
import type { UpdateMessage } from '../protocol/messages';
import { unitOfWeight, type WeightArray } from '../protocol/weight-array';

/** What an update is checked against: the global model as the server holds it. */
export interface ValidationContext {
  /** Every unit's weights in order, with the current global values. */
  units: ReadonlyMap<string, readonly WeightArray[]>;
  /** Units the client was asked to train in this task. */
  assigned: ReadonlySet<string>;
  /** Largest accepted L2 norm of (update − current global weights), per unit. */
  maxUpdateNorm: number;
}

/**
 * Checks an update completely before any of it can touch the model: unit ids, assignment, every
 * weight present exactly once with the right shape, dtype (the frame decoder admits float32 only),
 * finite values, and the update norm. Returns the weights grouped by unit, in the model's order.
 */
export function validateUpdate(message: UpdateMessage, tensors: readonly WeightArray[], context: ValidationContext): Map<string, WeightArray[]> {
  const declared = new Set<string>();
  for (const unit of message.units) {
    if (!context.units.has(unit.id)) {
      throw new FederationError('unknown-cell', `unit "${unit.id}" does not exist; the model has ${[...context.units.keys()].join(', ')}`);
    }
    if (!context.assigned.has(unit.id)) {
      throw new FederationError('not-assigned', `unit "${unit.id}" was not assigned to this client in this task (assigned: ${[...context.assigned].join(', ')})`);
    }
    if (declared.has(unit.id)) throw new FederationError('bad-request', `unit "${unit.id}" is listed twice`);
    declared.add(unit.id);
  }
  const byName = new Map<string, WeightArray>();
  for (const t of tensors) {
    const unit = unitOfWeight(t.name);
    if (!context.units.has(unit)) throw new FederationError('unknown-cell', `weight ${t.name} belongs to no unit of the model`);
    if (!declared.has(unit)) throw new FederationError('bad-request', `weight ${t.name} belongs to unit "${unit}", which the update does not list`);
    byName.set(t.name, t);
  }
  const grouped = new Map<string, WeightArray[]>();
  for (const unitId of declared) {
    const reference = context.units.get(unitId)!;
    const missing = reference.filter((r) => !byName.has(r.name)).map((r) => r.name);
    if (missing.length) throw new FederationError('missing-weights', `unit "${unitId}" lacks ${missing.join(', ')}`);
    const expectedNames = new Set(reference.map((r) => r.name));
    for (const name of byName.keys()) {
      if (unitOfWeight(name) === unitId && !expectedNames.has(name)) {
        throw new FederationError('unknown-cell', `unit "${unitId}" has no weight named ${name}`);
      }
    }
    let squaredNorm = 0;
    const weights = reference.map((ref) => {
      const got = byName.get(ref.name)!;
      if (got.shape.join('x') !== ref.shape.join('x')) {
        throw new FederationError('bad-shape', `weight ${ref.name} has shape [${got.shape.join(', ')}], expected [${ref.shape.join(', ')}]`);
      }
      const v = got.values;
      const r = ref.values;
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        if (!Number.isFinite(x)) throw new FederationError('non-finite', `weight ${ref.name} holds ${x} at index ${i}: all values must be finite`);
        const d = x - r[i]!;
        squaredNorm += d * d;
      }
      return got;
    });
    const norm = Math.sqrt(squaredNorm);
    if (norm > context.maxUpdateNorm) {
      throw new FederationError('update-norm', `unit "${unitId}" moved by an L2 norm of ${norm.toPrecision(4)}, above the bound ${context.maxUpdateNorm}`);
    }
    grouped.set(unitId, weights);
  }
  return grouped;
}
