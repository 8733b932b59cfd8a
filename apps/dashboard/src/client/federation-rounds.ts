import type { RunEvent } from '../api-types';

/** Payload of a `federation-round` event, as the federation server records it. */
export interface FederationRound {
  round: number;
  testAccuracy: number | null;
  clients: Array<{
    clientId: string;
    participated: boolean;
    cells: string[];
    examples: number | null;
    loss: number | null;
    rejected: { code: string; reason: string } | null;
  }>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Reads round events defensively: the store is written by other processes; malformed entries are skipped. */
export function federationRounds(events: readonly RunEvent[]): FederationRound[] {
  const rounds: FederationRound[] = [];
  for (const e of events) {
    if (e.kind !== 'federation-round' || !isObj(e.payload)) continue;
    const p = e.payload;
    const round = num(p.round);
    if (round === null || !Array.isArray(p.clients)) continue;
    rounds.push({
      round,
      testAccuracy: num(p.testAccuracy),
      clients: (p.clients as unknown[]).filter(isObj).map((c) => ({
        clientId: String(c.clientId ?? '?'),
        participated: c.participated === true,
        cells: Array.isArray(c.cells) ? c.cells.map(String) : [],
        examples: num(c.examples),
        loss: num(c.loss),
        rejected: isObj(c.rejected) ? { code: String(c.rejected.code ?? ''), reason: String(c.rejected.reason ?? '') } : null,
      })),
    });
  }
  return rounds.sort((a, b) => a.round - b.round);
}
