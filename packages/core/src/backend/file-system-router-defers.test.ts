import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerFileSystemRouter } from './file-system-router';

// Own file: routers cannot be unregistered, and these add foreign ones.
describe('file:// router next to another file:// router (tfjs-node)', () => {
  const foreign: tf.io.IOHandler = { save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) };
  const foreignRouter = ((url: string | string[]) =>
    typeof url === 'string' && url.startsWith('file://') ? foreign : null) as unknown as Parameters<
    typeof tf.io.registerSaveRouter
  >[0];

  it('steps aside for a router registered after it, so saving never sees two handlers', () => {
    expect(registerFileSystemRouter()).toBe(true);
    tf.io.registerSaveRouter(foreignRouter);
    expect(tf.io.getSaveHandlers('file:///tmp/m')).toEqual([foreign]);
  });
});
