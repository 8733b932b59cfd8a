/**
 * `@localbp/core/node`: what only makes sense under Node — the `file://` model router and the
 * model.json + weights.bin files behind it. The main entry stays browser-safe.
 */
export { filePathFromUrl, registerFileSystemRouter } from './backend/file-system-router';
export {
  loadModelArtifacts,
  MODEL_JSON_FILE,
  saveModelArtifacts,
  WEIGHTS_BIN_FILE,
} from './backend/model-artifacts-files';
export { loadPlugin, PluginLoadError } from './plugins/load-plugin';
export type { LoadedPlugin, LoadPluginOptions } from './plugins/load-plugin';
