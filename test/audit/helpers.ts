/**
 * The audit tests' world: a sandbox GitLab whose clock starts on T0, with tokens made on T0 (seeded,
 * some used that day) and tokens made through the API 100 days later, when the audit runs; a
 * declarations file for part of them; and a runner for the command that captures what it prints.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox, type SeedFile } from "../../sandbox";
import { main, type AuditIo } from "../../commands/audit/cli";
import type { Inventory } from "../../commands/audit";

/** The sandbox starts here; the seeded tokens are created then. */
export const T0 = "2030-01-01T12:00:00.000Z";
/** When the audit runs: 100 days after T0. */
export const NOW = "2030-04-11T12:00:00.000Z";
export const TODAY = "2030-04-11";

/** Values of seeded tokens, planted so the tests can search every output for them. */
export const SEEDED_VALUES = {
  oldDeployer: "glpat-olddeployer0000000001",
  legacyCi: "glpat-legacyci000000000002",
  revokedPull: "glpat-revokedpull00000003",
};

export const SEED: SeedFile = {
  users: [
    { username: "root", name: "Administrator", admin: true },
    { username: "alice", name: "Alice Example" },
    { username: "provisioner", serviceAccount: true },
  ],
  groups: [{ path: "acme", members: { alice: "owner" } }],
  projects: [
    {
      path: "acme/web",
      accessTokens: [
        // Unmanaged: api without a justification, maintainer, no expiry, never used.
        {
          name: "legacy-ci",
          value: SEEDED_VALUES.legacyCi,
          scopes: ["api"],
          accessLevel: "maintainer",
          expiresAt: null,
        },
        // An earlier web-registry-pull, revoked: listed only with --all.
        {
          name: "web-registry-pull",
          value: SEEDED_VALUES.revokedPull,
          scopes: ["read_registry"],
          accessLevel: "reporter",
          expiresAt: "2030-03-01",
          description: "Pulls images (previous token)",
          revoked: true,
        },
      ],
    },
    {
      path: "acme/api",
      accessTokens: [
        // Unmanaged, described, but it lives 364 days; used on T0 only.
        {
          name: "old-deployer",
          value: SEEDED_VALUES.oldDeployer,
          scopes: ["read_api"],
          accessLevel: "reporter",
          expiresAt: "2030-12-31",
          description: "Reads release metadata for the old deploy job",
        },
      ],
    },
  ],
};

export const DECLARATIONS = `defaults: { lifetimeDays: 60, rotateBeforeDays: 14 }
tokens:
  web-registry-pull:
    kind: project
    project: acme/web
    scopes: [read_registry, read_repository]
    accessLevel: reporter
    description: Pulls images and sources for the web deploy job
    owner: team-web
  acme-dependency-reader:
    kind: group
    group: acme
    scopes: [read_api]
    accessLevel: reporter
    description: Reads dependency metadata across the acme group
    owner: team-platform
  inventory-export:
    kind: personal
    user: provisioner
    serviceAccount: true
    scopes: [read_api]
    description: Nightly inventory export
    owner: team-security
  api-release-bot:
    kind: project
    project: acme/api
    scopes: [write_repository]
    accessLevel: developer
    description: Pushes release tags from the release pipeline
    owner: team-api
    justification: Release pipeline pushes version tags; read_repository cannot push.
`;

export interface World {
  sandbox: Sandbox;
  dir: string;
  /** Every token value made in the world (seeded and created), and the admin credential. */
  secrets: string[];
  /** Token ids by name, as created through the API. */
  ids: Record<string, number>;
  /** A credential of alice (Owner of acme, not an administrator). */
  aliceToken: string;
  stop(): Promise<void>;
}

