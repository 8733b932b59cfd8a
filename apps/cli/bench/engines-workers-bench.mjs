// Seconds per epoch of whole `localbp train` processes on each engine (wasm, native) with 1 and N
// workers, each as a ratio to wasm with 1 worker, measured in one run with the configurations
// alternating round by round (this machine is shared and noisy). Models: the main job (3 ae cells x
// 1000, 512-unit head), lbp-cae (cae,cae,cae) and bp-cnn. A benchmark, not a test: it prints figures.
//
// For staged models it also runs N independent 1-worker processes at once: how much N cores of this machine
// deliver together for that job (shared caches, memory bandwidth, clocks), the reference the pipeline's speed-up is
// set against. It is no hard bound: a pipeline's stages each hold part of the model.
//
//   node apps/cli/bench/engines-workers-bench.mjs [--rounds=1] [--main-limit=20000] [--conv-limit=4000] [--workers=N] [--only=main,cae,bp-cnn] [--engines=wasm,native]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const rounds = Number(args.get('rounds') ?? 1);
const mainLimit = args.get('main-limit') ?? '20000';
const convLimit = args.get('conv-limit') ?? '4000';
const workersN = Number(args.get('workers') ?? availableParallelism());
const only = new Set((args.get('only') ?? 'main,cae,bp-cnn').split(','));
const engineFilter = new Set((args.get('engines') ?? 'wasm,native').split(','));
const BIN = fileURLToPath(new URL('../dist/localbp.js', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'localbp-engine-bench-'));

const MODELS = [
  { id: 'main', label: 'main job (ae,ae,ae x 1000)', flags: ['--model', 'lbp', '--cells', 'ae,ae,ae', '--train-limit', mainLimit], staged: true },
  { id: 'cae', label: 'lbp-cae (cae,cae,cae)', flags: ['--model', 'lbp', '--cells', 'cae,cae,cae', '--train-limit', convLimit], staged: true },
  { id: 'bp-cnn', label: 'bp-cnn', flags: ['--model', 'bp-cnn', '--train-limit', convLimit], staged: false },
].filter((m) => only.has(m.id));

function train(flags) {
  const out = mkdtempSync(path.join(scratch, 'run-'));
  const started = performance.now();
  const res = spawnSync(process.execPath, [BIN, 'train', ...flags, '--epochs', '1', '--test-limit', '2000', '--no-store', '--json', '--out', out], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - started) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (res.status !== 0) return { error: (res.stderr.trim().split('\n').at(-1) ?? `exit ${res.status}`).slice(0, 200) };
  const summary = JSON.parse(res.stdout.trim().split('\n').at(-1));
  return { epoch: summary.epochSeconds[0], wall, accuracy: summary.testAccuracy, backend: summary.backend, workers: summary.workers, versions: summary.versions };
}

// N copies of one configuration at once; resolves to their results.
function trainConcurrently(flags, copies) {
  return Promise.all(
    Array.from({ length: copies }, () => {
      const out = mkdtempSync(path.join(scratch, 'run-'));
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, 'train', ...flags, '--epochs', '1', '--test-limit', '2000', '--no-store', '--json', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => {
          rmSync(out, { recursive: true, force: true });
          if (code !== 0) return resolve({ error: (stderr.trim().split('\n').at(-1) ?? `exit ${code}`).slice(0, 200) });
          const summary = JSON.parse(stdout.trim().split('\n').at(-1));
          resolve({ epoch: summary.epochSeconds[0] });
        });
      });
    }),
  );
}

// Does the native engine load here? One tiny run tells, with the reason when it does not.
const probe = train(['--backend', 'native', '--train-limit', '64', '--width', '8', '--workers', '1']);
const engines = (probe.error ? ['wasm'] : ['wasm', 'native']).filter((e) => engineFilter.has(e));
if (probe.error) console.log(`native engine unavailable: ${probe.error}`);

