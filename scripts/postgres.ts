/**
 * A throwaway PostgreSQL server for the tests, and a reader for the Pulumi CLI's PostgreSQL state
 * backend (`pulumi login postgres://user:password@host:port/database?sslmode=disable`, in
 * github.com/pulumi/pulumi/pkg/v3/backend/diy/postgres). That backend keeps what the file backend
 * keeps as files as rows of one table (`pulumi_state` unless the URL says `table=…`): `key TEXT
 * PRIMARY KEY` (the file's path under the URL's path, which is also the database's name:
 * `<database>/.pulumi/stacks/<project>/<stack>.json`, the lock
 * `<database>/.pulumi/locks/<org>/<project>/<stack>/<uuid>.json`, …), `data JSON` (`{"data":
 * "<base64 of the file>"}`) and `updated_at`; it creates the table on first use.
 *
 * The server runs from the Debian `postgresql` package's binaries (scripts/system-install.sh
 * installs them), in a temp data folder, on a free port of 127.0.0.1 only (no Unix socket), with
 * password (SCRAM) authentication and random passwords. PostgreSQL refuses to run as root: as root
 * it runs as the `postgres` OS user. It is a child of the process that starts it and stops when that
 * process ends, however it ends (a watcher in its wrapper shell waits for its stdin to close).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The OS user the server runs as when this process is root. */
const SERVER_OS_USER = "postgres";
/** The role the backend URLs log in as: no superuser, owner of each database it is given. */
const BACKEND_ROLE = "pulumi";
/** The table the Pulumi CLI's PostgreSQL backend uses unless its URL names another (`table=`). */
export const POSTGRES_STATE_TABLE = "pulumi_state";

