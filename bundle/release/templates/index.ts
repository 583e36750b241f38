// The GitHub-source launcher of a temps-bundle release (written by `cargo xtask bundle`; see README.md).
//
// Temps builds this file with `bun build --compile` and runs the result as the plugin. The launcher writes the
// bundle binary for this machine once into `<data-dir>/.bin/<sha256>`, checks it, and runs it with the same argv
// and inherited stdin/stdout/stderr, so the Rust binary does the handshake itself. The launcher never writes to
// stdout (stdout is the handshake); every failure is one line on stderr and exit status 1, never a hang.

import { createHash, randomBytes } from "node:crypto";
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { BINARIES, CHILD_ENV, NAME, VERSION, type Binary } from "./bundle";

// Why the launcher cannot go on: printed as one stderr line.
class LaunchError extends Error {}

function fail(message: string): never {
  // Synchronous: `process.exit` right after an asynchronous write could lose the line.
  writeSync(2, `${NAME} ${VERSION} launcher: ${message}\n`);
  process.exit(1);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// The binary is tens of MiB and is checked at every start: it is read and hashed in chunks, never held whole.
const CHUNK = 1 << 20;

// The SHA-256 of the file at `path`, read chunk by chunk.
function hashChunks(path: string): string {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

// `glibc` or `musl` on Linux (from the running Bun's own process report), nothing elsewhere.
function libc(): string | undefined {
  if (process.platform !== "linux") return undefined;
  const report = process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? "glibc" : "musl";
}

// The embedded binary for this machine.
function pick(): Binary {
  const wanted = { os: process.platform as string, cpu: process.arch as string, libc: libc() };
  const found = BINARIES.find((b) => b.os === wanted.os && b.cpu === wanted.cpu && b.libc === wanted.libc);
  if (!found) {
    const here = [wanted.os, wanted.cpu, wanted.libc].filter(Boolean).join("-");
    const built = BINARIES.map((b) => b.dir).join(", ");
    throw new LaunchError(`this release has no bundle binary for ${here} (it has: ${built}); rebuild it with that platform`);
  }
  return found;
}

// The `--data-dir` the host passed (`--data-dir D` or `--data-dir=D`).
function dataDir(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--data-dir" && args[i + 1]) return args[i + 1]!;
    if (arg.startsWith("--data-dir=") && arg.length > "--data-dir=".length) return arg.slice("--data-dir=".length);
  }
  throw new LaunchError("no --data-dir on the command line (Temps always passes one)");
}

// The SHA-256 of `path`, or undefined when there is no such file.
function hashIfPresent(path: string): string | undefined {
  try {
    return hashChunks(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LaunchError(`cannot read ${path}: ${reason(error)}`);
  }
}

// Copies the embedded binary (in Bun's embedded file system, which `node:fs` cannot open) into `fd` chunk by
// chunk, hashing as it goes; returns its SHA-256.
async function copyEmbedded(path: string, fd: number): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of Bun.file(path).stream()) {
    hash.update(chunk);
    for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done);
  }
  return hash.digest("hex");
}

// `<data-dir>/.bin/<sha256>`: reused when present and intact, else written to a temporary file, checked, made
// read-only (0500) and renamed into place, so a concurrent start or a crash never leaves a half-written binary.
async function extract(binary: Binary, dir: string): Promise<string> {
  const bin = join(dir, ".bin");
  const target = join(bin, binary.sha256);
  const found = hashIfPresent(target);
  if (found !== undefined) {
    if (found !== binary.sha256) {
      throw new LaunchError(`${target} is corrupted (SHA-256 ${found}, expected ${binary.sha256}); delete it and restart the plugin`);
    }
    return target;
  }
  try {
    mkdirSync(bin, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new LaunchError(`cannot create ${bin}: ${reason(error)}`);
  }
  const temp = join(bin, `.${binary.sha256}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx", 0o600);
    let embedded: string;
    try {
      embedded = await copyEmbedded(binary.path, fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (embedded !== binary.sha256) {
      throw new LaunchError(`the embedded ${binary.dir} binary does not have the SHA-256 it was built with; rebuild the plugin`);
    }
    const written = hashChunks(temp);
    if (written !== binary.sha256) {
      throw new LaunchError(`${temp} reads back with SHA-256 ${written}, expected ${binary.sha256}; the disk is failing`);
    }
    chmodSync(temp, 0o500);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof LaunchError) throw error;
    throw new LaunchError(`cannot write ${target}: ${reason(error)}`);
  }
  return target;
}

function signalNumber(name: string): number {
  return (constants.signals as Record<string, number>)[name] ?? 1;
}

async function main(): Promise<never> {
  const args = process.argv.slice(2);
  let path: string;
  try {
    path = await extract(pick(), dataDir(args));
  } catch (error) {
    fail(reason(error));
  }
  // An explicit environment: nothing of the launcher's own is forwarded (README.md). The pid tells the bundle
  // that its parent is this launcher, so that it can die with it (Temps stops plugins with SIGKILL).
  const env: Record<string, string> = { ...CHILD_ENV, TEMPS_BUNDLE_LAUNCHER_PID: String(process.pid) };
  let child: ReturnType<typeof Bun.spawn>;
  try {
    child = Bun.spawn([path, ...args], { stdio: ["inherit", "inherit", "inherit"], env });
  } catch (error) {
    fail(`cannot run ${path}: ${reason(error)}`);
  }
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  const code = await child.exited;
  process.exit(child.signalCode ? 128 + signalNumber(child.signalCode) : code);
}

await main();
