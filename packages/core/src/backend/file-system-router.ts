import * as tf from '@tensorflow/tfjs';
import type { io } from '@tensorflow/tfjs';
import { loadModelArtifacts, saveModelArtifacts } from './model-artifacts-files';

const FILE_SCHEME = 'file://';

type Router = Parameters<typeof tf.io.registerSaveRouter>[0];
type NullableRouter = (url: string | string[]) => io.IOHandler | null;

/** 'file:///abs/dir' → '/abs/dir'; null for other schemes (tfjs then asks other routers). */
export function filePathFromUrl(url: string | string[]): string | null {
  const single = Array.isArray(url) ? (url.length === 1 ? url[0] : undefined) : url;
  if (single === undefined || !single.startsWith(FILE_SCHEME)) return null;
  const filePath = single.slice(FILE_SCHEME.length);
  // file:///C:/x on Windows
  return process.platform === 'win32' && /^\/[A-Za-z]:/.test(filePath) ? filePath.slice(1) : filePath;
}

// Set while asking tfjs which other routers claim a URL, so ours abstains.
let probing = false;

function otherRouterHandles(url: string | string[], kind: 'save' | 'load'): boolean {
  probing = true;
  try {
    const handlers = kind === 'save' ? tf.io.getSaveHandlers(url) : tf.io.getLoadHandlers(url);
    return handlers.length > 0;
  } finally {
    probing = false;
  }
}

// tfjs-layers refuses to save when two handlers claim a URL, so ours steps
// aside whenever another router (tfjs-node's) also handles file://.
const saveRouter: NullableRouter = (url) => {
  if (probing) return null;
  const filePath = filePathFromUrl(url);
  if (filePath === null || otherRouterHandles(url, 'save')) return null;
  return { save: (artifacts) => saveModelArtifacts(filePath, artifacts) };
};

const loadRouter: NullableRouter = (url) => {
  if (probing) return null;
  const filePath = filePathFromUrl(url);
  if (filePath === null || otherRouterHandles(url, 'load')) return null;
  return { load: () => loadModelArtifacts(filePath) };
};

let registered = false;

/**
 * Lets `model.save('file:///dir')` and `tf.loadLayersModel('file:///dir/model.json')`
 * work without tfjs-node. Does nothing when another router already handles
 * file://. Safe to call repeatedly; returns whether our router is registered.
 */
export function registerFileSystemRouter(): boolean {
  if (registered) return true;
  const probeUrl = `${FILE_SCHEME}/localbp-probe`;
  if (tf.io.getSaveHandlers(probeUrl).length > 0 || tf.io.getLoadHandlers(probeUrl).length > 0) {
    return false;
  }
  // tfjs's registry skips routers that return null, which its IORouter type omits.
  tf.io.registerSaveRouter(saveRouter as unknown as Router);
  tf.io.registerLoadRouter(loadRouter as unknown as Router);
  registered = true;
  return true;
}
