import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, splitToTensors, subset } from '@localbp/datasets';
import { LbpModel, LocalTrainer, RunStoreRecorder, type LbpModelConfigInput } from '@localbp/trainer';
import { openRunStore, RunWriter, type SqliteRunStore } from '@localbp/trainer/run-store';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChartElement } from './client/chart-card';
import { startDashboardServer, type DashboardServer } from './index';

const CHROMIUM_PATH = process.env.LOCALBP_CHROMIUM || '/usr/bin/chromium';
// `pnpm test` installs Chromium first; only with that set-up skipped (LOCALBP_SKIP_TEST_SETUP=1) can it be missing:
// then the suite skips and says why in one line, rather than failing every test.
const NO_CHROMIUM = !existsSync(CHROMIUM_PATH);
if (NO_CHROMIUM) console.warn(`dashboard e2e skipped: no Chromium at ${CHROMIUM_PATH} (run "sudo apt-get install -y chromium" or set LOCALBP_CHROMIUM=/path/to/chrome)`);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Every run takes a screenshot of each view. The README shows the committed ones in docs/screenshots/, rewritten
// only on request (LOCALBP_UPDATE_SCREENSHOTS=1): a plain `pnpm test` must not leave binary changes in every checkout.
const SCREENSHOTS = process.env.LOCALBP_UPDATE_SCREENSHOTS === '1'
  ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
  : path.join(tmpdir(), 'localbp-dashboard-screenshots');
// Run names are user input: this one would inject markup if the page ever parsed it as HTML.
const HOSTILE_NAME = 'mnist <b id="injected">ae,dae</b> & "w32"';

const dir = mkdtempSync(path.join(tmpdir(), 'localbp-dashboard-e2e-'));
let store: SqliteRunStore;
let server: DashboardServer;
let browser: Browser;
let page: Page;
const ids = { a: '', b: '', federated: '' };
let streamsOpened = 0;

/** A short real training run recorded through the recorder, as `localbp train` does. */
async function recordTraining(name: string, config: LbpModelConfigInput, epochs: number, prepare?: (model: LbpModel) => void): Promise<string> {
  const mnist = loadDataset('mnist');
  const train = subset(mnist.train, 1024);
  const test = subset(mnist.test, 200);
  const model = LbpModel.create(config, mnist.info);
  prepare?.(model);
  const writer = await RunWriter.begin(store, {
    name,
    command: `localbp train --width ${config.width}`,
    config: JSON.parse(JSON.stringify({ model: model.config, fit: { epochs, batchSize: 32 }, data: { dataset: 'mnist', trainLimit: 1024 } })) as Record<string, never>,
    backend: tf.getBackend(),
    versions: { node: process.version },
  });
  const probe = splitToTensors(subset(test, 8), { flatten: false });
  probe.ys.dispose();
  await new LocalTrainer(model).fit(train, { epochs, batchSize: 32, test, callbacks: new RunStoreRecorder(writer, { model, probeImages: probe.xs }) });
  await writer.finish('completed');
  probe.xs.dispose();
  model.dispose();
  return writer.runId;
}

/** Units of cell-1 that `killUnits` makes dead: always negative before the ReLU, so no gradient revives them. */
const DEAD_UNITS = 6;

/** Gives cell-1 `DEAD_UNITS` dead encoder units (a large negative bias) before training. */
function killUnits(model: LbpModel): void {
  const bias = model.namedWeights().find((w) => w.name === 'cell-1/encoder/bias')!.tensor as tf.Variable;
  tf.tidy(() => bias.assign(tf.concat([tf.fill([DEAD_UNITS], -1e3), tf.zeros([bias.shape[0]! - DEAD_UNITS])])));
}

/** Pixel of a chart's canvas at uPlot value (x, y) and around it: whether any is close to `rgb` (the line's color). */
async function lineDrawnAt(title: string, series: number, at: (data: Array<Array<number | null | undefined>>) => [number, number]): Promise<boolean> {
  const [x, y] = at(await page.locator(`.chart[data-title="${title}"]`).first().evaluate((e) => (e as ChartElement).uplot!.data.map((c) => [...c])));
  return page.locator(`.chart[data-title="${title}"]`).first().evaluate(
    (e, { x, y, series }) => {
      const u = (e as ChartElement).uplot!;
      // uPlot keeps a series' stroke as a function once built.
      const given = u.series[series]!.stroke;
      const stroke = String(typeof given === 'function' ? given(u, series) : given);
      const want = [1, 3, 5].map((i) => parseInt(stroke.slice(i, i + 2), 16));
      const [cx, cy] = [Math.round(u.valToPos(x, 'x', true)), Math.round(u.valToPos(y, 'y', true))];
      const pixels = u.ctx.getImageData(cx - 3, cy - 3, 7, 7).data;
      for (let i = 0; i < pixels.length; i += 4) {
        // The canvas is transparent: antialiasing lowers a stroke's alpha, not its color.
        if (want.every((c, k) => Math.abs(pixels[i + k]! - c) < 40) && pixels[i + 3]! > 40) return true;
      }
      return false;
    },
    { x, y, series },
  );
}

