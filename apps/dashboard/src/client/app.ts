import 'uplot/dist/uPlot.min.css';
import './styles.css';
import type { ChangesMessage, RunsMessage, RunSummary } from '../api-types';
import { CellsView } from './cells-view';
import { CompareView } from './compare-view';
import { clear, el } from './dom';
import { FederationView } from './federation-view';
import { DashboardState } from './run-data';
import { RunsView } from './runs-view';
import { ScalarsView } from './scalars-view';
import type { View, ViewContext } from './view';

const ROUTES = {
  runs: { label: 'Runs', make: (ctx: ViewContext) => new RunsView(ctx) },
  scalars: { label: 'Scalars', make: (ctx: ViewContext) => new ScalarsView(ctx) },
  cells: { label: 'Cells', make: (ctx: ViewContext) => new CellsView(ctx) },
  federation: { label: 'Federation', make: (ctx: ViewContext) => new FederationView(ctx) },
  compare: { label: 'Compare', make: (ctx: ViewContext) => new CompareView(ctx) },
} as const;
type Route = keyof typeof ROUTES;

const state = new DashboardState();
const main = document.getElementById('app')!;
const nav = document.getElementById('nav')!;
const live = document.getElementById('live')!;
let view: View | null = null;
let route: Route = 'runs';

/** `#/scalars?runs=a,b`: the view and the selected runs live in the URL, so views can be linked and reloaded. */
function parseHash(): { route: Route; runs: string[] } {
  const match = /^#\/(\w+)(?:\?(.*))?$/.exec(location.hash);
  const name = match?.[1] ?? 'runs';
  const params = new URLSearchParams(match?.[2] ?? '');
  return { route: name in ROUTES ? (name as Route) : 'runs', runs: (params.get('runs') ?? '').split(',').filter(Boolean) };
}

function setHash(next: Route, runs: string[]): void {
  const hash = `#/${next}${runs.length ? `?runs=${runs.map(encodeURIComponent).join(',')}` : ''}`;
  if (location.hash !== hash) location.hash = hash;
}

const ctx: ViewContext = {
  state,
  selected: () => parseHash().runs,
  select: (ids) => setHash(route, ids),
  go: (next) => setHash(next as Route, parseHash().runs),
  settings: { smoothing: 0, xAxis: 'step', logY: false },
};

function render(): void {
  const parsed = parseHash();
  // Nothing selected yet: the newest run, so a fresh dashboard shows curves at once.
  if (parsed.runs.length === 0 && parsed.route !== 'runs' && state.runs[0]) {
    setHash(parsed.route, [state.runs[0].id]);
    return;
  }
  route = parsed.route;
  clear(nav);
  for (const [name, r] of Object.entries(ROUTES)) {
    nav.appendChild(el('a', { href: `#/${name}${parsed.runs.length ? `?runs=${parsed.runs.join(',')}` : ''}`, className: name === route ? 'active' : '', 'data-route': name }, r.label));
  }
  view?.destroy();
  clear(main);
  view = ROUTES[route].make(ctx);
  main.appendChild(view.element);
  document.body.dataset.route = route;
}

async function boot(): Promise<void> {
  const res = await fetch('/api/runs');
  state.setRuns((await res.json()) as RunSummary[]);
  state.subscribe(() => view?.update());
  window.addEventListener('hashchange', render);
  render();
  connect('');
}

/**
 * One stream per tab for every run. EventSource itself reconnects and resends the last event id; when it
 * gives up (the server answered with an error), a new stream resumes from that id through `?since=`.
 */
function connect(since: string): void {
  const stream = new EventSource(since ? `/api/stream?since=${encodeURIComponent(since)}` : '/api/stream');
  let lastId = since;
  const markLive = (e: Event): void => {
    if (e instanceof MessageEvent && e.lastEventId) lastId = e.lastEventId;
    live.textContent = 'live';
    live.className = 'live on';
  };
  stream.addEventListener('open', markLive);
  stream.addEventListener('hello', markLive);
  stream.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
    if (stream.readyState === EventSource.CLOSED) setTimeout(() => connect(lastId), 2000);
  });
  stream.addEventListener('failure', (e) => {
    live.textContent = `store error: ${(JSON.parse((e as MessageEvent<string>).data) as { message: string }).message}`;
    live.className = 'live off';
  });
  stream.addEventListener('runs', (e) => {
    markLive(e);
    state.setRuns((JSON.parse((e as MessageEvent<string>).data) as RunsMessage).runs);
  });
  stream.addEventListener('changes', (e) => {
    markLive(e);
    const m = JSON.parse((e as MessageEvent<string>).data) as ChangesMessage;
    state.applyChanges(m.metrics, m.artifacts, m.events);
  });
}

boot().catch((err: unknown) => {
  clear(main);
  main.appendChild(el('p', { className: 'error' }, `Cannot load runs: ${err instanceof Error ? err.message : String(err)}`));
});