async function api(
  sandbox: Sandbox,
  method: string,
  p: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandbox.url}/api/v4${p}`, {
    method,
    headers: { "PRIVATE-TOKEN": sandbox.adminToken, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Builds the world: seeds on T0, uses old-deployer that day, then makes today's tokens on NOW. */
export async function world(): Promise<World> {
  const sandbox = await startSandbox({ now: T0, freezeClock: true, seed: SEED });
  const secrets = [sandbox.adminToken, ...Object.values(SEEDED_VALUES)];
  // old-deployer is used on T0 (GitLab records last_used_at), never again.
  const used = await fetch(`${sandbox.url}/api/v4/projects/acme%2Fapi`, {
    headers: { "PRIVATE-TOKEN": SEEDED_VALUES.oldDeployer },
  });
  if (!used.ok) throw new Error(`old-deployer could not read acme/api: ${used.status}`);

  sandbox.setNow(NOW);
  const ids: Record<string, number> = {};
  const made = (name: string, t: Record<string, unknown>) => {
    ids[name] = t.id as number;
    secrets.push(t.token as string);
  };
  const web = encodeURIComponent("acme/web");
  made(
    "web-registry-pull",
    await api(sandbox, "POST", `/projects/${web}/access_tokens`, {
      name: "web-registry-pull",
      scopes: ["read_registry", "read_repository"],
      access_level: 20,
      expires_at: "2030-06-10",
      description: "Pulls images and sources for the web deploy job",
    }),
  );
  made(
    "owner-bot",
    await api(sandbox, "POST", `/projects/${web}/access_tokens`, {
      name: "owner-bot",
      scopes: ["read_api"],
      access_level: 50,
      expires_at: "2030-04-21",
      description: "Reads project settings for the compliance dashboard",
    }),
  );
  made(
    "acme-dependency-reader",
    await api(sandbox, "POST", `/groups/acme/access_tokens`, {
      name: "acme-dependency-reader",
      scopes: ["read_api"],
      access_level: 20,
      expires_at: "2030-06-10",
      description: "Reads dependency metadata across the acme group",
    }),
  );
  const provisioner = sandbox.user("provisioner")?.id;
  const alice = sandbox.user("alice")?.id;
  made(
    "inventory-export",
    await api(sandbox, "POST", `/users/${provisioner}/personal_access_tokens`, {
      name: "inventory-export",
      scopes: ["read_api"],
      expires_at: "2030-06-10",
      description: "Nightly inventory export",
    }),
  );
  made(
    "alice-laptop",
    await api(sandbox, "POST", `/users/${alice}/personal_access_tokens`, {
      name: "alice-laptop",
      scopes: ["api"],
      expires_at: "2030-05-11",
      description: "Alice's scripts",
    }),
  );

  // Alice's own credential, for runs without administrator rights.
  const aliceCli = sandbox.mintPersonalToken("alice", {
    name: "alice-cli",
    scopes: ["api"],
    expiresAt: "2030-05-01",
    description: "Alice's command line",
  });
  secrets.push(aliceCli.token);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitlab-tokens-audit-"));
  fs.writeFileSync(path.join(dir, "tokens.yaml"), DECLARATIONS);
  return {
    sandbox,
    dir,
    secrets,
    ids,
    aliceToken: aliceCli.token,
    async stop() {
      await sandbox.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** audit.md, or "" when not written. */
  report: string;
  /** inventory.json parsed, when written. */
  inventory?: Inventory;
  /** inventory.json as written, or "". */
  json: string;
}

/** Runs the command in `dir` (output in `dir/<out>`), with the given environment. */
export async function runAudit(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  io: Partial<AuditIo> = {},
): Promise<Run> {
  const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(["--out", out, ...args], {
    cwd: dir,
    env,
    stdout: (t) => stdout.push(t),
    stderr: (t) => stderr.push(t),
    ...io,
  });
  const read = (f: string) =>
    fs.existsSync(path.join(out, f)) ? fs.readFileSync(path.join(out, f), "utf8") : "";
  const json = read("inventory.json");
  return {
    code,
    stdout: stdout.join("\n"),
    stderr: stderr.join("\n"),
    report: read("audit.md"),
    json,
    ...(json ? { inventory: JSON.parse(json) as Inventory } : {}),
  };
}

/** The environment of a run against the world's sandbox with a credential. */
export function envFor(w: World, token = w.sandbox.adminToken): NodeJS.ProcessEnv {
  return { GITLAB_BASE_URL: w.sandbox.url, GITLAB_TOKEN: token, GITLAB_TOKENS_NOW: NOW };
}
