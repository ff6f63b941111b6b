/**
 * Personal access tokens of a user or service account. No access level; the declaration may state
 * that the user is a service account, and name the top-level group that owns it (`group:`).
 *
 * Two families of routes (../shared/reference/gitlab-token-api.md §3.1, §4):
 * - `POST /users/:id/personal_access_tokens` and `/personal_access_tokens/:id`: an administrator's
 *   credential (any user, instance service accounts);
 * - `/groups/:id/service_accounts/:user_id/personal_access_tokens[/:token_id]`: a group service
 *   account's tokens, with an Owner of its top-level group (gitlab.com, where nobody is an
 *   administrator) or an administrator.
 * The group routes are used when the declaration names the group, or when the user is a service
 * account and the credential is not an administrator's — then the group is found among the
 * top-level groups the credential owns. The choice is kept in state (`serviceAccountGroupId`).
 */
import { z } from "zod";
import { scopesForKind } from "../gitlab/facts";
import { targetSchema } from "../model";
import type { KindDescriptor, TokenTarget } from "./descriptor";

/** The group whose service-account routes hold the target's tokens, or undefined for the admin routes. */
const viaGroup = (t: TokenTarget) => t.serviceAccountGroupId;

export const personal = {
  kind: "personal",
  targetField: "user",
  targetLabel: "user",
  fields: {
    serviceAccount: z.boolean().optional(),
    /** The top-level group that owns the service account: its tokens go through the group's routes. */
    group: targetSchema.optional(),
  },
  scopes: scopesForKind("personal"),
  accessLevels: undefined,
  userPerToken: false,
  componentType: "gitlab-tokens:index:PersonalAccessToken",
  official: {
    type: "gitlab:index/personalAccessToken:PersonalAccessToken",
    targetProp: "userId",
    targetIsUser: true,
  },
  checkFields(fields) {
    if (fields.group !== undefined && fields.serviceAccount === false) {
      return [
        {
          field: "group",
          reason:
            "group names the top-level group that owns a service account, but serviceAccount is false; " +
            "remove group, or serviceAccount if the user is the group's service account",
        },
      ];
    }
    return [];
  },
  async resolve(gl, target, hints = {}) {
    const u = await gl.resolveUser(target);
    const resolved = { id: u.id, path: u.username, user: { bot: u.bot, serviceAccount: u.serviceAccount } };
    if (hints.group !== undefined) {
      const g = await gl.resolveGroup(hints.group);
      return { ...resolved, serviceAccountGroupId: g.id };
    }
    // A person's tokens have only the administrator's routes; so has an administrator every token.
    if (!u.bot || (await gl.currentUser()).admin) return resolved;
    const g = await gl.serviceAccountGroupOf(u.id);
    if (g === undefined) {
      const reason =
        `the credential is not an administrator's, and ${u.username} is not a service account of any ` +
        `top-level group it owns; declare group: <the top-level group that owns ${u.username}> (with a ` +
        "credential of an Owner of that group), or use an administrator's credential";
      return { ...resolved, unroutable: { field: "group", reason } };
    }
    return { ...resolved, serviceAccountGroupId: g.id };
  },
  verify(resolved, declared) {
    const token = `personal token "${declared.key ?? declared.name}"`;
    if (resolved.unroutable) {
      throw new Error(`${token}, field "${resolved.unroutable.field}": ${resolved.unroutable.reason}`);
    }
    if (declared.serviceAccount === true && resolved.user?.bot !== true) {
      throw new Error(
        `${token}: ${resolved.path} is declared a service account (serviceAccount: true) ` +
          "but GitLab reports a human user; fix the declaration or use a service account",
      );
    }
  },
  create(gl, t, params) {
    const group = viaGroup(t);
    return group === undefined
      ? gl.createPersonalToken(t.id, params)
      : gl.createServiceAccountToken(group, t.id, params);
  },
  get(gl, t, tokenId) {
    const group = viaGroup(t);
    return group === undefined
      ? gl.getPersonalToken(tokenId)
      : gl.getServiceAccountToken(group, t.id, tokenId);
  },
  list(gl, t, search) {
    const group = viaGroup(t);
    return group === undefined
      ? gl.listPersonalTokens(t.id, search)
      : gl.listServiceAccountTokens(group, t.id, search);
  },
  revoke(gl, t, tokenId) {
    const group = viaGroup(t);
    return group === undefined
      ? gl.revokePersonalToken(tokenId)
      : gl.revokeServiceAccountToken(group, t.id, tokenId);
  },
} as const satisfies KindDescriptor<"personal", "user">;
