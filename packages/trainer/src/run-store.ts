// Node-only entry `@localbp/trainer/run-store`: the SQLite run store (loads libsql's native library).
export { DEFAULT_STORE_PATH, isRemoteStoreLocation, openRunStore, SqliteRunStore } from './run-store/sqlite-run-store';
export type { OpenRunStoreOptions } from './run-store/sqlite-run-store';
export { RunStoreError } from './run-store/run-store-error';
export { RUN_STORE_FORMAT, RUN_STORE_SCHEMA_VERSION } from './run-store/run-store-schema';
export { RunWriter } from './run-store/run-writer';
export type { MetricPosition, RunWriterOptions } from './run-store/run-writer';
