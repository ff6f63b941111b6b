/**
 * The gitlab-tokens program as one function: reads a declarations file (`tokens.yaml`), validates
 * every declaration before anything reaches GitLab, and declares one component per token. This
 * repository's index.ts is a call of it; a Pulumi program that installed the package calls it
 * beside its other resources:
 *
 *   import { declareTokens } from "gitlab-tokens";
 *   export const tokens = declareTokens("tokens.yaml");
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AccessTokenComponent } from "./access-tokens";
import { currentTime } from "./clock";
import { DeclarationsError, loadDeclarations, type TokenDeclaration } from "./declarations";
import { kindOf } from "./kinds";
import { declarationArgs, deliveryTargets } from "./props";
import { CONFIG_NAMESPACE } from "./types";

/** The declarations file when none is given: config `gitlab-tokens:declarations`, else `tokens.yaml`. */
export const DEFAULT_DECLARATIONS = "tokens.yaml";

/** What `declareTokens` reports per token: what it is, when it expires and rotates, who it acts as, where it goes. No values. */
export interface DeclaredTokenSummary {
  kind: TokenDeclaration["kind"];
  target: TokenDeclaration["target"];
  scopes: TokenDeclaration["scopes"];
  accessLevel: NonNullable<TokenDeclaration["accessLevel"]> | null;
  tokenId: pulumi.Output<number>;
  expiresAt: pulumi.Output<string>;
  rotatesAt: pulumi.Output<string>;
  /** The user the token acts as (a project or group token's bot; changes when such a token rotates). */
  userId: pulumi.Output<number | undefined>;
  /** That user's username; undefined when GitLab did not show it to the credential. */
  username: pulumi.Output<string | undefined>;
  /** That user's commit e-mail; only an administrator's credential is shown it, else undefined. */
  commitEmail: pulumi.Output<string | undefined>;
  deliveredTo: string[];
}

/** The component of a declaration: its kind's type token, its target in the kind's target field. */
function declare(d: TokenDeclaration, opts?: pulumi.ComponentResourceOptions): AccessTokenComponent {
  const kind = kindOf(d.kind);
  return new AccessTokenComponent(
    kind,
    d.key,
    { ...declarationArgs(d), deliverTo: d.deliverTo, [d.targetField ?? kind.targetField]: d.target },
    opts,
  );
}

/**
 * Declares one component per token of the declarations file `file` (relative to the program's
 * folder; default: config `gitlab-tokens:declarations`, else `tokens.yaml`), all validated first:
 * a bad file stops the program with every problem (file, line, token, field) and no stack trace,
 * before any resource is registered. `opts` apply to every component (a `parent`, `protect`, …).
 * Returns, per token key, a summary without any secret — export it to see it in the stack outputs.
 */
export function declareTokens(
  file?: string,
  opts?: pulumi.ComponentResourceOptions,
): Record<string, DeclaredTokenSummary> {
  const name = file ?? new pulumi.Config(CONFIG_NAMESPACE).get("declarations") ?? DEFAULT_DECLARATIONS;
  let declarations: TokenDeclaration[];
  try {
    declarations = loadDeclarations(path.resolve(name), currentTime(), name);
  } catch (e) {
    // A RunError prints its message without a stack trace; nothing has been registered yet.
    throw e instanceof DeclarationsError ? new pulumi.RunError(e.message) : e;
  }
  return Object.fromEntries(
    declarations.map((d) => {
      const c = declare(d, opts);
      const summary: DeclaredTokenSummary = {
        kind: d.kind,
        target: d.target,
        scopes: d.scopes,
        accessLevel: d.accessLevel ?? null,
        tokenId: c.tokenId,
        expiresAt: c.expiresAt,
        rotatesAt: c.rotatesAt,
        userId: c.userId,
        username: c.username,
        commitEmail: c.commitEmail,
        deliveredTo: deliveryTargets(d),
      };
      return [d.key, summary];
    }),
  );
}
