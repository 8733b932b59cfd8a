// Chart responsiveness with 100,000 points in one series: time for the dashboard (uPlot + LTTB
// downsampling) to draw it, to redraw on a live update, and to redraw on a smoothing change, in
// headless Chromium. Prints figures; not a test. Needs `pnpm build` first.
import { openRunStore, RunWriter } from '@localbp/trainer/run-store';
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDashboardServer } from '../dist/index.js';

const POINTS = Number(process.env.POINTS ?? 100_000);
const REPEATS = 5;
const dir = mkdtempSync(path.join(tmpdir(), 'localbp-chart-bench-'));
const store = await openRunStore(path.join(dir, 'bench.sqlite'));
const writer = await RunWriter.begin(store, { name: 'bench', command: 'bench', config: {}, backend: 'none', versions: {} }, { flushEvery: 10_000 });
const t0 = Date.now();
for (let step = 1; step <= POINTS; step++) {
  writer.log('loss/cell-1', Math.exp(-step / 30_000) + 0.05 * Math.sin(step / 50) + 0.02 * Math.random(), { step, epoch: Math.floor(step / 469), cell: 'cell-1' });
}
await writer.finish('completed');
const writeSeconds = (Date.now() - t0) / 1000;

const server = await startDashboardServer({ store, port: 0, pollMs: 100 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
const card = '.chart[data-title="loss/cell-1"]';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const loads = [];
const draws = [];
for (let i = 0; i < REPEATS; i++) {
  const started = Date.now();
  await page.goto(`${server.url}?bench=${i}#/scalars?runs=${writer.runId}`);
  await page.waitForSelector(`${card}[data-points="${POINTS}"]`, { timeout: 120_000 });
  loads.push(Date.now() - started);
  draws.push(Number(await page.getAttribute(card, 'data-render-ms')));
}
const drawn = await page.getAttribute(card, 'data-drawn');

const smoothing = [];
for (const w of ['0.3', '0.6', '0.9', '0.5', '0']) {
  const before = await page.getAttribute(card, 'data-render-ms');
  await page.locator('#smoothing').fill(w);
  await page.waitForFunction(([sel, b]) => document.querySelector(sel)?.dataset.renderMs !== b, [card, before]);
  smoothing.push(Number(await page.getAttribute(card, 'data-render-ms')));
}

const live = [];
for (let i = 1; i <= REPEATS; i++) {
  const step = POINTS + i;
  const written = Date.now();
  await store.addMetrics([{ runId: writer.runId, step, epoch: 999, cell: 'cell-1', key: 'loss/cell-1', value: 0.1, wallTime: Date.now() }]);
  await page.waitForSelector(`${card}[data-last-step="${step}"]`, { timeout: 30_000 });
  live.push({ appearMs: Date.now() - written, drawMs: Number(await page.getAttribute(card, 'data-render-ms')) });
}

console.log(`chart bench: ${POINTS} points in one series (written to the store in ${writeSeconds.toFixed(1)} s), Chromium headless, LTTB to ${drawn} drawn points`);
console.log(`  page load to chart drawn (fetch + parse + draw), median of ${REPEATS}: ${median(loads)} ms  [${loads.join(', ')}]`);
console.log(`  chart draw (smoothing + LTTB + uPlot), median of ${REPEATS}: ${median(draws).toFixed(1)} ms  [${draws.join(', ')}]`);
console.log(`  redraw on smoothing change, median: ${median(smoothing).toFixed(1)} ms  [${smoothing.join(', ')}]`);
console.log(`  live point: visible after median ${median(live.map((l) => l.appearMs))} ms (poll 100 ms), redraw median ${median(live.map((l) => l.drawMs)).toFixed(1)} ms`);

await browser.close();
await server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
