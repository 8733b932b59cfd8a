import type { XAxis } from './chart-card';
import type { DashboardState } from './run-data';

/** What every view gets: the shared state and the run selection (kept in the URL). */
export interface ViewContext {
  state: DashboardState;
  selected(): string[];
  select(ids: string[]): void;
  go(route: string): void;
  settings: { smoothing: number; xAxis: XAxis; logY: boolean };
}

export interface View {
  readonly element: HTMLElement;
  /** Called whenever runs or run data change (at most once per frame). */
  update(): void;
  destroy(): void;
}

export function runLabel(ctx: ViewContext, runId: string): string {
  const run = ctx.state.run(runId);
  if (!run) return runId;
  const sameName = ctx.state.runs.filter((r) => r.name === run.name).length > 1;
  return sameName ? `${run.name} (${run.id.slice(-6)})` : run.name;
}
