/**
 * The GitLab sandbox's programmatic API: start a GitLab-compatible server on a loopback port, seeded,
 * with a controllable clock, fault injection, request counters and optional persistence.
 *
 *   const sandbox = await startSandbox();
 *   const api = new Gitlab({ host: sandbox.url, token: sandbox.adminToken });
 *   ...
 *   await sandbox.stop();
 */
import { Clock, toDate } from "./clock";
import { Counters, type CounterSnapshot, type RequestListener } from "./counters";
import { FaultEngine, type FaultConfig } from "./faults";
import { Model, emptyState, type Settings, type TokenStatus, type Trigger, type User } from "./model";
import { loadDataFile, removeStaleTempFiles } from "./persistence";
import { digestToken } from "./rules";
import { Runtime, type DeployTokenInfo, type TokenInfo } from "./runtime";
import { DEFAULT_SEED, type SeedFile, applySeed, parseSeed, readSeedFile, seedSettings } from "./seed";
import { buildServer } from "./server";

export type {
  FaultConfig,
  ErrorFault,
  LatencyFault,
  LostResponseFault,
  RateLimitFault,
  FaultTarget,
  FaultTrigger,
} from "./faults";
export type { SeedFile, SeedUser, SeedToken, SeedVariable } from "./seed";
export type { CounterSnapshot, RequestListener } from "./counters";
export type { DeployTokenInfo, TokenInfo } from "./runtime";
export type { Settings, TokenStatus } from "./model";

/** A pipeline trigger token as introspection shows it: everything but its value. */
export type TriggerInfo = Omit<Trigger, "value"> & { expired: boolean };
export { DEFAULT_SEED } from "./seed";
export { ADMIN_PREFIX } from "./routes/admin";

export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 (default) = any free port. */
  port?: number;
  /** Value of the admin's token; generated when absent. */
  adminToken?: string;
  /** The seed, or the path of a YAML/JSON seed file. Default: `DEFAULT_SEED`. Ignored when `dataFile` exists. */
  seed?: SeedFile | string;
  /** Keep the state in this JSON file (loaded at start if it exists, written atomically on every change). */
  dataFile?: string;
  /** Start the clock at this time (default: the system time). */
  now?: Date | string;
  /** Stop the clock: it moves only when told to. Default false (it runs from `now`). */
  freezeClock?: boolean;
  /** Faults active from the start. */
  faults?: FaultConfig;
}

export interface Sandbox {
  /** "http://127.0.0.1:PORT" (no trailing slash); the API is at `${url}/api/v4`. */
  url: string;
  /** A token of the seeded admin with scope `api` that never expires. */
  adminToken: string;
  /** The sandbox clock. */
  now(): Date;
  setNow(d: Date | string): void;
  advance(ms: number): void;
  advanceDays(days: number): void;
  setFaults(f: FaultConfig): void;
  clearFaults(): void;
  faults(): FaultConfig;
  /** Requests to `/api/v4/...` (including failed and faulted ones), by "METHOD /api/v4/route/:pattern". */
  counters(): CounterSnapshot;
  resetCounters(): void;
  /**
   * Calls `listener` on every API request as it arrives, before it is handled, with its number since
   * the last counter reset (drills stop a client at an exact call). Returns the function that removes it.
   */
  onApiRequest(listener: RequestListener): () => void;
  stop(): Promise<void>;

  // Introspection (read-only) and test set-up shortcuts.
  /** Every token (all kinds), without digests. */
  listTokens(): TokenInfo[];
  /** The token a value belongs to, or undefined. */
  findTokenByValue(value: string): TokenInfo | undefined;
  /** What GitLab would say if this value were used now: active, expired, revoked or unknown. */
  tokenStatus(value: string): TokenStatus;
  /** A user by username or numeric id (a token's `userId`), or undefined. */
  user(
    username: string | number,
  ): Pick<User, "id" | "username" | "name" | "email" | "admin" | "kind"> | undefined;
  /** Every deploy token, without digests (a deleted one is gone: GitLab destroys it). */
  listDeployTokens(): DeployTokenInfo[];
  /** The deploy token a value belongs to, or undefined (never made, or deleted). */
  findDeployTokenByValue(value: string): DeployTokenInfo | undefined;
  /** Every pipeline trigger token, without its value, with whether it has expired. */
  listTriggers(): TriggerInfo[];
  /**
   * What GitLab would say if this pipeline trigger token were used now: active, expired, or unknown
   * (never made, or deleted).
   */
  triggerStatus(value: string): "active" | "expired" | "unknown";
  /** Project or group id by full path, or undefined. */
  projectId(fullPath: string): number | undefined;
  groupId(fullPath: string): number | undefined;
  /**
   * The stored value of a CI/CD variable (also of masked-and-hidden ones, which the API never shows),
   * or undefined. Without `environmentScope`, the `*` variable is preferred, else the first by id.
   */
  variableValue(
    kind: "project" | "group",
    target: string | number,
    key: string,
    environmentScope?: string,
  ): string | undefined;
  /** Instance settings (expiry rules); `updateSettings` changes them. */
  settings(): Settings;
  updateSettings(changes: Partial<Settings>): void;
  /**
   * Test set-up shortcut: create a personal access token for a user directly in the model (no HTTP,
   * not counted, no validation). Returns its id and value.
   */
  mintPersonalToken(
    username: string,
    opts?: { name?: string; scopes?: string[]; expiresAt?: string | null; description?: string },
  ): { id: number; token: string };
}

/** Name of the admin token the sandbox makes for itself. */
export const ADMIN_TOKEN_NAME = "sandbox-admin";

