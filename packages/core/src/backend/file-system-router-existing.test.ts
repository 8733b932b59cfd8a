import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { registerFileSystemRouter } from './file-system-router';

// Own file: routers cannot be unregistered.
it('does not register when file:// is already handled (tfjs-node loaded first)', () => {
  const foreign: tf.io.IOHandler = { load: async () => ({}) };
  const router = ((url: string | string[]) =>
    typeof url === 'string' && url.startsWith('file://') ? foreign : null) as unknown as Parameters<
    typeof tf.io.registerLoadRouter
  >[0];
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
  expect(registerFileSystemRouter()).toBe(false);
  expect(tf.io.getLoadHandlers('file:///tmp/m/model.json')).toEqual([foreign]);
});
