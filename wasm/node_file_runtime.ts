/**
 * A file runtime for DuckDB-WASM in Deno and Node that keeps file databases durable.
 *
 * DuckDB-WASM does no file I/O itself: every open, read, write and truncate leaves the wasm module
 * through a "runtime" object of JS functions. The stock `NODE_RUNTIME` of @duckdb/duckdb-wasm
 * 1.32.0 loses committed data, for three reasons seen in traces (see wasm/README.md):
 *
 * 1. It answers every open with `FILE_FLAGS_NULL_IF_NOT_EXISTS` with "no such file", even when
 *    the file exists, so the WAL is never replayed (and `READ_ONLY` opens always fail).
 * 2. It ignores `FILE_FLAGS_APPEND`: DuckDB appends to the WAL through a handle whose position
 *    starts at 0, so after a reopen the first commit overwrites the head of the WAL.
 * 3. It has no real `syncFile`, and the wasm side never calls it anyway (`FileSync` is a no-op
 *    in the web file system), so nothing is ever fsynced.
 *
 * Two further defects sit in the wasm module. Buffered (non direct-IO) writes land at the
 * handle's running position instead of the requested offset: the loader opens everything with
 * direct IO (wasm/load_node.ts). `RemoveFile` never reaches JS, so a checkpointed WAL is never
 * deleted: this runtime empties the WAL once a database header has been written (the last step
 * of a checkpoint) and before the WAL is written again.
 *
 * This runtime is one plain object (the bindings copy its own properties onto
 * `globalThis.DUCKDB_RUNTIME`, which is process-wide), with state kept per wasm module so several
 * databases can live in one process.
 *
 * @module
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";

/** The part of the Emscripten module the runtime touches. */
export interface WasmModule {
  HEAPU8: Uint8Array;
  HEAPF64: Float64Array;
  _malloc(size: number): number;
  ccall(name: string, returnType: string | null, argTypes: string[], args: unknown[]): unknown;
  stackSave(): number;
  stackAlloc(size: number): number;
  stackRestore(pointer: number): void;
}

// duckdb::FileFlags, as the wasm module passes them to openFile.
const FLAG_WRITE = 1 << 1;
const FLAG_CREATE = 1 << 3;
const FLAG_CREATE_NEW = 1 << 4;
const FLAG_APPEND = 1 << 5;
const FLAG_NULL_IF_NOT_EXISTS = 1 << 7;

/** `DuckDBDataProtocol.NODE_FS`: files the runtime reads and writes with `node:fs`. */
const NODE_FS = 1;

/** DuckDB keeps two 4 KiB database headers at these offsets; a checkpoint ends by writing one. */
const HEADER_SIZE = 4096;
const HEADER_OFFSETS = new Set([HEADER_SIZE, 2 * HEADER_SIZE]);

interface OpenFile {
  fd: number;
  path: string;
  writable: boolean;
  /** Opened with FILE_FLAGS_APPEND: writes go to the end, whatever offset the module passes. */
  append: boolean;
  size: number;
  /** Written since the last fdatasync. */
  dirty: boolean;
}

interface ModuleFiles {
  byId: Map<number, OpenFile>;
  /**
   * WAL paths whose whole content a checkpoint has put into the database file. DuckDB would
   * delete such a WAL, but that request never reaches JS, so the runtime empties it before the
   * next commit writes to it.
   */
  redundantWals: Set<string>;
}

const states = new WeakMap<WasmModule, ModuleFiles>();

function filesOf(mod: WasmModule): ModuleFiles {
  let state = states.get(mod);
  if (!state) {
    state = { byId: new Map(), redundantWals: new Set() };
    states.set(mod, state);
  }
  return state;
}

const decoder = new TextDecoder();

function readString(mod: WasmModule, pointer: number, length: number): string {
  return decoder.decode(mod.HEAPU8.slice(pointer, pointer + length));
}