function loadSeed(seed: SandboxOptions["seed"]): SeedFile {
  if (seed === undefined) return DEFAULT_SEED;
  if (typeof seed === "string") return readSeedFile(seed);
  return parseSeed(seed);
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const clock = new Clock(opts.now !== undefined ? toDate(opts.now) : undefined, opts.freezeClock ?? false);
  if (opts.dataFile) removeStaleTempFiles(opts.dataFile);
  const saved = opts.dataFile ? loadDataFile(opts.dataFile) : undefined;
  let model: Model;
  if (saved) {
    clock.restore(saved.clock);
    if (opts.freezeClock) clock.freeze();
    if (opts.now !== undefined) clock.setNow(opts.now);
    model = new Model(saved.state, clock);
  } else {
    const seed = loadSeed(opts.seed);
    model = new Model(emptyState(seedSettings(seed)), clock);
    applySeed(model, seed);
  }

  const admin = model.state.users.find((u) => u.admin && u.kind === "human");
  if (!admin) throw new Error("the seed has no admin user (a user with admin: true)");
  let adminToken = opts.adminToken;
  let adminTokenId: number;
  if (adminToken !== undefined) {
    const existing = model.tokenByValue(adminToken);
    if (existing && (existing.userId !== admin.id || !model.isActive(existing))) {
      throw new Error("the admin token is already a token of another user, or revoked/expired");
    }
    adminTokenId =
      existing?.id ??
      model.insertToken(admin, {
        name: ADMIN_TOKEN_NAME,
        scopes: ["api"],
        expiresAt: null,
        value: adminToken,
      }).token.id;
  } else {
    const made = model.insertToken(admin, { name: ADMIN_TOKEN_NAME, scopes: ["api"], expiresAt: null });
    adminToken = made.value;
    adminTokenId = made.token.id;
  }
  // Admin tokens of earlier runs (a restart with a data file) stop working: only this run's is valid.
  for (const t of model.state.tokens) {
    if (t.userId === admin.id && t.name === ADMIN_TOKEN_NAME && t.id !== adminTokenId) model.revokeToken(t);
  }

  const faults = new FaultEngine(() => clock.now());
  if (opts.faults) faults.set(opts.faults);
  const rt = new Runtime(model, clock, faults, new Counters(), digestToken(adminToken), opts.dataFile);
  const app = buildServer(rt);
  await app.listen({ host: "127.0.0.1", port: opts.port ?? 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("the sandbox did not get a TCP address");
  const url = `http://127.0.0.1:${address.port}`;
  rt.baseUrl = url;
  model.dirty = true;
  rt.persist();

  const changed = () => {
    model.markChanged();
    rt.persist();
  };
  let stopped = false;
  const finalAdminToken = adminToken;

  return {
    url,
    adminToken: finalAdminToken,
    now: () => clock.now(),
    setNow: (d) => {
      clock.setNow(d);
      changed();
    },
    advance: (ms) => {
      clock.advance(ms);
      changed();
    },
    advanceDays: (days) => {
      clock.advanceDays(days);
      changed();
    },
    setFaults: (f) => faults.set(f),
    clearFaults: () => faults.clear(),
    faults: () => faults.get(),
    counters: () => rt.counters.snapshot(),
    resetCounters: () => rt.counters.reset(),
    onApiRequest: (listener) => rt.counters.listen(listener),
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      rt.persist();
    },
    listTokens: () => model.state.tokens.map((t) => rt.tokenInfo(t)),
    findTokenByValue: (value) => {
      const t = model.tokenByValue(value);
      return t ? rt.tokenInfo(t) : undefined;
    },
    tokenStatus: (value) => model.tokenStatus(value),
    listDeployTokens: () => model.deployTokenRows.map((t) => rt.deployTokenInfo(t)),
    findDeployTokenByValue: (value) => {
      const t = model.deployTokenByValue(value);
      return t ? rt.deployTokenInfo(t) : undefined;
    },
    listTriggers: () =>
      (model.state.triggers ?? []).map((t) => {
        const { value: _value, ...info } = t;
        return { ...info, expired: model.isTriggerExpired(t) };
      }),
    triggerStatus(value) {
      const t = model.triggerByValue(value);
      if (!t) return "unknown";
      return model.isTriggerExpired(t) ? "expired" : "active";
    },
    user: (username) => {
      const u = typeof username === "number" ? model.user(username) : model.userByUsername(username);
      return u
        ? { id: u.id, username: u.username, name: u.name, email: u.email, admin: u.admin, kind: u.kind }
        : undefined;
    },
    projectId: (p) => model.findProject(p)?.id,
    groupId: (p) => model.findGroup(p)?.id,
    variableValue(kind, target, key, environmentScope) {
      const source = kind === "project" ? model.findProject(target) : model.findGroup(target);
      if (!source) return undefined;
      const matches = model.variables(kind, source.id).filter((v) => v.key === key);
      const pick =
        environmentScope !== undefined
          ? matches.find((v) => v.environmentScope === environmentScope)
          : (matches.find((v) => v.environmentScope === "*") ?? matches[0]);
      return pick?.value;
    },
    settings: () => ({ ...model.settings }),
    updateSettings: (changes) => {
      Object.assign(model.settings, changes);
      changed();
    },
    mintPersonalToken(username, o = {}) {
      const u = model.userByUsername(username);
      if (!u) throw new Error(`no user ${username}`);
      const made = model.insertToken(u, {
        name: o.name ?? "test-token",
        scopes: o.scopes ?? ["api"],
        expiresAt: o.expiresAt === undefined ? model.maxExpiryDate() : o.expiresAt,
        description: o.description ?? null,
      });
      rt.persist();
      return { id: made.token.id, token: made.value };
    },
  };
}
