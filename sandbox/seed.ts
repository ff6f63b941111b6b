/**
 * The seed: the users, groups, projects, memberships, tokens and CI/CD variables a fresh sandbox
 * starts with. A YAML or JSON file (format in sandbox/README.md), checked with zod so a mistake is
 * reported with its place in the file.
 */
import * as fs from "node:fs";
import YAML from "yaml";
import { z } from "zod";
import { parseDate } from "./params";
import { type Model, type Source, type Settings } from "./model";
import { ACCESS_LEVELS, DEFAULT_TOKEN_ACCESS_LEVEL, accessLevelFromName } from "./rules";

const accessLevel = z.union([
  z.number().int(),
  z.enum(Object.keys(ACCESS_LEVELS) as [keyof typeof ACCESS_LEVELS, ...(keyof typeof ACCESS_LEVELS)[]]),
]);

const date = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const d = parseDate(v instanceof Date ? v.toISOString().slice(0, 10) : v);
  if (d === undefined) {
    ctx.addIssue({ code: "custom", message: "expected a date YYYY-MM-DD" });
    return z.NEVER;
  }
  return d;
});

const seedToken = z
  .object({
    name: z.string().min(1),
    /** A known value (so demos and tests can use it); generated when absent. */
    value: z.string().min(8).optional(),
    scopes: z.array(z.string()).min(1),
    /** `null` = never expires. Default: today + the maximum lifetime. */
    expiresAt: date.nullable().optional(),
    description: z.string().optional(),
    revoked: z.boolean().optional(),
  })
  .strict();

const seedAccessToken = seedToken.extend({ accessLevel: accessLevel.optional() }).strict();

const seedVariable = z
  .object({
    key: z.string().min(1),
    value: z.string(),
    variableType: z.enum(["env_var", "file"]).optional(),
    protected: z.boolean().optional(),
    masked: z.boolean().optional(),
    hidden: z.boolean().optional(),
    raw: z.boolean().optional(),
    environmentScope: z.string().optional(),
    description: z.string().optional(),
  })
  .strict();

const visibility = z.enum(["private", "internal", "public"]);

const seedUser = z
  .object({
    id: z.number().int().positive().optional(),
    username: z.string().min(1),
    name: z.string().optional(),
    email: z.string().optional(),
    admin: z.boolean().optional(),
    /** A service account: an instance one, a group one when `group` is set, a project one when `project` is. */
    serviceAccount: z.boolean().optional(),
    /** For a group service account: the full path of its top-level group. */
    group: z.string().optional(),
    /** For a project service account: the full path of its project. */
    project: z.string().optional(),
    tokens: z.array(seedToken).optional(),
  })
  .strict();

const seedNamespace = {
  id: z.number().int().positive().optional(),
  /** Full path, e.g. `acme` or `acme/platform` (groups), `acme/web` (projects). */
  path: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, "expected a path like acme/web"),
  name: z.string().optional(),
  description: z.string().optional(),
  visibility: visibility.optional(),
  /** username → access level (name like `maintainer` or number like 40). */
  members: z.record(z.string(), accessLevel).optional(),
  variables: z.array(seedVariable).optional(),
  accessTokens: z.array(seedAccessToken).optional(),
};

export const seedSchema = z
  .object({
    settings: z
      .object({
        requirePersonalAccessTokenExpiry: z.boolean().optional(),
        maxPersonalAccessTokenLifetimeDays: z.number().int().positive().optional(),
        serviceAccessTokensExpirationEnforced: z.boolean().optional(),
        allowProjectsToCreateServiceAccounts: z.boolean().optional(),
        triggerTokenExpiration: z.boolean().optional(),
        granularPersonalAccessTokens: z.boolean().optional(),
      })
      .strict()
      .optional(),
    users: z.array(seedUser).optional(),
    groups: z.array(z.object(seedNamespace).strict()).optional(),
    projects: z.array(z.object(seedNamespace).strict()).optional(),
  })
  .strict();

export type SeedFile = z.input<typeof seedSchema>;
type ParsedSeed = z.output<typeof seedSchema>;
export type SeedToken = z.input<typeof seedToken>;
export type SeedUser = z.input<typeof seedUser>;
export type SeedVariable = z.input<typeof seedVariable>;

/** The default seed: an admin, a regular user, group `acme` with `acme/web` and `acme/api`, an instance service account. */
export const DEFAULT_SEED: SeedFile = {
  users: [
    { username: "root", name: "Administrator", email: "admin@example.com", admin: true },
    { username: "alice", name: "Alice Example", email: "alice@example.com" },
    { username: "provisioner", name: "Provisioning service account", serviceAccount: true },
  ],
  groups: [{ path: "acme", name: "ACME", members: { alice: "owner", provisioner: "maintainer" } }],
  projects: [
    { path: "acme/web", name: "Web" },
    { path: "acme/api", name: "API" },
  ],
};

