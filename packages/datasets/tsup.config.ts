import { defineConfig } from 'tsup';
import { libraryTsup } from '../../tsup.shared';

// `browser` is the filesystem-free part, which browser bundlers pick through the `browser` export condition.
export default defineConfig(libraryTsup({ index: 'src/index.ts', browser: 'src/browser.ts' }));
