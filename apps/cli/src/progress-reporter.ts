import type { Logs, TrainerCallbacks } from '@localbp/trainer';

function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--';
  const m = Math.floor(s / 60);
  const sec = Math.round(s % 60);
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

function formatLosses(logs: Logs): string {
  return Object.entries(logs)
    .filter(([k]) => k.startsWith('loss/'))
    .map(([k, v]) => `${k.slice(5)} ${v.toFixed(4)}`)
    .join('  ');
}

/**
 * Epoch and batch progress with per-cell losses and ETA, on stderr so stdout stays parseable.
 * On a TTY the bar redraws in place; otherwise a line every tenth of an epoch.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): TrainerCallbacks {
  const tty = Boolean(stream.isTTY);
  let phaseName = '';
  let phaseEpochs = 1;
  let epochInPhase = 0;
  let batchesPerEpoch = 1;
  let epochStart = 0;
  let lastLine = -1;
  // A resumed epoch starts mid-way: the ETA must use only the batches this process ran.
  let firstBatch: number | null = null;
  return {
    onPhaseBegin(phase) {
      phaseName = phase.name;
      phaseEpochs = phase.epochs;
      epochInPhase = 0;
      batchesPerEpoch = phase.batchesPerEpoch;
      stream.write(`phase ${phase.index + 1}: training ${phase.name === 'all' ? 'all cells and the classifier' : phase.name}\n`);
    },
    onEpochBegin(_epoch, logs) {
      // A resumed run starts at its checkpoint's epoch, not at 1.
      epochInPhase = typeof logs.phaseEpoch === 'number' ? logs.phaseEpoch + 1 : epochInPhase + 1;
      epochStart = performance.now();
      lastLine = -1;
      firstBatch = null;
    },
    onBatchEnd(batch, logs) {
      const done = batch + 1;
      firstBatch ??= batch;
      const ran = done - firstBatch;
      const elapsed = (performance.now() - epochStart) / 1000;
      const eta = (elapsed / ran) * (batchesPerEpoch - done);
      const frac = done / batchesPerEpoch;
      const label = `${phaseName} epoch ${epochInPhase}/${phaseEpochs}`;
      if (tty) {
        const width = 24;
        const filled = Math.round(frac * width);
        const bar = `${'='.repeat(filled)}${' '.repeat(width - filled)}`;
        stream.write(`\r${label} [${bar}] ${done}/${batchesPerEpoch}  ${formatLosses(logs)}  ETA ${formatSeconds(eta)}\x1b[K`);
      } else {
        const tenth = Math.floor(frac * 10);
        if (tenth !== lastLine && (tenth > 0 || ran === 1)) {
          lastLine = tenth;
          stream.write(`${label} ${done}/${batchesPerEpoch}  ${formatLosses(logs)}  ETA ${formatSeconds(eta)}\n`);
        }
      }
    },
    onEpochEnd(_epoch, logs) {
      if (tty) stream.write('\n');
      const acc = logs.testAccuracy !== undefined ? `  test accuracy ${(logs.testAccuracy * 100).toFixed(2)}%` : '';
      const other = Object.entries(logs)
        .filter(([k]) => k.startsWith('testAccuracy/'))
        .map(([k, v]) => ` (${k.slice('testAccuracy/'.length)}: ${(v * 100).toFixed(2)}%)`)
        .join('');
      stream.write(`${phaseName} epoch ${epochInPhase}/${phaseEpochs} done in ${formatSeconds(logs.seconds ?? 0)}  ${formatLosses(logs)}${acc}${other}\n`);
    },
  };
}