/** Rounds as the federation server records them: one client skips a round, one update is rejected. */
async function recordFederation(): Promise<string> {
  const writer = await RunWriter.begin(store, { name: 'federated 3 clients', command: 'localbp federate', config: { model: 'lbp', dataset: 'mnist', rounds: 3 }, backend: 'wasm', versions: {} });
  for (let round = 1; round <= 3; round++) {
    const clients = ['client-1', 'client-2', 'client-3'].map((clientId, i) => ({
      clientId,
      participated: !(round === 2 && i === 2),
      cells: ['cell-1', 'cell-2'],
      examples: 600,
      loss: 0.5 / round + i / 100,
      ...(round === 3 && i === 1 ? { rejected: { code: 'shape-mismatch', reason: 'cell-2/kernel is [16, 8], expected [16, 16]' } } : {}),
    }));
    await writer.federationRound({ round, testAccuracy: 0.6 + round / 10, clients });
  }
  await writer.finish('completed');
  return writer.runId;
}

async function chartAttr(title: string, attr: string): Promise<string | null> {
  return page.locator(`.chart[data-title="${title}"]`).first().getAttribute(attr);
}

async function shoot(name: string): Promise<void> {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  // A real image of the page, not an empty file.
  expect(decode(readFileSync(file)).width).toBe(1200);
}

