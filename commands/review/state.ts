/**
 * The current stack's tokens, read from a `pulumi stack export` document. Only this project's
 * access-token resources are read, and never their value: the `token` output and every other
 * secret-wrapped value are dropped while parsing, so nothing downstream can print them — not even from
 * an export made with `--show-secrets` by mistake. Pure: text in, tokens out.
 */
import { z } from "zod";
import { TOKEN_KINDS } from "../../components/gitlab/facts";
import { ACCESS_TOKEN_TYPE, type AccessTokenOutputs } from "../../components/types";

/** The key Pulumi marks a secret value with in exported state (`{ "<sig>": "<secret sig>", ciphertext | plaintext }`). */
export const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";

/** What state holds for a token, less its value. */
export type StoredToken = Omit<AccessTokenOutputs, "token">;

/** One access token in the current state. */
export interface StateToken {
  /** The declaration key (`outputs.key`, else the resource name from the URN). */
  key: string;
  urn: string;
  /** Pulumi resource id (`<kind>/<targetId>/<tokenId>`). */
  id?: string;
  outputs: StoredToken;
}

/** A problem with the review's inputs (not with the declarations): the review cannot run. */
export class ReviewInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReviewInputError";
  }
}

const resourceSchema = z.looseObject({
  urn: z.string(),
  type: z.string(),
  id: z.string().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  /** A resource pending deletion after a failed replacement: no longer the current token. */
  delete: z.boolean().optional(),
});

const exportSchema = z.looseObject({
  version: z.number().optional(),
  deployment: z.looseObject({ resources: z.array(resourceSchema).nullish() }),
});

/** The outputs the review reads; the rest passes through untouched to the provider's `diff`. */
const outputsSchema = z.looseObject({
  kind: z.enum(TOKEN_KINDS),
  key: z.string().optional(),
  target: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  accessLevel: z.string().optional(),
  lifetimeDays: z.number().optional(),
  fixedExpiresAt: z.string().optional(),
  rotateBeforeDays: z.number(),
  expiresAt: z.string(),
  createdAt: z.string().optional(),
  active: z.boolean().optional(),
});

function isSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && SECRET_SIGNATURE_KEY in value;
}

/** A copy of `value` without secret-wrapped values (at any depth). */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => !isSecret(v)).map(withoutSecrets);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!isSecret(v)) out[k] = withoutSecrets(v);
  return out;
}

/** The outputs of a token resource without its value, whatever form the value takes. */
export function redactOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
  const { token: _value, ...rest } = outputs;
  return withoutSecrets(rest) as Record<string, unknown>;
}

/** The resource name at the end of a URN (`urn:pulumi:stack::project::type$type::name`). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function issueText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`)
    .join("; ");
}

/**
 * The access tokens in a `pulumi stack export` document. `source` names the document in errors
 * ("state file x.json", "stack prod"). Throws ReviewInputError for text that is not such a document.
 */
export function readStateExport(text: string, source: string): StateToken[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ReviewInputError(
      `${source} is not JSON (${(e as Error).message}); give a \`pulumi stack export\` file`,
    );
  }
  const doc = exportSchema.safeParse(json);
  if (!doc.success) {
    throw new ReviewInputError(
      `${source} is not a \`pulumi stack export\` document (${issueText(doc.error)})`,
    );
  }
  const tokens: StateToken[] = [];
  const seen = new Set<string>();
  for (const resource of doc.data.deployment.resources ?? []) {
    if (resource.type !== ACCESS_TOKEN_TYPE || resource.delete === true) continue;
    const redacted = redactOutputs(resource.outputs ?? {});
    const outputs = outputsSchema.safeParse(redacted);
    if (!outputs.success) {
      throw new ReviewInputError(
        `${source}: access token ${resource.urn} has unexpected outputs (${issueText(outputs.error)})`,
      );
    }
    const key = outputs.data.key ?? urnName(resource.urn);
    if (seen.has(key)) continue;
    seen.add(key);
    tokens.push({ key, urn: resource.urn, id: resource.id, outputs: redacted as unknown as StoredToken });
  }
  return tokens;
}
