import type { WeightArray } from '../protocol/weight-array';

/** What a hostile client knows and can do when it receives a task. */
export interface AttackContext {
  round: number;
  /** Current global weights of the units to train, in the order the update sends them. */
  global: WeightArray[];
  /** Trains on this client's own shard (labels flipped on request) and returns the trained weights, `global`'s order. */
  train(options?: { flipLabels?: boolean }): Promise<WeightArray[]>;
  /** What an honest client with this shard declares. */
  honestExamples: number;
  /** 0-based index among the run's hostile clients. */
  hostileIndex: number;
  /** Shared by the run's hostile clients, kept across rounds (collusion, replay). */
  memory: Map<string, WeightArray[]>;
}

/** A hostile client's update: what it declares and what it sends. */
export interface HostileUpdate {
  examples: number;
  weights: WeightArray[];
}

export interface AttackScenario {
  id: string;
  description: string;
  /** Hostile clients among the run's clients. */
  hostile: number;
  attack(context: AttackContext): Promise<HostileUpdate>;
}

/** `global + factor · (weights − global)`, per value. */
function along(global: readonly WeightArray[], weights: readonly WeightArray[], factor: number): WeightArray[] {
  return global.map((g, i) => ({ ...g, values: g.values.map((v, j) => v + factor * (weights[i]!.values[j]! - v)) }));
}

function norm(global: readonly WeightArray[], weights: readonly WeightArray[]): number {
  let sum = 0;
  global.forEach((g, i) => g.values.forEach((v, j) => (sum += (weights[i]!.values[j]! - v) ** 2)));
  return Math.sqrt(sum);
}

/** Deterministic noise (xorshift), so the table regenerates identically. */
function noise(global: readonly WeightArray[], seed: number): WeightArray[] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32 - 0.5;
  };
  return global.map((g) => ({ ...g, values: g.values.map((v) => v + next()) }));
}

/** The attacks of issue 15, each with one hostile client unless it needs two. */
export const ATTACK_SCENARIOS: readonly AttackScenario[] = [
  {
    id: 'lazy',
    description: 'a reference, not an attack: returns the global weights unchanged, so the federation has one client fewer (the best any defence can do against a client it leaves out)',
    hostile: 1,
    attack: async (c) => ({ examples: c.honestExamples, weights: c.global }),
  },
  {
    id: 'count-inflation',
    description: 'declares 10¹² examples and sends its trained weights negated (the issue\'s attack)',
    hostile: 1,
    attack: async (c) => ({ examples: 1e12, weights: (await c.train()).map((w) => ({ ...w, values: w.values.map((v) => -v) })) }),
  },
  {
    id: 'negated',
    description: 'sends its trained weights negated, honest count',
    hostile: 1,
    attack: async (c) => ({ examples: c.honestExamples, weights: (await c.train()).map((w) => ({ ...w, values: w.values.map((v) => -v) })) }),
  },
  {
    id: 'scaled',
    description: 'sends its update reversed and scaled ×10: global − 10·δ',
    hostile: 1,
    attack: async (c) => ({ examples: c.honestExamples, weights: along(c.global, await c.train(), -10) }),
  },
  {
    id: 'noise',
    description: 'sends random noise with the norm of its honest update',
    hostile: 1,
    attack: async (c) => {
      const trained = await c.train();
      const random = noise(c.global, 7919 * c.round + c.hostileIndex);
      return { examples: c.honestExamples, weights: along(c.global, random, norm(c.global, trained) / norm(c.global, random)) };
    },
  },
  {
    id: 'sign-flip',
    description: 'sends its update with the sign flipped: global − δ',
    hostile: 1,
    attack: async (c) => ({ examples: c.honestExamples, weights: along(c.global, await c.train(), -1) }),
  },
  {
    id: 'label-flip',
    description: 'trains honestly on labels flipped (y → 9 − y)',
    hostile: 1,
    attack: async (c) => ({ examples: c.honestExamples, weights: await c.train({ flipLabels: true }) }),
  },
  {
    id: 'colluding-pair',
    description: 'two clients send the same poisoned update (global − 3·δ of the first), 10¹² examples',
    hostile: 2,
    attack: async (c) => {
      const key = `pair-${c.round}`;
      if (!c.memory.has(key)) c.memory.set(key, along(c.global, await c.train(), -3));
      return { examples: 1e12, weights: c.memory.get(key)! };
    },
  },
  {
    id: 'replay',
    description: 'from round 2 on, replays its accepted round-1 update',
    hostile: 1,
    attack: async (c) => {
      if (c.round === 1) c.memory.set('replay', await c.train());
      return { examples: c.honestExamples, weights: c.memory.get('replay') ?? (await c.train()) };
    },
  },
];
