import path from 'node:path';

/**
 * Path of a worker script next to the caller (`dir` = the caller's __dirname): the compiled .js
 * in dist/, the .ts source under the test runner (Node 24 runs erasable TypeScript directly).
 */
export function workerFile(dir: string, name: string): string {
  return path.join(dir, `${name}${path.extname(__filename)}`);
}
