import type { JsonValue, RunRecord, RunStore } from '@localbp/core';
import type { RunSummary } from '../api-types';

function field(value: JsonValue | undefined, key: string): JsonValue | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
}

/** Model family and dataset, from the configs `train`, `experiment` and `federate` record. */
function describeConfig(config: RunRecord['config']): { model: string; dataset: string } {
  const model = config.model;
  const modelName = typeof model === 'string' ? model : field(model, 'model');
  const dataset = field(config.data, 'dataset') ?? config.dataset;
  return { model: typeof modelName === 'string' ? modelName : '—', dataset: typeof dataset === 'string' ? dataset : '—' };
}

export async function summarizeRun(store: RunStore, run: RunRecord): Promise<RunSummary> {
  const accuracy = (await store.metrics(run.id, { keys: ['testAccuracy'] })).map((p) => p.value).filter((v): v is number => v !== null);
  const end = run.endedAt ?? (run.status === 'running' ? Date.now() : (run.heartbeatAt ?? run.startedAt));
  return {
    ...run,
    ...describeConfig(run.config),
    durationMs: Math.max(0, end - run.startedAt),
    bestTestAccuracy: accuracy.length ? Math.max(...accuracy) : null,
    lastTestAccuracy: accuracy.at(-1) ?? null,
  };
}

export async function summarizeRuns(store: RunStore): Promise<RunSummary[]> {
  const runs = await store.listRuns();
  return Promise.all(runs.map((r) => summarizeRun(store, r)));
}
