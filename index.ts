/**
 * The gitlab-tokens program: reads the token declarations (`tokens.yaml`, or the file named by
 * config `gitlab-tokens:declarations`), validates all of them before anything reaches GitLab, and
 * declares one component per token. Exports a summary without any secret.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  DeclarationsError,
  GroupAccessToken,
  PersonalAccessToken,
  ProjectAccessToken,
  loadDeclarations,
  type TokenDeclaration,
} from "./components";
import { declarationArgs, deliveryTargets } from "./components/props";
import { currentTime } from "./components/providers/runtime-env";

const config = new pulumi.Config("gitlab-tokens");
const file = config.get("declarations") ?? "tokens.yaml";

let declarations: TokenDeclaration[];
try {
  declarations = loadDeclarations(path.resolve(file), currentTime(), file);
} catch (e) {
  // A RunError prints its message without a stack trace; nothing has been registered yet.
  throw e instanceof DeclarationsError ? new pulumi.RunError(e.message) : e;
}

function declare(d: TokenDeclaration) {
  const args = { ...declarationArgs(d), deliverTo: d.deliverTo };
  switch (d.kind) {
    case "project":
      return new ProjectAccessToken(d.key, { ...args, project: d.target });
    case "group":
      return new GroupAccessToken(d.key, { ...args, group: d.target });
    case "personal":
      return new PersonalAccessToken(d.key, { ...args, user: d.target });
  }
}

/** Per token: what it is, when it expires and rotates, where it is delivered. No values. */
export const tokens = Object.fromEntries(
  declarations.map((d) => {
    const c = declare(d);
    return [
      d.key,
      {
        kind: d.kind,
        target: d.target,
        scopes: d.scopes,
        accessLevel: d.accessLevel ?? null,
        tokenId: c.tokenId,
        expiresAt: c.expiresAt,
        rotatesAt: c.rotatesAt,
        deliveredTo: deliveryTargets(d),
      },
    ];
  }),
);
