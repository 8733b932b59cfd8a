// Child process of blas-core-choice.test.ts: applies a recorded kernel choice the way the addon's loader does, then
// loads a copy of the addon and prints the kernel set OpenBLAS runs. With --worker, all of it happens in a worker
// thread, whose process.env never reaches getenv() on its own.
import { createRequire } from 'node:module';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { applyRecordedBlasCore } from '../dist/index.js';

function loadAndReport(addonFile) {
  const choice = applyRecordedBlasCore(addonFile, import.meta.url);
  const core = createRequire(import.meta.url)(addonFile).blasInfo().core;
  return { choice, core };
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
