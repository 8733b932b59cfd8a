import { defineConfig } from 'tsup';
import { libraryTsup } from '../../tsup.shared';

// The file:// router is an entry of its own so its file name is stable: package.json's `browser` field maps
// it to nothing, and browser bundlers then skip the node:fs code that `resolveBackend` loads only under Node.
export default defineConfig(
  libraryTsup({
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    node: 'src/node.ts',
    'backend/file-system-router': 'src/backend/file-system-router.ts',
  }),
);