const configs = [];
for (const model of MODELS) {
  for (const engine of engines) {
    for (const workers of model.staged ? [1, workersN] : [1]) configs.push({ model, engine, workers });
  }
}
const times = new Map(configs.map((c) => [c, []]));
// Per staged model and engine: the mean epoch of workersN 1-worker copies running at once.
const together = new Map();
for (let round = 0; round < rounds; round++) {
  for (const c of configs) {
    const flags = [...c.model.flags, '--backend', c.engine, '--workers', String(c.workers)];
    const r = train(flags);
    times.get(c).push(r);
    console.error(`round ${round + 1}/${rounds} ${c.model.id} ${c.engine} workers ${c.workers}: ${r.error ?? `${r.epoch.toFixed(1)} s/epoch, accuracy ${(r.accuracy * 100).toFixed(2)}%`}`);
    // After the N-worker run, so that the 1- and N-worker runs of a round sit side by side.
    if (c.model.staged && c.workers === workersN && workersN > 1) {
      const rs = await trainConcurrently([...c.model.flags, '--backend', c.engine, '--workers', '1'], workersN);
      const ok = rs.filter((x) => !x.error);
      const key = `${c.model.id}/${c.engine}`;
      if (!together.has(key)) together.set(key, []);
      if (ok.length === rs.length) together.get(key).push(ok.reduce((a, x) => a + x.epoch, 0) / ok.length);
      console.error(`round ${round + 1}/${rounds} ${c.model.id} ${c.engine}: ${workersN} 1-worker runs at once: ${ok.length === rs.length ? ok.map((x) => x.epoch.toFixed(1)).join(', ') + ' s/epoch' : rs.find((x) => x.error).error}`);
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`\nlocalbp train, 1 epoch, batch 128, seconds per epoch and whole-process wall seconds (medians of ${rounds}); ${availableParallelism()} cores; node ${process.version}`);
console.log(`| model | engine | workers | s/epoch | wall s | vs ${engines.includes('wasm') ? 'wasm' : engines[0]}, 1 worker | test accuracy |`);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const model of MODELS) {
  const base = configs.find((c) => c.model === model && c.engine === 'wasm' && c.workers === 1) ?? configs.find((c) => c.model === model && c.workers === 1);
  const baseEpoch = median(times.get(base).filter((r) => !r.error).map((r) => r.epoch));
  for (const c of configs.filter((x) => x.model === model)) {
    const ok = times.get(c).filter((r) => !r.error);
    if (ok.length === 0) {
      console.log(`| ${model.label} | ${c.engine} | ${c.workers} | failed: ${times.get(c)[0].error} | | | |`);
      continue;
    }
    const epoch = median(ok.map((r) => r.epoch));
    console.log(`| ${model.label} | ${c.engine} | ${c.workers} | ${epoch.toFixed(1)} | ${median(ok.map((r) => r.wall)).toFixed(1)} | ${(baseEpoch / epoch).toFixed(2)}x | ${(ok.at(-1).accuracy * 100).toFixed(2)}% |`);
  }
}
if (workersN > 1 && together.size) {
  console.log(`\nThe machine's ceiling: ${workersN} independent 1-worker runs at once, each one's s/epoch, and how much work the ${workersN} cores then do per second against one run alone (what ${workersN} streams of this job get from this machine's shared caches and memory; a pipeline, whose stages each hold part of the model, can do better or worse)`);
  console.log(`| model | engine | 1 run alone s/epoch | ${workersN} at once s/epoch | ceiling | ${workersN}-worker speed-up | per round: median (each) | of the ceiling |`);
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const model of MODELS.filter((m) => m.staged)) {
    for (const engine of engines) {
      const runs = together.get(`${model.id}/${engine}`);
      const alone = times.get(configs.find((c) => c.model === model && c.engine === engine && c.workers === 1)).filter((r) => !r.error);
      const piped = times.get(configs.find((c) => c.model === model && c.engine === engine && c.workers === workersN)).filter((r) => !r.error);
      if (!runs?.length || !alone.length || !piped.length) continue;
      const t1 = median(alone.map((r) => r.epoch));
      const tN = median(runs);
      const ceiling = (workersN * t1) / tN;
      const speedup = t1 / median(piped.map((r) => r.epoch));
      // Each round's own ratio: its two runs ran minutes apart at most, so a slow phase of the machine hits both.
      const pairs = times.get(configs.find((c) => c.model === model && c.engine === engine && c.workers === 1)).map((r, i) => {
        const p = times.get(configs.find((c) => c.model === model && c.engine === engine && c.workers === workersN))[i];
        return r.error || !p || p.error ? null : r.epoch / p.epoch;
      }).filter((x) => x !== null);
      console.log(`| ${model.label} | ${engine} | ${t1.toFixed(1)} | ${tN.toFixed(1)} | ${ceiling.toFixed(2)}x | ${speedup.toFixed(2)}x | ${median(pairs).toFixed(2)}x (${pairs.map((x) => x.toFixed(2)).join(', ')}) | ${((100 * speedup) / ceiling).toFixed(0)}% |`);
    }
  }
}
console.log(`(main job: first ${mainLimit} MNIST examples; conv models: first ${convLimit}; test accuracy on the first 2000 test images)`);
rmSync(scratch, { recursive: true, force: true });
