import type { ArtifactRecord, MetricColumns, RunDetail, RunEvent, RunSummary, StoredMetricPoint } from '../api-types';

/** One metric of one run, column by column. */
export interface Series {
  runId: string;
  key: string;
  cell: string | null;
  step: number[];
  epoch: number[];
  wallTime: number[];
  value: Array<number | null>;
}

/** Everything the browser holds about one run; grows as the live stream delivers rows. */
export class RunData {
  readonly series = new Map<string, Series>();
  artifacts: ArtifactRecord[] = [];
  events: RunEvent[] = [];
  maxMetricId = 0;
  private maxArtifactId = 0;
  private maxEventId = 0;
  /** Step range of each epoch, to place points on a fractional-epoch axis. */
  readonly epochSteps = new Map<number, { min: number; max: number }>();

  constructor(readonly runId: string) {}

  addPoint(p: Pick<StoredMetricPoint, 'id' | 'key' | 'cell' | 'step' | 'epoch' | 'wallTime' | 'value'>): boolean {
    if (p.id <= this.maxMetricId) return false;
    this.maxMetricId = p.id;
    let s = this.series.get(p.key);
    if (!s) {
      s = { runId: this.runId, key: p.key, cell: p.cell, step: [], epoch: [], wallTime: [], value: [] };
      this.series.set(p.key, s);
    }
    s.step.push(p.step);
    s.epoch.push(p.epoch);
    s.wallTime.push(p.wallTime);
    s.value.push(p.value);
    const range = this.epochSteps.get(p.epoch);
    if (!range) this.epochSteps.set(p.epoch, { min: p.step, max: p.step });
    else {
      range.min = Math.min(range.min, p.step);
      range.max = Math.max(range.max, p.step);
    }
    return true;
  }

  addColumns(c: MetricColumns): void {
    for (let i = 0; i < c.id.length; i++) {
      this.addPoint({ id: c.id[i]!, key: c.key[i]!, cell: c.cell[i]!, step: c.step[i]!, epoch: c.epoch[i]!, wallTime: c.wallTime[i]!, value: c.value[i]! });
    }
  }

  addArtifact(a: ArtifactRecord): boolean {
    if (a.id <= this.maxArtifactId) return false;
    this.maxArtifactId = a.id;
    this.artifacts.push(a);
    return true;
  }

  addEvent(e: RunEvent): boolean {
    if (e.id <= this.maxEventId) return false;
    this.maxEventId = e.id;
    this.events.push(e);
    return true;
  }

  /** Epoch as a fraction: a point at the last step of epoch e sits at e + 1. */
  fractionalEpoch(step: number, epoch: number): number {
    const r = this.epochSteps.get(epoch);
    if (!r) return epoch + 1;
    const span = r.max - r.min + 1;
    return epoch + (step - r.min + 1) / span;
  }

  /** The last step any metric of the run was recorded at, with its epoch; null before the first point. */
  lastStep(): { step: number; epoch: number } | null {
    let last: { step: number; epoch: number } | null = null;
    for (const [epoch, r] of this.epochSteps) if (!last || r.max > last.step) last = { step: r.max, epoch };
    return last;
  }

  cells(): string[] {
    const cells = new Set<string>();
    for (const s of this.series.values()) if (s.cell) cells.add(s.cell);
    return [...cells].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Runs the page knows, the loaded data of selected runs, and who to tell when either changes. */
export class DashboardState {
  runs: RunSummary[] = [];
  readonly data = new Map<string, RunData>();
  private readonly loading = new Map<string, Promise<RunData>>();
  /** Rows that arrived on the stream while a run's history was still loading; merged (deduplicated by id) after. */
  private readonly early = new Map<string, { metrics: StoredMetricPoint[]; artifacts: ArtifactRecord[]; events: RunEvent[] }>();
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Coalesces bursts of stream messages into one redraw per frame. */
  notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const l of this.listeners) l();
    });
  }

  run(id: string): RunSummary | undefined {
    return this.runs.find((r) => r.id === id);
  }

  setRuns(runs: RunSummary[]): void {
    this.runs = runs;
    this.notify();
  }

  /** Loads a run's history once; the stream keeps it current afterwards. */
  load(runId: string): Promise<RunData> {
    const existing = this.loading.get(runId);
    if (existing) return existing;
    const promise = (async () => {
      this.early.set(runId, { metrics: [], artifacts: [], events: [] });
      const [columns, detail, events] = await Promise.all([
        getJson<MetricColumns>(`/api/runs/${encodeURIComponent(runId)}/metrics`),
        getJson<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`),
        getJson<RunEvent[]>(`/api/runs/${encodeURIComponent(runId)}/events`),
      ]);
      const data = new RunData(runId);
      data.addColumns(columns);
      for (const a of detail.artifacts) data.addArtifact(a);
      for (const e of events) data.addEvent(e);
      const early = this.early.get(runId);
      for (const p of early?.metrics ?? []) data.addPoint(p);
      for (const a of early?.artifacts ?? []) data.addArtifact(a);
      for (const e of early?.events ?? []) data.addEvent(e);
      this.early.delete(runId);
      this.data.set(runId, data);
      this.notify();
      return data;
    })();
    this.loading.set(runId, promise);
    promise.catch(() => this.loading.delete(runId));
    return promise;
  }

  applyChanges(metrics: StoredMetricPoint[], artifacts: ArtifactRecord[], events: RunEvent[]): void {
    let changed = false;
    for (const p of metrics) {
      const d = this.data.get(p.runId);
      if (d) changed = d.addPoint(p) || changed;
      else this.early.get(p.runId)?.metrics.push(p);
    }
    for (const a of artifacts) {
      const d = this.data.get(a.runId);
      if (d) changed = d.addArtifact(a) || changed;
      else this.early.get(a.runId)?.artifacts.push(a);
    }
    for (const e of events) {
      const d = this.data.get(e.runId);
      if (d) changed = d.addEvent(e) || changed;
      else this.early.get(e.runId)?.events.push(e);
    }
    if (changed) this.notify();
  }
}
