/**
 * The benchmark's baseline (bench/run.ts): the thinnest dynamic resource that makes exactly the
 * floor's GitLab API calls for "a project access token delivered to one CI/CD variable", with plain
 * `fetch` and nothing else (no retries, no lookups, no markers, no validation).
 *
 * One resource holds both the token and its variable. Rotation is then one `update` that makes the
 * three calls in the safe order (create the new token, PUT it into the variable, revoke the old
 * one); the resource id (`projectId/key`) stays, only `tokenId` changes. Two resources (token,
 * variable) would make the same calls through a Pulumi replace of the token, but store a second
 * provider shell per token in state and wire an output between them, which is not the floor.
 *
 * Lifecycle and calls: create = POST token + POST variable; read = GET token + GET variable;
 * update (a changed `rotation`) = POST token + PUT variable + DELETE old token; delete = DELETE
 * token + DELETE variable. A changed project or key is a delete-before-replace.
 *
 * The GitLab URL and admin token come from GITLAB_BASE_URL / GITLAB_TOKEN in the provider's
 * environment, never from inputs: nothing secret is in state (the token value lives only in the
 * variable).
 *
 * Config: `bench-baseline:count` (N), `bench-baseline:projects` (JSON array of numeric project ids,
 * used in turn), `bench-baseline:rotation` (any string; changing it rotates every token).
 */
import * as pulumi from "@pulumi/pulumi";

interface DeliveryInputs {
  projectId: number;
  name: string;
  key: string;
  rotation: string;
}

interface DeliveryOutputs extends DeliveryInputs {
  tokenId: number;
  expiresAt: string;
}

/** One GitLab API call; `undefined` for a 404 when `allow404`. */
async function api(method: string, path: string, body?: unknown, allow404 = false): Promise<unknown> {
  const base = process.env.GITLAB_BASE_URL;
  const token = process.env.GITLAB_TOKEN;
  if (!base || !token) throw new Error("GITLAB_BASE_URL and GITLAB_TOKEN must be set");
  const res = await fetch(`${base}/api/v4${path}`, {
    method,
    headers:
      body === undefined
        ? { "PRIVATE-TOKEN": token }
        : { "PRIVATE-TOKEN": token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 404 && allow404) return undefined;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

async function createToken(
  inputs: DeliveryInputs,
): Promise<{ id: number; token: string; expires_at: string }> {
  const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  return (await api("POST", `/projects/${inputs.projectId}/access_tokens`, {
    name: inputs.name,
    scopes: ["read_repository"],
    access_level: 20,
    expires_at: expiresAt,
  })) as { id: number; token: string; expires_at: string };
}

const provider: pulumi.dynamic.ResourceProvider<DeliveryInputs, DeliveryOutputs> = {
  async diff(_id, olds, news) {
    const replaces = (["projectId", "key"] as const).filter((k) => olds[k] !== news[k]);
    const changes = replaces.length > 0 || olds.rotation !== news.rotation || olds.name !== news.name;
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const made = await createToken(inputs);
    await api("POST", `/projects/${inputs.projectId}/variables`, {
      key: inputs.key,
      value: made.token,
      masked: true,
    });
    return {
      id: `${inputs.projectId}/${inputs.key}`,
      outs: { ...inputs, tokenId: made.id, expiresAt: made.expires_at },
    };
  },

  async read(id, props) {
    if (!props) return {};
    const token = (await api(
      "GET",
      `/projects/${props.projectId}/access_tokens/${props.tokenId}`,
      undefined,
      true,
    )) as { active?: boolean; expires_at: string } | undefined;
    const variable = await api("GET", `/projects/${props.projectId}/variables/${props.key}`, undefined, true);
    if (!token || token.active === false || variable === undefined) return {};
    return { id, props: { ...props, expiresAt: token.expires_at } };
  },

  async update(_id, olds, news) {
    const made = await createToken(news);
    await api("PUT", `/projects/${news.projectId}/variables/${news.key}`, { value: made.token });
    await api("DELETE", `/projects/${olds.projectId}/access_tokens/${olds.tokenId}`, undefined, true);
    return { outs: { ...news, tokenId: made.id, expiresAt: made.expires_at } };
  },

  async delete(_id, props) {
    await api("DELETE", `/projects/${props.projectId}/access_tokens/${props.tokenId}`, undefined, true);
    await api("DELETE", `/projects/${props.projectId}/variables/${props.key}`, undefined, true);
  },
};

class TokenDelivery extends pulumi.dynamic.Resource {
  constructor(name: string, args: DeliveryInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, tokenId: undefined, expiresAt: undefined },
      opts,
      "bench",
      "TokenDelivery",
    );
  }
}

const config = new pulumi.Config();
const count = config.requireNumber("count");
const projects = config.requireObject<number[]>("projects");
const rotation = config.get("rotation") ?? "initial";
for (let i = 0; i < count; i++) {
  new TokenDelivery(`bench-${i}`, {
    projectId: projects[i % projects.length] as number,
    name: `bench-${i}`,
    key: `BENCH_TOKEN_${i}`,
    rotation,
  });
}
