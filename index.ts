/**
 * The gitlab-tokens program: reads the token declarations (`tokens.yaml`, or the file named by
 * config `gitlab-tokens:declarations`), validates all of them before anything reaches GitLab, and
 * declares one component per token. Exports a summary without any secret.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  AccessTokenComponent,
  DeclarationsError,
  loadDeclarations,
  type TokenDeclaration,
} from "./components";
import { kindOf } from "./components/kinds";
import { declarationArgs, deliveryTargets } from "./components/props";
import { currentTime } from "./components/clock";

const config = new pulumi.Config("gitlab-tokens");
const file = config.get("declarations") ?? "tokens.yaml";

let declarations: TokenDeclaration[];
try {
  declarations = loadDeclarations(path.resolve(file), currentTime(), file);
} catch (e) {
  // A RunError prints its message without a stack trace; nothing has been registered yet.
  throw e instanceof DeclarationsError ? new pulumi.RunError(e.message) : e;
}

/** The component of a declaration: its kind's type token, its target in the kind's target field. */
function declare(d: TokenDeclaration): AccessTokenComponent {
  const kind = kindOf(d.kind);
  return new AccessTokenComponent(kind, d.key, {
    ...declarationArgs(d),
    deliverTo: d.deliverTo,
    [kind.targetField]: d.target,
  });
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
