import { defineConfig } from 'tsup';
import { libraryTsup } from '../../tsup.shared';

// `run-store` and `experiment` are their own entries so the main one never loads libsql's native library or child processes.
export default defineConfig(
  libraryTsup({ index: 'src/index.ts', 'experiment/index': 'src/experiment/index.ts', 'run-store': 'src/run-store.ts' }),
);