/** Read a seed file (YAML or JSON). */
export function readSeedFile(file: string): ParsedSeed {
  const text = fs.readFileSync(file, "utf8");
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid YAML or JSON (${(e as Error).message})`);
  }
  return parseSeed(data ?? {}, file);
}

export function parseSeed(data: unknown, origin = "seed"): ParsedSeed {
  const result = seedSchema.safeParse(data);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`${origin}: ${detail}`);
  }
  return result.data;
}

export function seedSettings(seed: SeedFile): Partial<Settings> {
  const s = seed.settings ?? {};
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as Partial<Settings>;
}

function level(value: string | number, where: string): number {
  const n = accessLevelFromName(value);
  if (n === undefined) throw new Error(`${where}: unknown access level ${String(value)}`);
  return n;
}

/** Create everything the seed describes in an empty model. */
export function applySeed(model: Model, input: SeedFile): void {
  const seed = parseSeed(input);
  const groups = [...(seed.groups ?? [])].sort((a, b) => a.path.split("/").length - b.path.split("/").length);
  for (const g of groups) {
    const parts = g.path.split("/");
    const parentPath = parts.slice(0, -1).join("/");
    const parent = parentPath ? model.findGroup(parentPath) : undefined;
    if (parentPath && !parent)
      throw new Error(`seed: group ${g.path}: parent group ${parentPath} is not in the seed`);
    if (model.findGroup(g.path)) throw new Error(`seed: group ${g.path} appears twice`);
    const path = parts[parts.length - 1] ?? g.path;
    model.createGroup({
      id: g.id,
      name: g.name ?? path,
      path,
      parentId: parent?.id ?? null,
      visibility: g.visibility,
      description: g.description,
    });
  }
  for (const p of seed.projects ?? []) {
    const parts = p.path.split("/");
    if (parts.length < 2) throw new Error(`seed: project ${p.path}: expected <group>/<project>`);
    const ns = model.findGroup(parts.slice(0, -1).join("/"));
    if (!ns)
      throw new Error(`seed: project ${p.path}: group ${parts.slice(0, -1).join("/")} is not in the seed`);
    if (model.findProject(p.path)) throw new Error(`seed: project ${p.path} appears twice`);
    const path = parts[parts.length - 1] ?? p.path;
    model.createProject({
      id: p.id,
      name: p.name ?? path,
      path,
      namespaceId: ns.id,
      visibility: p.visibility,
      description: p.description,
    });
  }
  for (const u of seed.users ?? []) {
    let provisionedBy: number | null = null;
    if (u.group !== undefined) {
      const g = model.findGroup(u.group);
      if (!g) throw new Error(`seed: user ${u.username}: group ${u.group} is not in the seed`);
      if (g.parentId !== null)
        throw new Error(`seed: user ${u.username}: ${u.group} is not a top-level group`);
      provisionedBy = g.id;
    }
    let provisionedByProject: number | null = null;
    if (u.project !== undefined) {
      if (u.group !== undefined)
        throw new Error(`seed: user ${u.username}: a service account has a group or a project, not both`);
      const p = model.findProject(u.project);
      if (!p) throw new Error(`seed: user ${u.username}: project ${u.project} is not in the seed`);
      provisionedByProject = p.id;
    }
    model.createUser({
      id: u.id,
      username: u.username,
      name: u.name ?? (u.serviceAccount ? "Service account user" : u.username),
      email: u.email ?? (u.serviceAccount ? undefined : `${u.username}@example.com`),
      admin: u.admin ?? false,
      kind:
        u.serviceAccount || u.group !== undefined || u.project !== undefined ? "service_account" : "human",
      provisionedByGroupId: provisionedBy,
      provisionedByProjectId: provisionedByProject,
    });
  }
  for (const u of seed.users ?? []) {
    const user = model.userByUsername(u.username);
    if (!user) continue;
    for (const t of u.tokens ?? []) {
      model.insertToken(user, {
        name: t.name,
        value: t.value,
        scopes: t.scopes,
        description: t.description ?? null,
        expiresAt: t.expiresAt === undefined ? model.maxExpiryDate() : t.expiresAt,
        revoked: t.revoked,
      });
    }
  }
  const namespaces: [Source, (typeof groups)[number]][] = [
    ...groups.map((g): [Source, (typeof groups)[number]] => {
      const entity = model.findGroup(g.path);
      if (!entity) throw new Error(`seed: group ${g.path} missing`);
      return [{ type: "group", entity }, g];
    }),
    ...(seed.projects ?? []).map((p): [Source, (typeof groups)[number]] => {
      const entity = model.findProject(p.path);
      if (!entity) throw new Error(`seed: project ${p.path} missing`);
      return [{ type: "project", entity }, p];
    }),
  ];
  for (const [source, spec] of namespaces) {
    const where = `seed: ${source.type} ${spec.path}`;
    for (const [username, lvl] of Object.entries(spec.members ?? {})) {
      const user = model.userByUsername(username);
      if (!user) throw new Error(`${where}: member ${username} is not in the seed's users`);
      model.addMember(source, user, level(lvl, where));
    }
    for (const v of spec.variables ?? []) {
      const variable = {
        sourceType: source.type,
        sourceId: source.entity.id,
        key: v.key,
        value: v.value,
        variableType: v.variableType ?? "env_var",
        protected: v.protected ?? false,
        masked: v.masked ?? v.hidden ?? false,
        hidden: v.hidden ?? false,
        raw: v.raw ?? false,
        environmentScope: v.environmentScope ?? "*",
        description: v.description ?? null,
      } as const;
      const errors = model.validateVariable(variable);
      if (Object.keys(errors).length > 0)
        throw new Error(`${where}: variable ${v.key}: ${JSON.stringify(errors)}`);
      model.insertVariable(variable);
    }
    for (const t of spec.accessTokens ?? []) {
      const accessLvl =
        t.accessLevel === undefined ? DEFAULT_TOKEN_ACCESS_LEVEL : level(t.accessLevel, where);
      const username = `${source.type}_${source.entity.id}_bot_${String(model.state.nextId.user).padStart(32, "0")}`;
      const bot = model.createUser({
        username,
        name: t.name,
        kind: "project_bot",
        botResource: { type: source.type, id: source.entity.id },
      });
      model.addMember(source, bot, accessLvl);
      model.insertToken(bot, {
        name: t.name,
        value: t.value,
        scopes: t.scopes,
        description: t.description ?? null,
        expiresAt: t.expiresAt === undefined ? model.maxExpiryDate() : t.expiresAt,
        revoked: t.revoked,
      });
    }
  }
}
