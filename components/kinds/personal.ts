/**
 * Personal access tokens of a user or service account (created with an admin or group-owner
 * credential). No access level; the declaration may state that the user is a service account.
 */
import { z } from "zod";
import { scopesForKind } from "../gitlab/facts";
import type { KindDescriptor } from "./descriptor";

export const personal = {
  kind: "personal",
  targetField: "user",
  targetLabel: "user",
  fields: { serviceAccount: z.boolean().optional() },
  scopes: scopesForKind("personal"),
  accessLevels: undefined,
  componentType: "gitlab-tokens:index:PersonalAccessToken",
  official: {
    type: "gitlab:index/personalAccessToken:PersonalAccessToken",
    targetProp: "userId",
    targetIsUser: true,
  },
  async resolve(gl, target) {
    const u = await gl.resolveUser(target);
    return { id: u.id, path: u.username, user: { bot: u.bot, serviceAccount: u.serviceAccount } };
  },
  verify(resolved, declared) {
    if (declared.serviceAccount === true && resolved.user?.bot !== true) {
      throw new Error(
        `personal token "${declared.name}": ${resolved.path} is declared a service account (serviceAccount: true) ` +
          "but GitLab reports a human user; fix the declaration or use a service account",
      );
    }
  },
  create: (gl, userId, params) => gl.createPersonalToken(userId, params),
  get: (gl, _userId, tokenId) => gl.getPersonalToken(tokenId),
  list: (gl, userId, search) => gl.listPersonalTokens(userId, search),
  revoke: (gl, _userId, tokenId) => gl.revokePersonalToken(tokenId),
} as const satisfies KindDescriptor<"personal", "user">;
