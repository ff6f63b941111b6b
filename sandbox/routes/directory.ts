/**
 * Users, groups, projects and members — enough of GitLab for clients to resolve names to ids and
 * check who holds which role (`/user`, `/users/:id`, `/users?username=`, `/groups[/:id]`,
 * `/projects[/:id]`, `/:source/:id/members[/all][/:user_id]`).
 */
import { notFound } from "../errors";
import { groupEntity, projectEntity, userBasicEntity, userEntity } from "../entities";
import type { Group, Project, Source, SourceType, User } from "../model";
import { PAGINATION_PARAMS } from "../pagination";
import { type ParamSpec, bool, int, str } from "../params";
import { ACCESS_LEVELS } from "../rules";
import { type ApiContext, type ApiRoute, currentUser, findSource, list, ok, params, routeParam } from "./api";

const ORDER = (fields: string[], order: string, sort: "asc" | "desc"): ParamSpec[] => [
  { name: "order_by", type: "string", values: fields, default: order },
  { name: "sort", type: "string", values: ["asc", "desc"], default: sort },
];

function sortBy<T extends { id: number }>(items: T[], key: (t: T) => string | number, sort: unknown): T[] {
  const dir = sort === "asc" ? 1 : -1;
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) return (ka < kb ? -1 : 1) * dir;
    return (a.id - b.id) * dir;
  });
}

function contains(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}

const levelValues = Object.values(ACCESS_LEVELS);

function memberEntity(
  ctx: ApiContext,
  user: User,
  accessLevel: number,
  createdAt: string,
): Record<string, unknown> {
  return {
    ...userBasicEntity(ctx.baseUrl, user),
    access_level: accessLevel,
    created_at: createdAt,
    expires_at: null,
  };
}

function memberRoutes(type: SourceType): ApiRoute[] {
  const prefix = type === "project" ? "/projects/:id" : "/groups/:id";
  const members = (ctx: ApiContext, source: Source, all: boolean) => {
    const rows = all
      ? ctx.model.effectiveMembers(source).map((m) => ({ user: m.user, level: m.accessLevel }))
      : ctx.model.state.members
          .filter((m) => m.sourceType === type && m.sourceId === source.entity.id)
          .flatMap((m) => {
            const user = ctx.model.user(m.userId);
            return user ? [{ user, level: m.accessLevel }] : [];
          });
    return rows.map((r) => ({
      ...r,
      createdAt: ctx.model.directMembership(type, source.entity.id, r.user.id)?.createdAt ?? r.user.createdAt,
    }));
  };
  const route = (all: boolean): ApiRoute[] => [
    {
      method: "GET",
      path: `${prefix}/members${all ? "/all" : ""}`,
      handler(ctx) {
        const p = params(ctx, [{ name: "query", type: "string" }, ...PAGINATION_PARAMS]);
        const source = findSource(ctx, type, routeParam(ctx, "id"));
        let rows = members(ctx, source, all).sort((a, b) => a.user.id - b.user.id);
        const q = str(p, "query");
        if (q) rows = rows.filter((r) => contains(r.user.username, q) || contains(r.user.name, q));
        return list(ctx, rows, (r) => memberEntity(ctx, r.user, r.level, r.createdAt), p);
      },
    },
    {
      method: "GET",
      path: `${prefix}/members${all ? "/all" : ""}/:user_id`,
      handler(ctx) {
        const p = params(ctx, [{ name: "user_id", type: "integer", required: true }]);
        const source = findSource(ctx, type, routeParam(ctx, "id"));
        const row = members(ctx, source, all).find((r) => r.user.id === p.user_id);
        if (!row) throw notFound("Member");
        return ok(memberEntity(ctx, row.user, row.level, row.createdAt));
      },
    },
  ];
  return [...route(false), ...route(true)];
}

