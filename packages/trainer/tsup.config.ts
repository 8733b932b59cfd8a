import { defineConfig } from 'tsup';
import { libraryTsup } from '../../tsup.shared';

// `run-store` and `experiment` are their own entries so the main one never loads libsql's native library or child processes.
// `browser` is the filesystem-free part, which browser bundlers pick through the `browser` export condition.
export default defineConfig(
  libraryTsup({ index: 'src/index.ts', browser: 'src/browser.ts', 'experiment/index': 'src/experiment/index.ts', 'run-store': 'src/run-store.ts', 'pipeline/stage-worker': 'src/pipeline/stage-worker.ts' }),
);
