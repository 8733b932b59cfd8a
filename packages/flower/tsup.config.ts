import { defineConfig } from 'tsup';
import { libraryTsup } from '../../tsup.shared';

export default defineConfig(libraryTsup(['src/index.ts', 'src/browser.ts', 'src/testing/index.ts']));
