/**
 * Fine-grained ("granular") personal access tokens on the create routes (GitLab 19.2+:
 * `POST /user/personal_access_tokens`; 19.6+: `POST /users/:user_id/personal_access_tokens`): the
 * `granular_scopes` parameter as Grape validates it (`params :granular_scope_params`,
 * lib/api/helpers/personal_access_tokens_helpers.rb), `exactly_one_of :scopes, :granular_scopes`,
 * the scopes built from it (`build_granular_scopes` there) and the token made from them.
 *
 * Not a route of its own: `personal-tokens.ts` calls it. The service-account token routes do not
 * declare `granular_scopes` (Grape drops it), so they keep `scopes` required.
 */
import { ModelError, badRequestMessage, notFound, paramErrors, unprocessable } from "../errors";
import { tokenEntity, withToken } from "../entities";
import { type GranularScope, GranularScopeError, type Model, type User } from "../model";
import { type ParamSpec, str, validateParams } from "../params";
import { GRANULAR_ACCESS, type GranularAccess } from "../rules";
import { type ApiContext, type ApiResult, created } from "./api";

/** One element of `granular_scopes`, as Grape declared and coerced it. */
export interface GranularScopeInput {
  access: GranularAccess;
  permissions: string[];
  projectIds: number[];
  groupIds: number[];
}

/** A create request's declared parameters: legacy `scopes`, or the granular scopes (exactly one). */
export interface CreateRequest {
  values: Record<string, unknown>;
  /** Present when the request gave `granular_scopes` (then `values.scopes` is absent). */
  granular?: GranularScopeInput[];
}

/**
 * `Array[Integer], coerce_with: CommaSeparatedToIntegerArray`: an array, or "1,2"; each element
 * split on commas and turned into an integer with Ruby's `to_i` (a leading integer, else 0 — GitLab
 * does not refuse "abc", it looks for id 0). Anything else fails the coercion.
 */
function integerArray(value: unknown): number[] | undefined {
  const parts: unknown[] =
    typeof value === "string" ? value.split(",") : Array.isArray(value) ? (value as unknown[]) : [];
  if (typeof value !== "string" && !Array.isArray(value)) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "number" && Number.isInteger(part)) {
      out.push(part);
      continue;
    }
    if (typeof part !== "string") return undefined;
    for (const piece of part.split(",")) {
      const trimmed = piece.trim();
      if (trimmed === "") continue;
      const m = /^[+-]?\d+/.exec(trimmed);
      out.push(m ? Number(m[0]) : 0);
    }
  }
  return out;
}

/** `Array[String]`: an array whose elements are strings (numbers become strings, as Grape coerces). */
function stringArray(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const v of value as unknown[]) {
    if (typeof v === "string") out.push(v);
    else if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
    else return undefined;
  }
  return out;
}

/**
 * `optional :granular_scopes, type: Array do requires :access …; requires :permissions …; optional
 * :project_ids …; optional :group_ids … end`, with Grape's messages for a nested array
 * (`granular_scopes[0][access] is missing`, `… does not have a valid value`, `… is invalid`): each
 * declared field is checked across the elements, in declaration order.
 */
export function parseGranularScopes(raw: unknown): { scopes: GranularScopeInput[]; errors: string[] } {
  if (
    !Array.isArray(raw) ||
    !(raw as unknown[]).every((e) => e !== null && typeof e === "object" && !Array.isArray(e))
  ) {
    return { scopes: [], errors: ["granular_scopes is invalid"] };
  }
  const elements = raw as Record<string, unknown>[];
  const errors: string[] = [];
  const name = (i: number, field: string) => `granular_scopes[${i}][${field}]`;
  const present = (v: unknown) => v !== undefined && v !== null;
  const access: (GranularAccess | undefined)[] = elements.map((e, i) => {
    const v = e.access;
    if (!present(v)) {
      errors.push(`${name(i, "access")} is missing`);
      return undefined;
    }
    const s = typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
    if (s === undefined) {
      errors.push(`${name(i, "access")} is invalid`);
      return undefined;
    }
    if (!(GRANULAR_ACCESS as readonly string[]).includes(s)) {
      errors.push(`${name(i, "access")} does not have a valid value`);
      return undefined;
    }
    return s as GranularAccess;
  });
  const permissions = elements.map((e, i) => {
    if (!present(e.permissions)) {
      errors.push(`${name(i, "permissions")} is missing`);
      return undefined;
    }
    const list = stringArray(e.permissions);
    if (!list) errors.push(`${name(i, "permissions")} is invalid`);
    return list;
  });
  const ids = (field: "project_ids" | "group_ids") =>
    elements.map((e, i) => {
      if (!present(e[field])) return [];
      const list = integerArray(e[field]);
      if (!list) errors.push(`${name(i, field)} is invalid`);
      return list ?? [];
    });
  const projectIds = ids("project_ids");
  const groupIds = ids("group_ids");
  const scopes = elements.map((_, i) => ({
    access: access[i] as GranularAccess,
    permissions: permissions[i] ?? [],
    projectIds: projectIds[i] ?? [],
    groupIds: groupIds[i] ?? [],
  }));
  return { scopes, errors };
}