/** The folder holding PostgreSQL's server programs (initdb, postgres, psql), or undefined. */
export function postgresBinDir(): string | undefined {
  const onPath = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .find((dir) => fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "postgres")));
  if (onPath) return fs.realpathSync(path.join(onPath, "initdb")).replace(/\/initdb$/, "");
  const debian = "/usr/lib/postgresql";
  const versions = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((v) => fs.existsSync(path.join(debian, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.length > 0 ? path.join(debian, versions[0]!, "bin") : undefined;
}

function requireBinDir(): string {
  const bin = postgresBinDir();
  if (!bin) {
    throw new Error(
      "PostgreSQL's server programs (initdb, postgres) are not installed: run `bash scripts/system-install.sh` " +
        "(Debian/Ubuntu: apt-get install postgresql), or put a folder holding them on PATH",
    );
  }
  return bin;
}

function psqlPath(): string {
  const bin = postgresBinDir();
  return bin && fs.existsSync(path.join(bin, "psql")) ? path.join(bin, "psql") : "psql";
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the server binds it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `argv` as the server's OS user (when root) and fails with its output when it fails. */
function runAs(argv: string[], asRoot: boolean, cwd: string): void {
  const [cmd, ...args] = asRoot ? ["runuser", "-u", SERVER_OS_USER, "--", ...argv] : argv;
  const r = spawnSync(cmd!, args, { encoding: "utf8", cwd });
  if (r.status !== 0) {
    throw new Error(`${path.basename(argv[0]!)} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  }
}

/** The parts of a backend URL psql needs, the password apart (given through PGPASSWORD). */
function connection(url: string): { conninfo: string; password: string; table: string } {
  const u = new URL(url);
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new Error(`not a PostgreSQL URL (${u.protocol})`);
  }
  const password = decodeURIComponent(u.password);
  const table = u.searchParams.get("table") || POSTGRES_STATE_TABLE;
  u.password = "";
  u.searchParams.delete("table"); // Pulumi's parameter, unknown to libpq
  return { conninfo: u.toString(), password, table };
}

/**
 * Runs SQL with psql against `url` (a backend URL: its password goes through the environment, never
 * the command line) and returns psql's unaligned output, fields separated by a tab.
 */
export function psqlSync(url: string, sql: string): string {
  const { conninfo, password } = connection(url);
  const r = spawnSync(
    psqlPath(),
    ["-X", "-A", "-t", "-q", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", conninfo],
    {
      input: sql,
      encoding: "utf8",
      env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: "10" },
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (r.status !== 0) throw new Error(`psql failed (${r.status ?? r.signal}): ${(r.stderr || "").trim()}`);
  return r.stdout;
}

/**
 * The objects the Pulumi CLI's PostgreSQL backend at `url` stores (what an attacker with the
 * database would see), decoded, in key order; `prefix` keeps the keys that start with it. Keys are
 * given from the backend's root: the CLI stores them under the URL's path (the database name, as
 * with a bucket's folder: `<database>/.pulumi/stacks/…`), which is left out here. Empty until the
 * CLI first used the database (it creates the table then).
 */
export function readPostgresBackend(url: string, prefix = ""): { key: string; text: string }[] {
  const { table } = connection(url);
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(table))
    throw new Error(`unexpected table name ${JSON.stringify(table)}`);
  const exists = psqlSync(url, `SELECT to_regclass('${table}') IS NOT NULL;`).trim();
  if (exists !== "t") return [];
  const root = decodeURIComponent(new URL(url).pathname).replace(/^\/+/, "");
  const under = root === "" ? "" : root.endsWith("/") ? root : `${root}/`;
  const literal = (under + prefix).replace(/\\/g, "\\\\").replace(/[%_]/g, "\\$&").replace(/'/g, "''");
  const out = psqlSync(
    url,
    `SELECT key, data->>'data' FROM ${table} WHERE key LIKE '${literal}%' ORDER BY key;`,
  );
  return out
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const [key, b64] = line.split("\t");
      return { key: key!.slice(under.length), text: Buffer.from(b64 ?? "", "base64").toString("utf8") };
    });
}

/** The key under which the CLI stores the backend object `key` (`<database>/<key>`). */
export function postgresKey(url: string, key: string): string {
  const root = decodeURIComponent(new URL(url).pathname).replace(/^\/+/, "");
  return root === "" ? key : `${root.replace(/\/$/, "")}/${key}`;
}

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** The PostgreSQL version the server reports (`SHOW server_version`). */
  readonly version: string;
  /** Milliseconds from initdb to the first query answered. */
  readonly startMs: number;
  /**
   * Creates an empty database owned by the backend's role and returns the backend URL for it
   * (`postgres://pulumi:<password>@127.0.0.1:<port>/<name>?sslmode=disable`). The URL holds a
   * password: keep it in the environment (PULUMI_BACKEND_URL), never in output.
   */
  createDatabase(name: string): string;
  /** The backend role's password: what must never appear in any output. */
  readonly password: string;
  /** Runs SQL as the superuser in `database` (roles, grants); returns psql's output. */
  admin(database: string, sql: string): string;
  /** Stops the server (fast shutdown) and removes its data folder. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Root of the temp folder. Default - the OS temp folder. */
  tmpRoot?: string;
}

/** Starts a throwaway PostgreSQL server; see the file's comment. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresServer> {
  const started = Date.now();
  const bin = requireBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(opts.tmpRoot ?? os.tmpdir(), "gitlab-tokens-pg-"));
  const data = path.join(dir, "data");
  const superPassword = crypto.randomBytes(18).toString("hex");
  const password = crypto.randomBytes(18).toString("hex");
  let child: ChildProcessWithoutNullStreams | undefined;
  try {
    const pwfile = path.join(dir, "superuser-password");
    fs.writeFileSync(pwfile, superPassword, { mode: 0o600 });
    if (asRoot) {
      const uid = Number(spawnSync("id", ["-u", SERVER_OS_USER], { encoding: "utf8" }).stdout);
      const gid = Number(spawnSync("id", ["-g", SERVER_OS_USER], { encoding: "utf8" }).stdout);
      if (!uid)
        throw new Error(`PostgreSQL refuses to run as root, and there is no "${SERVER_OS_USER}" OS user`);
      fs.chownSync(dir, uid, gid);
      fs.chownSync(pwfile, uid, gid);
    }
    fs.chmodSync(dir, 0o700);
    runAs(
      [
        path.join(bin, "initdb"),
        "-D",
        data,
        "-U",
        "postgres",
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
        "--no-instructions",
      ],
      asRoot,
      dir,
    );
    fs.rmSync(pwfile);
    // TCP on 127.0.0.1 only, with a password; no Unix socket.
    fs.writeFileSync(path.join(data, "pg_hba.conf"), "host all all 127.0.0.1/32 scram-sha-256\n");

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        child = await serve(bin, data, port, asRoot, dir);
        break;
      } catch (e) {
        // Another process took the port between freePort and the bind: try another one.
        if (attempt >= 3 || !/could not bind|Address already in use/.test(String(e))) throw e;
      }
    }

    const base = `postgres://postgres:${superPassword}@127.0.0.1:${port}/postgres?sslmode=disable`;
    const version = psqlSync(base, "SHOW server_version;").trim();
    psqlSync(base, `CREATE ROLE ${BACKEND_ROLE} LOGIN PASSWORD '${password}';`);
    const server = child;
    return {
      host: "127.0.0.1",
      port,
      version,
      password,
      startMs: Date.now() - started,
      createDatabase(name: string): string {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
          throw new Error(`unexpected database name ${JSON.stringify(name)}`);
        psqlSync(base, `CREATE DATABASE ${name} OWNER ${BACKEND_ROLE};`);
        return `postgres://${BACKEND_ROLE}:${password}@127.0.0.1:${port}/${name}?sslmode=disable`;
      },
      admin(database: string, sql: string): string {
        const u = new URL(base);
        u.pathname = `/${database}`;
        return psqlSync(u.toString(), sql);
      },
      async stop(): Promise<void> {
        await stopServer(server);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (child) await stopServer(child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Starts `postgres` under a wrapper shell that stops it (SIGINT: fast shutdown) when its stdin
 * closes — when `stopServer` closes it, or when this process ends in any way. Resolves once the
 * server accepts connections.
 */
function serve(
  bin: string,
  data: string,
  port: number,
  asRoot: boolean,
  cwd: string,
): Promise<ChildProcessWithoutNullStreams> {
  const script = [
    "exec 3<&0",
    '"$1/postgres" -D "$2" -p "$3" -c listen_addresses=127.0.0.1 -c unix_socket_directories= ' +
      "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60 " +
      "-c shared_buffers=32MB -c log_min_messages=warning -c log_connections=off 3<&- &",
    "pid=$!",
    '(read _ <&3; kill -INT "$pid" 2>/dev/null) &',
    "watcher=$!",
    'wait "$pid"',
    "code=$?",
    'kill "$watcher" 2>/dev/null',
    'exit "$code"',
  ].join("\n");
  const argv = ["sh", "-c", script, "sh", bin, data, String(port)];
  const [cmd, ...args] = asRoot ? ["runuser", "-u", SERVER_OS_USER, "--", ...argv] : argv;
  const child = spawn(cmd!, args, { cwd, stdio: ["pipe", "pipe", "pipe"], detached: true });
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => {
      void stopServer(child).then(() => reject(new Error(`PostgreSQL did not start within 60 s:\n${log}`)));
    }, 60_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (/ready to accept connections/.test(log)) {
        clearTimeout(timer);
        child.stdout.removeAllListeners("data");
        child.stderr.removeAllListeners("data");
        // Keep draining what it logs, so that it never blocks on a full pipe.
        child.stdout.resume();
        child.stderr.resume();
        resolve(child);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (${code}) before accepting connections:\n${log.trim()}`));
    });
  });
}

/** Closes the wrapper's stdin (the server shuts down) and waits for it; SIGKILL after 30 s. */
function stopServer(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 30_000);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin.end();
  });
}
