/**
 * CI/CD variables of projects (Maintainer+) and groups (Owner): list, get, create, update, delete,
 * with `masked`, `protected`, `masked_and_hidden`, `raw`, `environment_scope` and
 * `filter[environment_scope]`, as `lib/api/ci/variables.rb` and `group_variables.rb` define them.
 * (The group API declares its flags as strings and lets the model cast them; so does the sandbox.)
 */
import { conflict, forbidden, notFound, validationErrors } from "../errors";
import { variableEntity } from "../entities";
import type { Source, SourceType, Variable } from "../model";
import { type ParamSpec, type RawParams, castActiveRecordBoolean, str } from "../params";
import {
  type ApiContext,
  type ApiRoute,
  created,
  currentUser,
  findSource,
  list,
  noContent,
  ok,
  params,
  routeParam,
} from "./api";

const VARIABLE_TYPES = ["env_var", "file"];

/** The source, after `authorize! :admin_cicd_variables` (403). */
function variableSource(ctx: ApiContext, type: SourceType): Source {
  const user = currentUser(ctx);
  const source = findSource(ctx, type, routeParam(ctx, "id"));
  if (!ctx.model.canAdminVariables(user, source)) throw forbidden();
  return source;
}

function scopeFilter(raw: RawParams): string | undefined {
  const filter = raw.filter;
  if (filter && typeof filter === "object" && !Array.isArray(filter)) {
    const scope = (filter as Record<string, unknown>).environment_scope;
    if (typeof scope === "string") return scope;
  }
  return undefined;
}

/** `find_variable`: by key and optional `filter[environment_scope]`; 409 when several match. */
function findVariable(ctx: ApiContext, source: Source, key: string): Variable | undefined {
  const scope = scopeFilter(ctx.params);
  const matches = ctx.model
    .variables(source.type, source.entity.id)
    .filter((v) => v.key === key && (scope === undefined || v.environmentScope === scope));
  if (matches.length > 1) {
    throw conflict(
      "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'",
    );
  }
  return matches[0];
}

function flagSpecs(type: SourceType, names: string[]): ParamSpec[] {
  // Projects declare Boolean flags (Grape coerces); groups declare String flags (ActiveRecord casts).
  return names.map((name) => ({ name, type: type === "project" ? "boolean" : "string" }));
}

function flag(type: SourceType, p: Record<string, unknown>, name: string): boolean | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (type === "project") return v as boolean;
  return castActiveRecordBoolean(v) ?? undefined;
}

function save(ctx: ApiContext, candidate: Omit<Variable, "id">, previous?: Variable): Variable {
  const errors = ctx.model.validateVariable(candidate, previous);
  if (Object.keys(errors).length > 0) throw validationErrors(errors);
  if (previous) {
    Object.assign(previous, candidate);
    ctx.model.markChanged();
    return previous;
  }
  return ctx.model.insertVariable(candidate);
}

function routesFor(type: SourceType): ApiRoute[] {
  const prefix = type === "project" ? "/projects/:id" : "/groups/:id";
  const missing = () => notFound(type === "project" ? "Variable" : "GroupVariable");

  return [
    {
      method: "GET",
      path: `${prefix}/variables`,
      handler(ctx) {
        const source = variableSource(ctx, type);
        const vars = [...ctx.model.variables(type, source.entity.id)].sort((a, b) => a.id - b.id);
        return list(ctx, vars, variableEntity);
      },
    },
    {
      method: "GET",
      path: `${prefix}/variables/:key`,
      handler(ctx) {
        const source = variableSource(ctx, type);
        const v = findVariable(ctx, source, routeParam(ctx, "key"));
        if (!v) throw missing();
        return ok(variableEntity(v));
      },
    },
    {
      method: "POST",
      path: `${prefix}/variables`,
      handler(ctx) {
        const source = variableSource(ctx, type);
        const p = params(ctx, [
          { name: "key", type: "string", required: true },
          { name: "value", type: "string", required: true },
          ...flagSpecs(type, ["protected", "masked", "masked_and_hidden", "raw"]),
          { name: "variable_type", type: "string", values: VARIABLE_TYPES },
          { name: "environment_scope", type: "string" },
          { name: "description", type: "string" },
        ]);
        const hidden = flag(type, p, "masked_and_hidden") === true;
        const v = save(ctx, {
          sourceType: type,
          sourceId: source.entity.id,
          key: str(p, "key") ?? "",
          value: str(p, "value") ?? "",
          variableType: (str(p, "variable_type") as Variable["variableType"] | undefined) ?? "env_var",
          protected: flag(type, p, "protected") ?? false,
          masked: hidden || (flag(type, p, "masked") ?? false),
          hidden,
          raw: flag(type, p, "raw") ?? false,
          environmentScope: str(p, "environment_scope") || "*",
          description: str(p, "description") ?? null,
        });
        return created(variableEntity(v));
      },
    },
    {
      method: "PUT",
      path: `${prefix}/variables/:key`,
      handler(ctx) {
        const source = variableSource(ctx, type);
        const p = params(ctx, [
          { name: "key", type: "string" },
          { name: "value", type: "string" },
          ...flagSpecs(type, ["protected", "masked", "raw"]),
          { name: "variable_type", type: "string", values: VARIABLE_TYPES },
          { name: "environment_scope", type: "string" },
          { name: "description", type: "string" },
          { name: "filter", type: "hash" },
        ]);
        const key = routeParam(ctx, "key");
        let v: Variable | undefined;
        if (type === "project" || "filter" in ctx.params) v = findVariable(ctx, source, key);
        else v = ctx.model.variables(type, source.entity.id).find((x) => x.key === key);
        if (!v) throw missing();
        const updated = save(
          ctx,
          {
            sourceType: v.sourceType,
            sourceId: v.sourceId,
            key: v.key,
            value: str(p, "value") ?? v.value,
            variableType: (str(p, "variable_type") as Variable["variableType"] | undefined) ?? v.variableType,
            protected: flag(type, p, "protected") ?? v.protected,
            masked: flag(type, p, "masked") ?? v.masked,
            hidden: v.hidden,
            raw: flag(type, p, "raw") ?? v.raw,
            environmentScope: str(p, "environment_scope") ?? v.environmentScope,
            description: "description" in p ? (str(p, "description") ?? null) : v.description,
          },
          v,
        );
        return ok(variableEntity(updated));
      },
    },
    {
      method: "DELETE",
      path: `${prefix}/variables/:key`,
      handler(ctx) {
        const source = variableSource(ctx, type);
        const v = findVariable(ctx, source, routeParam(ctx, "key"));
        if (!v) throw missing();
        ctx.model.deleteVariable(v);
        return noContent();
      },
    },
  ];
}

export const variableRoutes: ApiRoute[] = [...routesFor("project"), ...routesFor("group")];