beforeAll(async () => {
  if (NO_CHROMIUM) return;
  await resolveBackend('wasm');
  mkdirSync(SCREENSHOTS, { recursive: true });
  store = await openRunStore(path.join(dir, 'runs.sqlite'));
  ids.federated = await recordFederation();
  ids.b = await recordTraining('mnist ae,ae w24', { cells: [{ type: 'ae' }, { type: 'ae' }], width: 24, seed: 2 }, 1, killUnits);
  ids.a = await recordTraining(HOSTILE_NAME, { cells: [{ type: 'ae' }, { type: 'dae' }], width: 32, seed: 1 }, 2);
  server = await startDashboardServer({ store: store.location, port: 0, pollMs: 200 });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/stream') streamsOpened++;
  });
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(server.url);
  // Marks this document: if it is still set later, the page was never reloaded.
  await page.evaluate(() => ((window as Window & { opened?: boolean }).opened = true));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(NO_CHROMIUM)('dashboard in headless Chromium on a store of real training runs', () => {
  it('lists the runs with status, model, dataset, backend and accuracy, showing names as text', async () => {
    const row = page.locator(`#runs-table tr[data-run-id="${ids.a}"]`);
    await row.waitFor();
    await expect.poll(() => page.locator('#runs-table tbody tr').count()).toBe(3);
    expect(await row.locator('.run-name').textContent()).toBe(HOSTILE_NAME);
    expect(await page.locator('#injected').count()).toBe(0);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(2, 6)).toEqual(['completed', 'lbp', 'mnist', 'wasm']);
    expect(cells[8]).toMatch(/^\d+\.\d\d%$/);
    await page.fill('#run-filter', 'ae,ae');
    await expect.poll(() => page.locator('#runs-table tbody tr').count()).toBe(1);
    await page.fill('#run-filter', '');
    await page.click('th[data-sort="name"]');
    expect(await page.locator('th[data-sort="name"]').getAttribute('data-order')).toBe('asc');
    await shoot('runs');
  });

  it('draws scalar charts with data points, with smoothing and other x axes', async () => {
    await page.goto(`${server.url}#/scalars?runs=${ids.a}`);
    await page.locator('.chart[data-title="loss/cell-1"]').waitFor();
    // 1024 / 32 = 32 steps per epoch, two epochs.
    expect(await chartAttr('loss/cell-1', 'data-points')).toBe('64');
    expect(await chartAttr('testAccuracy', 'data-points')).toBe('2');
    expect(await page.locator('.chart[data-title="loss/cell-1"] canvas').count()).toBe(1);
    await page.locator('#smoothing').fill('0.6');
    // Smoothed line plus the faint raw one.
    await expect.poll(() => chartAttr('loss/cell-1', 'data-drawn')).toBe('128');
    await page.selectOption('#x-axis', 'epoch');
    await expect.poll(() => chartAttr('loss/cell-1', 'data-x-axis')).toBe('epoch');
    // The last step of the second epoch sits at epoch 2.
    expect(await chartAttr('loss/cell-1', 'data-x-max')).toBe('2');
    await shoot('scalars');
    await page.check('#log-y');
    await expect.poll(() => chartAttr('loss/cell-1', 'data-log-y')).toBe('true');
    await page.uncheck('#log-y');
    await expect.poll(() => chartAttr('loss/cell-1', 'data-log-y')).toBe('false');
    await page.selectOption('#x-axis', 'step');
    await page.locator('#smoothing').fill('0');
  });

  it('exports a chart as CSV and JSON', async () => {
    const card = page.locator('.chart[data-title="loss/cell-1"]');
    const [csv] = await Promise.all([page.waitForEvent('download'), card.locator('button[data-format="csv"]').click()]);
    const text = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    expect(text[0]).toBe('series,step,epoch,wallTime,value');
    expect(text).toHaveLength(65);
    expect(text[1]).toMatch(/^"mnist <b id=""injected"">ae,dae<\/b> & ""w32""",1,0,\d+,[\d.]+$/);
    const [json] = await Promise.all([page.waitForEvent('download'), card.locator('button[data-format="json"]').click()]);
    const rows = JSON.parse(readFileSync((await json.path())!, 'utf8')) as Array<{ step: number }>;
    expect(rows.map((r) => r.step)).toEqual([...Array(64).keys()].map((i) => i + 1));
  });

  it('shows the per-cell panel: one loss series per cell, latent statistics and reconstruction images', async () => {
    await page.goto(`${server.url}#/cells?runs=${ids.a}`);
    await page.locator('.chart[data-chart-id="cells-loss"]').waitFor();
    expect(JSON.parse((await page.locator('.chart[data-chart-id="cells-loss"]').getAttribute('data-series'))!)).toEqual(['cell-1', 'cell-2']);
    expect(JSON.parse((await page.locator('.chart[data-chart-id="cells-latent-std"]').getAttribute('data-series'))!)).toEqual(['cell-1', 'cell-2']);
    for (const cell of ['cell-1', 'cell-2']) {
      expect(await page.locator(`.cell-panel[data-cell="${cell}"] figure[data-kind="reconstruction"]`).evaluateAll((f) => f.map((x) => x.getAttribute('data-step')))).toEqual(['0', '64']);
      const img = page.locator(`.cell-panel[data-cell="${cell}"] figure[data-kind="reconstruction"][data-step="64"] img`);
      await img.waitFor();
      await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
    }
    // Eight 28x28 probe images with 2-pixel gaps.
    expect(await page.locator('.cell-panel[data-cell="cell-1"] img').last().evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(8 * 30 + 2);
    await page.check('#log-y');
    await expect.poll(() => page.locator('.chart[data-chart-id="cells-loss"]').getAttribute('data-log-y')).toBe('true');
    await shoot('cells');
    await page.uncheck('#log-y');
  });

  it('shows federation rounds by clients, with rejections and their reason, and global accuracy', async () => {
    await page.goto(`${server.url}#/federation?runs=${ids.federated}`);
    await page.locator('#federation-table tr[data-round="3"]').waitFor();
    expect(await page.locator('#federation-table th').allTextContents()).toEqual(['Round', 'Accuracy', 'client-1', 'client-2', 'client-3']);
    expect(await page.locator('#federation-table tr[data-round="2"] td').nth(4).textContent()).toBe('skipped');
    const rejected = page.locator('#federation-table tr[data-round="3"] td.rejected');
    expect(await rejected.textContent()).toContain('rejected: shape-mismatch');
    expect(await rejected.textContent()).toContain('cell-2/kernel is [16, 8], expected [16, 16]');
    expect(await chartAttr('Global test accuracy per round', 'data-points')).toBe('3');
    await shoot('federation');
  });

  it('compares runs: overlay, config diff and final metrics', async () => {
    await page.goto(`${server.url}#/compare?runs=${ids.a},${ids.b}`);
    await page.locator('#config-diff tr.differs').first().waitFor();
    await expect.poll(async () => JSON.parse((await page.locator('.compare-view .chart').getAttribute('data-series'))!)).toEqual([HOSTILE_NAME, 'mnist ae,ae w24']);
    const width = page.locator('#config-diff tr', { hasText: 'config.model.width' });
    expect(await width.locator('td').allTextContents()).toEqual(['config.model.width', '32', '24']);
    expect(await page.locator('#final-metrics tr[data-key="loss/cell-1"] td').count()).toBe(3);
    await shoot('compare');
  });
  it('shows metrics and runs written after the page opened, without a reload', async () => {
    await page.goto(`${server.url}#/scalars?runs=${ids.a}`);
    await page.locator('.chart[data-title="loss/cell-1"]').waitFor();
    expect(await chartAttr('loss/cell-1', 'data-last-step')).toBe('64');
    // Another writer (as a training process would) appends to the same run.
    await store.addMetrics([{ runId: ids.a, step: 65, epoch: 2, cell: 'cell-1', key: 'loss/cell-1', value: 0.01, wallTime: Date.now() }]);
    await expect.poll(() => chartAttr('loss/cell-1', 'data-last-step'), { timeout: 15_000 }).toBe('65');
    expect(await chartAttr('loss/cell-1', 'data-points')).toBe('65');
    const late = await RunWriter.begin(store, { name: 'started later', command: 'x', config: {}, backend: 'cpu', versions: {} });
    await page.click('nav a[data-route="runs"]');
    await page.locator(`#runs-table tr[data-run-id="${late.runId}"] .status-running`).waitFor({ timeout: 15_000 });
    await late.finish('completed');
    await page.locator(`#runs-table tr[data-run-id="${late.runId}"] .status-completed`).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as Window & { opened?: boolean }).opened)).toBe(true);
    expect(await page.locator('#live').textContent()).toBe('live');
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    // Every view so far, several runs: one multiplexed stream for the whole tab.
    expect(streamsOpened).toBe(1);
  });


  it('reconnects when the server comes back and receives what was written meanwhile (Last-Event-ID)', async () => {
    await page.goto(`${server.url}#/scalars?runs=${ids.a}`);
    await page.locator('.chart[data-title="loss/cell-1"][data-last-step="65"]').waitFor();
    const port = Number(new URL(server.url).port);
    await server.close();
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 15_000 }).toBe('reconnecting…');
    // Written while no server runs: a stream starting from "now" would never deliver it.
    await store.addMetrics([{ runId: ids.a, step: 66, epoch: 2, cell: 'cell-1', key: 'loss/cell-1', value: 0.02, wallTime: Date.now() }]);
    server = await startDashboardServer({ store: store.location, port, pollMs: 200 });
    await expect.poll(() => chartAttr('loss/cell-1', 'data-last-step'), { timeout: 30_000 }).toBe('66');
    expect(await chartAttr('loss/cell-1', 'data-points')).toBe('66');
    expect(await page.evaluate(() => (window as Window & { opened?: boolean }).opened)).toBe(true);
  });

  it('shows dead units per cell: ReLU outputs silent before the layer norm, for a cell built with dead units', async () => {
    await page.goto(`${server.url}#/cells?runs=${ids.b}`);
    const chart = page.locator('.chart[data-chart-id="cells-dead-units"]');
    await chart.waitFor();
    expect(JSON.parse((await chart.getAttribute('data-series'))!)).toEqual(['cell-1', 'cell-2']);
    // The old reading, zeros after the layer norm, is gone: it was always 0.
    expect(await page.locator('.chart[data-chart-id="cells-latent-zeros"]').count()).toBe(0);
    // Before training (step 0) and at the end of the one epoch (step 32).
    expect(await chart.getAttribute('data-points')).toBe('4');
    const line = page.locator('.cell-panel[data-cell="cell-1"] .dead-units');
    await line.waitFor();
    expect(await line.getAttribute('data-step')).toBe('32');
    // 6 of 24 units can never fire; an unlucky live unit may also stay silent on the 8 probe images.
    const dead = Number(await line.getAttribute('data-dead'));
    expect(dead).toBeGreaterThanOrEqual(DEAD_UNITS / 24);
    expect(dead).toBeLessThan(0.5);
    expect(await line.textContent()).toMatch(/^Dead units \(silent on the whole probe batch\): \d+\.\d%; ReLU outputs zero before normalization: \d+\.\d% · step 32$/);
    expect(await line.evaluate((e) => e.classList.contains('has-dead'))).toBe(true);
    // Zeros before the norm are real: a fresh ReLU layer outputs zero for part of its inputs, dead units always.
    const zeros = (await page.locator('.chart[data-chart-id="cells-relu-zeros"]').evaluate((e) => (e as ChartElement).uplot!.data[1]!)) as number[];
    expect(zeros.every((z) => z >= DEAD_UNITS / 24 && z < 1)).toBe(true);
    await shoot('cells-dead-units');
  });

  it('plots epoch metrics at the step their epoch ended, joined by lines, on an axis ending at the last step', async () => {
    await page.goto(`${server.url}#/scalars?runs=${ids.a}`);
    const card = page.locator('.chart[data-title="testAccuracy"]');
    await card.waitFor();
    // Two epochs of 32 steps: accuracy at 32 and 64. The axis ends at the run's last recorded step of any metric
    // (64, or 66 after the live tests appended two late points).
    const data = await card.evaluate((e) => (e as ChartElement).uplot!.data.map((c) => [...c]));
    expect(data[0]).toEqual([32, 64]);
    const lastStep = Math.max(...(await store.metrics(ids.a)).map((p) => p.step));
    expect(await card.getAttribute('data-x-scale-min')).toBe('0');
    expect(await card.getAttribute('data-x-scale-max')).toBe(String(lastStep));
    // A line between the two points: the midpoint of the segment is painted in the series' color, and both points are.
    const [a, b] = [data[1]![0] as number, data[1]![1] as number];
    expect(await lineDrawnAt('testAccuracy', 1, () => [48, (a + b) / 2])).toBe(true);
    expect(await lineDrawnAt('testAccuracy', 1, () => [32, a])).toBe(true);
    expect(await lineDrawnAt('testAccuracy', 1, () => [64, b])).toBe(true);
    // Far from the segment nothing is painted in that color (the test would pass on any blue canvas otherwise).
    const far = b > a ? Math.min(...[a, b]) - (Math.abs(b - a) || 0.1) * 0.6 : Math.max(a, b) + (Math.abs(b - a) || 0.1) * 0.6;
    expect(await lineDrawnAt('testAccuracy', 1, () => [16, far])).toBe(false);

    // A one-epoch run: its single accuracy point sits at the last step (32), the axis ends there, not at about 64.
    await page.goto(`${server.url}#/scalars?runs=${ids.b}`);
    const single = page.locator('.chart[data-title="testAccuracy"]');
    await single.waitFor();
    await expect.poll(() => single.getAttribute('data-x-scale-max')).toBe('32');
    const point = await single.evaluate((e) => (e as ChartElement).uplot!.data.map((c) => [...c]));
    expect(point[0]).toEqual([32]);
    expect(await lineDrawnAt('testAccuracy', 1, () => [32, point[1]![0] as number])).toBe(true);
  });

  it('lets the charts use the whole width of the window, at 1440 and at 1024 pixels', async () => {
    await page.goto(`${server.url}#/scalars?runs=${ids.a}`);
    for (const width of [1440, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      await expect
        .poll(() => page.locator('.chart[data-title="loss/cell-1"] canvas').evaluate((c) => c.getBoundingClientRect().width), { timeout: 10_000 })
        .toBeGreaterThan(400);
      const geometry = await page.evaluate(() => {
        const cards = [...document.querySelectorAll<HTMLElement>('.scalars-view .chart')].map((c) => ({
          card: c.getBoundingClientRect(),
          canvas: c.querySelector('canvas')!.getBoundingClientRect(),
        }));
        const top = cards[0]!.card.top;
        const row = cards.filter((c) => Math.abs(c.card.top - top) < 2);
        return {
          left: Math.min(...row.map((c) => c.card.left)),
          right: Math.max(...row.map((c) => c.card.right)),
          fill: Math.min(...cards.map((c) => c.canvas.width / c.card.width)),
          perRow: row.length,
        };
      });
      // The row of cards spans the window but for the page's padding, and every plot fills its card.
      expect(geometry.left).toBeLessThan(30);
      expect(geometry.right).toBeGreaterThan(width - 30);
      expect(geometry.perRow).toBeGreaterThanOrEqual(2);
      expect(geometry.fill).toBeGreaterThan(0.9);
      if (width === 1440) await page.screenshot({ path: path.join(SCREENSHOTS, 'scalars-1440.png'), fullPage: false });
    }
    await page.setViewportSize({ width: 1200, height: 900 });
  });
});