export const directoryRoutes: ApiRoute[] = [
  {
    method: "GET",
    path: "/user",
    scopes: ["read_user"],
    handler(ctx) {
      const user = currentUser(ctx);
      return ok(userEntity(ctx.baseUrl, user, user, { self: true }));
    },
  },
  {
    method: "GET",
    path: "/users/:id",
    auth: false,
    scopes: ["read_user"],
    handler(ctx) {
      const p = params(ctx, [{ name: "id", type: "integer", required: true }]);
      const user = ctx.model.user(p.id as number);
      if (!user) throw notFound("User");
      return ok(userEntity(ctx.baseUrl, user, ctx.user));
    },
  },
  {
    method: "GET",
    path: "/users",
    auth: false,
    scopes: ["read_user"],
    handler(ctx) {
      const p = params(ctx, [
        { name: "username", type: "string" },
        { name: "search", type: "string" },
        { name: "humans", type: "boolean" },
        { name: "without_project_bots", type: "boolean" },
        ...ORDER(["id", "name", "username", "created_at"], "id", "desc"),
        ...PAGINATION_PARAMS,
      ]);
      let users = ctx.model.state.users;
      const username = str(p, "username");
      if (username !== undefined)
        users = users.filter((u) => u.username.toLowerCase() === username.toLowerCase());
      const search = str(p, "search");
      if (search) {
        users = users.filter(
          (u) =>
            contains(u.username, search) ||
            contains(u.name, search) ||
            (ctx.user?.admin === true && contains(u.email, search)),
        );
      }
      if (bool(p, "humans")) users = users.filter((u) => u.kind === "human");
      if (bool(p, "without_project_bots")) users = users.filter((u) => u.kind !== "project_bot");
      const key = (u: User) =>
        p.order_by === "name"
          ? u.name
          : p.order_by === "username"
            ? u.username
            : p.order_by === "created_at"
              ? u.createdAt
              : u.id;
      return list(ctx, sortBy(users, key, p.sort), (u) => userEntity(ctx.baseUrl, u, ctx.user), p);
    },
  },
  {
    method: "GET",
    path: "/groups",
    auth: false,
    handler(ctx) {
      const { model } = ctx;
      const p = params(ctx, [
        { name: "search", type: "string" },
        { name: "owned", type: "boolean" },
        { name: "top_level_only", type: "boolean" },
        { name: "min_access_level", type: "integer", values: levelValues },
        ...ORDER(["name", "path", "id"], "name", "asc"),
        ...PAGINATION_PARAMS,
      ]);
      const viewer = ctx.user;
      const src = (g: Group): Source => ({ type: "group", entity: g });
      let groups = model.state.groups.filter((g) => model.canRead(viewer, src(g)));
      const search = str(p, "search");
      if (search) groups = groups.filter((g) => contains(g.name, search) || contains(g.path, search));
      if (bool(p, "top_level_only")) groups = groups.filter((g) => g.parentId === null);
      if (bool(p, "owned"))
        groups = groups.filter((g) => model.accessLevel(viewer, src(g)) >= ACCESS_LEVELS.owner);
      const min = int(p, "min_access_level");
      if (min !== undefined) groups = groups.filter((g) => model.accessLevel(viewer, src(g)) >= min);
      const key = (g: Group) => (p.order_by === "id" ? g.id : p.order_by === "path" ? g.path : g.name);
      return list(ctx, sortBy(groups, key, p.sort), (g) => groupEntity(ctx.baseUrl, model, g), p);
    },
  },
  {
    method: "GET",
    path: "/groups/:id",
    auth: false,
    handler(ctx) {
      const source = findSource(ctx, "group", routeParam(ctx, "id"));
      return ok(groupEntity(ctx.baseUrl, ctx.model, source.entity as Group));
    },
  },
  {
    method: "GET",
    path: "/projects",
    auth: false,
    handler(ctx) {
      const { model } = ctx;
      const p = params(ctx, [
        { name: "search", type: "string" },
        { name: "membership", type: "boolean" },
        { name: "owned", type: "boolean" },
        { name: "min_access_level", type: "integer", values: levelValues },
        ...ORDER(["id", "name", "path", "created_at"], "created_at", "desc"),
        ...PAGINATION_PARAMS,
      ]);
      const viewer = ctx.user;
      const src = (pr: Project): Source => ({ type: "project", entity: pr });
      let projects = model.state.projects.filter((pr) => model.canRead(viewer, src(pr)));
      const search = str(p, "search");
      if (search) projects = projects.filter((pr) => contains(pr.name, search) || contains(pr.path, search));
      if (bool(p, "membership")) projects = projects.filter((pr) => model.accessLevel(viewer, src(pr)) > 0);
      if (bool(p, "owned"))
        projects = projects.filter((pr) => model.accessLevel(viewer, src(pr)) >= ACCESS_LEVELS.owner);
      const min = int(p, "min_access_level");
      if (min !== undefined) projects = projects.filter((pr) => model.accessLevel(viewer, src(pr)) >= min);
      const key = (pr: Project) =>
        p.order_by === "id"
          ? pr.id
          : p.order_by === "name"
            ? pr.name
            : p.order_by === "path"
              ? pr.path
              : pr.createdAt;
      return list(ctx, sortBy(projects, key, p.sort), (pr) => projectEntity(ctx.baseUrl, model, pr), p);
    },
  },
  {
    method: "GET",
    path: "/projects/:id",
    auth: false,
    handler(ctx) {
      const source = findSource(ctx, "project", routeParam(ctx, "id"));
      return ok(projectEntity(ctx.baseUrl, ctx.model, source.entity as Project));
    },
  },
  ...memberRoutes("project"),
  ...memberRoutes("group"),
];