/** Report an error to the wasm module, which raises it as a C++ exception; does not return. */
function failWith(mod: WasmModule, message: string): void {
  mod.ccall("duckdb_web_fail_with", null, ["string"], [message]);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Ask the module which path a file id stands for. */
function fileTarget(mod: WasmModule, fileId: number): { path: string; protocol: number } {
  const stack = mod.stackSave();
  const response = mod.stackAlloc(3 * 8);
  let status: number, data: number, size: number;
  try {
    // Epoch 0 never matches the module's cache epoch, so the info is always returned.
    mod.ccall("duckdb_web_fs_get_file_info_by_id", null, ["number", "number", "number"], [
      response,
      fileId,
      0,
    ]);
    status = mod.HEAPF64[(response >> 3) + 0];
    data = mod.HEAPF64[(response >> 3) + 1];
    size = mod.HEAPF64[(response >> 3) + 2];
  } finally {
    mod.stackRestore(stack);
  }
  const text = readString(mod, data, size);
  mod.ccall("duckdb_web_clear_response", null, [], []);
  if (status !== 0) throw new Error(`Cannot resolve file id ${fileId}: ${text}`);
  const info = text ? JSON.parse(text) : null;
  if (!info) throw new Error(`Cannot resolve file id ${fileId}: unknown file`);
  return { path: info.dataUrl ?? info.fileName, protocol: info.dataProtocol };
}

function fileOf(mod: WasmModule, fileId: number): OpenFile {
  const file = filesOf(mod).byId.get(fileId);
  if (!file) throw new Error(`File id ${fileId} is not open`);
  return file;
}

function datasync(fd: number): void {
  // fdatasync is enough: DuckDB preallocates nothing the metadata would have to describe
  // beyond the size, which fdatasync flushes too.
  fs.fdatasyncSync(fd);
}

/** Make a newly created directory entry durable. Best effort: not every platform can open a directory. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(directory, "r");
    fs.fsyncSync(fd);
  } catch {
    // Windows and some file systems refuse; the file data itself is still synced.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function isWal(path: string): boolean {
  return path.endsWith(".wal");
}

function openFile(mod: WasmModule, fileId: number, flags: number): number {
  try {
    const target = fileTarget(mod, fileId);
    if (target.protocol !== NODE_FS) {
      failWith(mod, `Cannot open '${target.path}': only local files are supported by this runtime`);
      return 0;
    }
    const wantsWrite = (flags & (FLAG_WRITE | FLAG_CREATE | FLAG_CREATE_NEW | FLAG_APPEND)) !== 0;
    const state = filesOf(mod);
    let file = state.byId.get(fileId);
    if (file && wantsWrite && !file.writable) {
      fs.closeSync(file.fd);
      state.byId.delete(fileId);
      file = undefined;
    }
    if (!file) {
      const exists = fs.existsSync(target.path);
      const creates = (flags & (FLAG_CREATE | FLAG_CREATE_NEW)) !== 0;
      if (!exists && !creates) {
        if (flags & FLAG_NULL_IF_NOT_EXISTS) return 0;
        failWith(mod, `Cannot open '${target.path}': no such file`);
        return 0;
      }
      let mode = wantsWrite ? fs.constants.O_RDWR : fs.constants.O_RDONLY;
      if (creates) mode |= fs.constants.O_CREAT;
      if (flags & FLAG_CREATE_NEW) mode |= fs.constants.O_TRUNC;
      const fd = fs.openSync(target.path, mode, 0o600);
      if (!exists) syncDirectory(nodePath.dirname(target.path));
      file = {
        fd,
        path: target.path,
        writable: wantsWrite,
        append: false,
        size: fs.fstatSync(fd).size,
        dirty: false,
      };
      state.byId.set(fileId, file);
    }
    if (flags & FLAG_APPEND) file.append = true;
    // DuckDB (re)opens its WAL for writing after a checkpoint, expecting the old one deleted.
    if (wantsWrite && state.redundantWals.has(file.path)) emptyWal(state, file);
    // The module takes ownership of this {file_size, buffer} pair; buffer 0 means "read through me".
    const result = mod._malloc(2 * 8);
    mod.HEAPF64[(result >> 3) + 0] = file.size;
    mod.HEAPF64[(result >> 3) + 1] = 0;
    return result;
  } catch (error) {
    failWith(mod, `Cannot open file id ${fileId}: ${errorText(error)}`);
    return 0;
  }
}

function closeFile(mod: WasmModule, fileId: number): void {
  const state = filesOf(mod);
  const file = state.byId.get(fileId);
  if (!file) return;
  state.byId.delete(fileId);
  try {
    if (file.dirty) datasync(file.fd);
  } catch (error) {
    fs.closeSync(file.fd);
    failWith(mod, `Cannot sync '${file.path}': ${errorText(error)}`);
    return;
  }
  fs.closeSync(file.fd);
}

function readFile(mod: WasmModule, fileId: number, buffer: number, bytes: number, location: number): number {
  try {
    const file = fileOf(mod, fileId);
    let done = 0;
    while (done < bytes) {
      // Re-read HEAPU8 every time: memory growth replaces the buffer.
      const n = fs.readSync(file.fd, mod.HEAPU8, buffer + done, bytes - done, location + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  } catch (error) {
    failWith(mod, `Cannot read file id ${fileId}: ${errorText(error)}`);
    return 0;
  }
}

function writeFile(mod: WasmModule, fileId: number, buffer: number, bytes: number, location: number): number {
  try {
    const state = filesOf(mod);
    const file = fileOf(mod, fileId);
    if (state.redundantWals.has(file.path)) emptyWal(state, file);
    const position = file.append ? file.size : location;
    const headerWrite = !isWal(file.path) && bytes === HEADER_SIZE && HEADER_OFFSETS.has(position);
    // DuckDB syncs before writing a header so the blocks it points to are on disk first. The
    // module never forwards that sync, so the runtime does it here.
    if (headerWrite && file.dirty) datasync(file.fd);
    let done = 0;
    while (done < bytes) {
      done += fs.writeSync(file.fd, mod.HEAPU8, buffer + done, bytes - done, position + done);
    }
    file.size = Math.max(file.size, position + bytes);
    file.dirty = true;
    // A header is the last write of a checkpoint, which covers every commit in the WAL.
    if (headerWrite) state.redundantWals.add(file.path + ".wal");
    return bytes;
  } catch (error) {
    failWith(mod, `Cannot write file id ${fileId}: ${errorText(error)}`);
    return 0;
  }
}

/** Empty a WAL that a checkpoint has covered, keeping the inode that DuckDB's handle uses. */
function emptyWal(state: ModuleFiles, file: OpenFile): void {
  fs.ftruncateSync(file.fd, 0);
  file.size = 0;
  file.dirty = true;
  state.redundantWals.delete(file.path);
}

function truncateFile(mod: WasmModule, fileId: number, newSize: number): void {
  try {
    const file = fileOf(mod, fileId);
    fs.ftruncateSync(file.fd, newSize);
    file.size = newSize;
    file.dirty = true;
  } catch (error) {
    failWith(mod, `Cannot truncate file id ${fileId}: ${errorText(error)}`);
  }
}

function syncFile(mod: WasmModule, fileId: number): void {
  try {
    const file = fileOf(mod, fileId);
    if (file.dirty) datasync(file.fd);
    file.dirty = false;
  } catch (error) {
    failWith(mod, `Cannot sync file id ${fileId}: ${errorText(error)}`);
  }
}

function lastModified(mod: WasmModule, fileId: number): number {
  try {
    return Math.floor(fs.fstatSync(fileOf(mod, fileId).fd).mtimeMs / 1000);
  } catch (error) {
    failWith(mod, `Cannot stat file id ${fileId}: ${errorText(error)}`);
    return 0;
  }
}

function statKind(path: string): "file" | "directory" | null {
  try {
    const stat = fs.statSync(path);
    return stat.isFile() ? "file" : stat.isDirectory() ? "directory" : null;
  } catch {
    return null;
  }
}

/** Match one path segment against a glob pattern with `*`, `?` and `[...]`. */
function segmentMatcher(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) source += "\\[";
      else {
        source += "[" + pattern.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** Expand a glob whose wildcards may sit in any segment (no `**`). */
function expandGlob(pattern: string): string[] {
  const absolute = pattern.startsWith("/");
  const segments = pattern.split("/").filter((s) => s !== "");
  let prefixes = [absolute ? "/" : ""];
  for (const segment of segments) {
    const next: string[] = [];
    const wild = /[*?[]/.test(segment);
    for (const prefix of prefixes) {
      if (!wild) {
        next.push(prefix + segment + "/");
        continue;
      }
      const matcher = segmentMatcher(segment);
      let entries: string[] = [];
      try {
        entries = fs.readdirSync(prefix === "" ? "." : prefix);
      } catch {
        continue;
      }
      for (const entry of entries.sort()) if (matcher.test(entry)) next.push(prefix + entry + "/");
    }
    prefixes = next;
  }
  return prefixes.map((p) => p.slice(0, -1)).filter((p) => statKind(p) === "file");
}

/**
 * Record that the database file holds everything in its WAL (for instance right after a
 * `CHECKPOINT` that followed a WAL replay), so the WAL is emptied before it is written again.
 * Checkpoints that write a database header mark this on their own.
 *
 * @param mod The wasm module of the database.
 * @param databasePath The database file path, exactly as opened.
 *
 * @example
 * ```ts
 * import { markWalRedundant } from "./node_file_runtime.ts";
 * markWalRedundant({} as Parameters<typeof markWalRedundant>[0], "/tmp/x.duckdb");
 * ```
 */
export function markWalRedundant(mod: WasmModule, databasePath: string): void {
  filesOf(mod).redundantWals.add(databasePath + ".wal");
}

/**
 * After the database is closed (`reset()`), sync and close every file the module left open (the
 * WAL is never closed by the module) and delete the WAL when nothing in it is needed.
 *
 * @param mod The wasm module of the closed database.
 * @param databasePath The database file path, exactly as opened.
 * @returns Whether no WAL is left behind.
 *
 * @example Nothing to release for a module that opened nothing
 * ```ts
 * import { releaseFiles } from "./node_file_runtime.ts";
 * const done = releaseFiles({} as Parameters<typeof releaseFiles>[0], "/nonexistent/x.duckdb");
 * if (!done) throw new Error("expected no WAL");
 * ```
 */
export function releaseFiles(mod: WasmModule, databasePath: string): boolean {
  const state = filesOf(mod);
  const errors: string[] = [];
  for (const [id, file] of state.byId) {
    try {
      if (file.dirty) datasync(file.fd);
    } catch (error) {
      errors.push(`Cannot sync '${file.path}': ${errorText(error)}`);
    }
    fs.closeSync(file.fd);
    state.byId.delete(id);
  }
  if (errors.length) throw new Error(errors.join("; "));
  const walPath = databasePath + ".wal";
  const kind = statKind(walPath);
  if (kind === null) return true;
  if (state.redundantWals.has(walPath) || fs.statSync(walPath).size === 0) {
    fs.rmSync(walPath, { force: true });
    state.redundantWals.delete(walPath);
    return true;
  }
  return false;
}

/**
 * fdatasync every file written since its last sync. Call after each statement that may have
 * committed: DuckDB's own sync requests never reach the runtime.
 *
 * @param mod The wasm module of the database.
 *
 * @example A module with no open files has nothing to sync
 * ```ts
 * import { syncWrittenFiles } from "./node_file_runtime.ts";
 * syncWrittenFiles({} as Parameters<typeof syncWrittenFiles>[0]);
 * ```
 */
export function syncWrittenFiles(mod: WasmModule): void {
  for (const file of filesOf(mod).byId.values()) {
    if (!file.dirty) continue;
    datasync(file.fd);
    file.dirty = false;
  }
}

/**
 * The runtime object to hand to `createDuckDB` / the bindings constructor. Its own properties
 * are copied onto `globalThis.DUCKDB_RUNTIME`, shared by every DuckDB-WASM instance in the
 * process, so it keeps its state per module.
 *
 * @example Instantiate the blocking bundle with it
 * ```ts ignore
 * import * as duckdb from "npm:@duckdb/duckdb-wasm@1.32.0/dist/duckdb-node-blocking.cjs";
 * import { NODE_FILE_RUNTIME } from "./node_file_runtime.ts";
 * const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), NODE_FILE_RUNTIME as any);
 * await db.instantiate();
 * ```
 */
export const NODE_FILE_RUNTIME = {
  _files: new Map<string, unknown>(),
  _udfFunctions: new Map<number, unknown>(),
  testPlatformFeature: (_mod: WasmModule, feature: number): boolean =>
    feature === 1 && typeof BigInt64Array !== "undefined",
  getDefaultDataProtocol: (_mod: WasmModule): number => NODE_FS,
  openFile,
  syncFile,
  closeFile,
  dropFile: (_mod: WasmModule, _pointer: number, _length: number): void => {},
  getLastFileModificationTime: lastModified,
  truncateFile,
  readFile,
  writeFile,
  removeDirectory: (mod: WasmModule, pointer: number, length: number): void => {
    const path = readString(mod, pointer, length);
    try {
      fs.rmSync(path, { recursive: true, force: true });
    } catch (error) {
      failWith(mod, `Cannot remove directory '${path}': ${errorText(error)}`);
    }
  },
  checkDirectory: (mod: WasmModule, pointer: number, length: number): boolean =>
    statKind(readString(mod, pointer, length)) === "directory",
  createDirectory: (mod: WasmModule, pointer: number, length: number): void => {
    const path = readString(mod, pointer, length);
    try {
      fs.mkdirSync(path, { recursive: true });
    } catch (error) {
      failWith(mod, `Cannot create directory '${path}': ${errorText(error)}`);
    }
  },
  listDirectoryEntries: (_mod: WasmModule, _pointer: number, _length: number): boolean => false,
  glob: (mod: WasmModule, pointer: number, length: number): void => {
    const pattern = readString(mod, pointer, length);
    for (const path of expandGlob(pattern)) {
      mod.ccall("duckdb_web_fs_glob_add_path", null, ["string"], [path]);
    }
  },
  moveFile: (
    mod: WasmModule,
    fromPointer: number,
    fromLength: number,
    toPointer: number,
    toLength: number,
  ) => {
    const from = readString(mod, fromPointer, fromLength);
    const to = readString(mod, toPointer, toLength);
    try {
      fs.renameSync(from, to);
      for (const file of filesOf(mod).byId.values()) if (file.path === from) file.path = to;
    } catch (error) {
      failWith(mod, `Cannot move '${from}' to '${to}': ${errorText(error)}`);
    }
  },
  checkFile: (mod: WasmModule, pointer: number, length: number): boolean =>
    statKind(readString(mod, pointer, length)) === "file",
  removeFile: (mod: WasmModule, pointer: number, length: number): void => {
    const path = readString(mod, pointer, length);
    try {
      fs.rmSync(path, { force: true });
    } catch (error) {
      failWith(mod, `Cannot remove '${path}': ${errorText(error)}`);
    }
  },
  progressUpdate: (_final: number, _percentage: number, _iteration: number): void => {},
  callScalarUDF: (mod: WasmModule): void => {
    failWith(mod, "Scalar UDFs are not supported by this runtime");
  },
};
