// Child process of blas-core-choice.test.ts: applies a recorded kernel choice the way the addon's loader does, then
// loads a copy of the addon and prints the kernel set OpenBLAS runs. With --worker, all of it happens in a worker
// thread, whose process.env never reaches getenv() on its own.
import { createRequire } from 'node:module';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadWithRecordedBlasCore } from '../dist/index.js';

function loadAndReport(addonFile) {
  const { addon, choice } = loadWithRecordedBlasCore(addonFile, import.meta.url, () => createRequire(import.meta.url)(addonFile));
  // The variable is only there while OpenBLAS loads: child processes must not inherit it.
  return { choice, core: addon.blasInfo().core, left: process.env.OPENBLAS_CORETYPE ?? null };
}

if (isMainThread) {
  const [addonFile, where] = process.argv.slice(2);
  if (where === '--worker') {
    const worker = new Worker(new URL(import.meta.url), { workerData: addonFile });
    worker.once('message', (result) => console.log(JSON.stringify(result)));
    worker.once('error', (error) => {
      console.error(error);
      process.exit(1);
    });
  } else {
    console.log(JSON.stringify(loadAndReport(addonFile)));
  }
} else {
  parentPort.postMessage(loadAndReport(workerData));
}
