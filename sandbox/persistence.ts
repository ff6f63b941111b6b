/**
 * Saving the sandbox's state to a JSON file so it survives restarts. Writes are atomic: the new
 * content goes to a temporary file in the same directory, is flushed to disk, and then renamed over
 * the old file — a crash at any point leaves either the old or the new state, never a torn file.
 * Access-token values are not in the file, only their SHA-256 digests; pipeline trigger tokens' values
 * are, as GitLab keeps them (encrypted, because it shows them to their owner).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClockState } from "./clock";
import type { State } from "./model";

export const DATA_FORMAT = "gitlab-tokens-sandbox";

export interface DataFile {
  format: typeof DATA_FORMAT;
  version: 1;
  savedAt: string;
  clock: ClockState;
  state: State;
}

/** The saved state, or `undefined` when the file does not exist. Throws on a file that is not ours. */
export function loadDataFile(file: string): DataFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const d = data as Partial<DataFile> | null;
  if (!d || d.format !== DATA_FORMAT || d.version !== 1 || !d.state || !d.clock) {
    throw new Error(`${file}: not a sandbox data file (expected format "${DATA_FORMAT}", version 1)`);
  }
  return d as DataFile;
}

let sequence = 0;

function tempPrefix(file: string): string {
  return `.${path.basename(file)}.`;
}

/** Remove temporary files a crashed writer left next to the data file (they are never read). */
export function removeStaleTempFiles(file: string): void {
  const dir = path.dirname(path.resolve(file));
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const prefix = tempPrefix(file);
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith(".tmp")) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** Write the data file atomically (temporary file, fsync, rename, fsync of the directory). */
export function saveDataFile(file: string, data: Omit<DataFile, "format" | "version">): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${tempPrefix(file)}${process.pid}.${++sequence}.tmp`);
  const content = JSON.stringify({ format: DATA_FORMAT, version: 1, ...data }, null, 1);
  try {
    const fd = fs.openSync(tmp, "w", 0o600);
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dirFd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