/**
 * The create routes' parameters: `specs` (user id, name, description, expires_at), an optional
 * legacy `scopes` limited to `legacyScopes`, `granular_scopes`, and Grape's `exactly_one_of
 * :scopes, :granular_scopes` (a parameter counts as given when its key is there). Every error in
 * one 400, in declaration order.
 */
export function createRequest(
  ctx: ApiContext,
  specs: readonly ParamSpec[],
  legacyScopes: readonly string[],
): CreateRequest {
  const scopesSpec: ParamSpec = {
    name: "scopes",
    type: "string[]",
    values: legacyScopes,
    commaSeparated: true,
  };
  const { values, errors } = validateParams(ctx.params, [...specs, scopesSpec]);
  const rawGranular = ctx.params.granular_scopes;
  let granular: GranularScopeInput[] | undefined;
  if ("granular_scopes" in ctx.params) {
    const parsed = parseGranularScopes(rawGranular);
    errors.push(...parsed.errors);
    granular = parsed.scopes;
  }
  const given = ["scopes", "granular_scopes"].filter((k) => k in ctx.params);
  // Grape's exactly_one_of messages (grape/locale/en.yml: exactly_one, mutual_exclusion).
  if (given.length === 0)
    errors.push("scopes, granular_scopes are missing, exactly one parameter must be provided");
  if (given.length === 2) errors.push("scopes, granular_scopes are mutually exclusive");
  if (errors.length > 0) throw paramErrors(errors);
  return granular ? { values, granular } : { values };
}

/**
 * `build_granular_scopes(user, inputs)` (lib/api/helpers/personal_access_tokens_helpers.rb):
 * `selected_memberships` gives one scope per group id, then one per project id, each on that
 * namespace — `Group.id_in`/`Project.id_in`, so an id that names nothing is skipped and a repeated
 * one counts once; the user must be a member of each (`Authz::Boundary#member?`), else `not_found!`.
 * `personal_projects` gives one scope on the user's own namespace; the other accesses one scope
 * without a namespace (their `project_ids`/`group_ids` are ignored). `user` is the token's user:
 * the credential's own on `/user/…`, the target on the administrators' `/users/:user_id/…`.
 */
export function buildGranularScopes(model: Model, user: User, inputs: GranularScopeInput[]): GranularScope[] {
  const unique = (ids: number[]) => [...new Set(ids)].sort((a, b) => a - b);
  return inputs.flatMap((input): GranularScope[] => {
    const base = { access: input.access, permissions: input.permissions };
    switch (input.access) {
      case "selected_memberships": {
        const groups = unique(input.groupIds).flatMap((id) => model.group(id) ?? []);
        const projects = unique(input.projectIds).flatMap((id) => model.project(id) ?? []);
        return [
          ...groups.map((entity): GranularScope => {
            if (!model.isMember(user, { type: "group", entity })) throw notFound();
            return { ...base, namespace: { type: "group", id: entity.id } };
          }),
          ...projects.map((entity): GranularScope => {
            if (!model.isMember(user, { type: "project", entity })) throw notFound();
            return { ...base, namespace: { type: "project", id: entity.id } };
          }),
        ];
      }
      case "personal_projects":
        return [{ ...base, namespace: { type: "user", id: user.id } }];
      default:
        return [{ ...base, namespace: null }];
    }
  });
}

/**
 * Makes a granular token for `user` from a validated create request: 404 while this GitLab has no
 * granular tokens (the setting `granularPersonalAccessTokens: false`, as a GitLab before them on the
 * route, gitlab-org/gitlab!260958), the scopes built, then `CreateGranularService`. Its own refusals
 * (no scope, two scopes on one namespace, an unknown permission) are `render_api_error!(msg, 400)`;
 * the token's model validations (name, expiry, description) are 422, as on the legacy create.
 * (Which status GitLab's route gives each is the sandbox's reading of the services, not a confirmed
 * response.)
 */
export function createGranularToken(
  ctx: ApiContext,
  user: User,
  request: Required<CreateRequest>,
): ApiResult {
  const { model } = ctx;
  if (!model.granularTokensSupported()) throw notFound();
  const scopes = buildGranularScopes(model, user, request.granular);
  let made;
  try {
    made = model.createGranularToken(
      user,
      {
        name: str(request.values, "name"),
        description: str(request.values, "description") ?? null,
        expiresAt: str(request.values, "expires_at"),
      },
      scopes,
    );
  } catch (e) {
    if (e instanceof GranularScopeError) throw badRequestMessage(e.message);
    if (e instanceof ModelError) throw unprocessable(e.message);
    throw e;
  }
  // The create response has no `granular_scopes`: GitLab presents the new token without
  // `with_granular_scopes` (a known GitLab bug, gitlab-org/gitlab#632314); GET shows them.
  return created(withToken(tokenEntity(model, made.token), made.value));
}
