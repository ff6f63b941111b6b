/**
 * CI/CD variables over HTTP: projects (Maintainer+) and groups (Owner), with masked, protected,
 * masked_and_hidden, raw, environment_scope and filter[environment_scope].
 */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

describe("sandbox CI/CD variables", () => {
  let sandbox: Sandbox;
  let api: Client;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED });
    api = new Client(sandbox.url, sandbox.adminToken);
    for (const u of ["owner", "maint", "dev", "outsider"]) tokens[u] = sandbox.mintPersonalToken(u).token;
  });
  afterAll(() => sandbox.stop());

  describe.each([
    ["projects", "acme%2Fweb", "Variable"],
    ["groups", "acme", "GroupVariable"],
  ])("%s", (kind, id, thing) => {
    const base = `/${kind}/${id}/variables`;
    const as = kind === "projects" ? "maint" : "owner";

    it("creates, gets, lists, updates and deletes a variable", async () => {
      const made = await api.post(
        base,
        { key: "DEPLOY_TOKEN", value: "s3cr3t-value", masked: true, protected: true, description: "deploy" },
        { token: tokens[as] },
      );
      expect(made.status).toBe(201);
      expect(made.body).toEqual({
        variable_type: "env_var",
        key: "DEPLOY_TOKEN",
        value: "s3cr3t-value",
        hidden: false,
        protected: true,
        masked: true,
        raw: false,
        environment_scope: "*",
        description: "deploy",
      });
      const got = await api.get(`${base}/DEPLOY_TOKEN`, { token: tokens[as] });
      expect(got.body.value).toBe("s3cr3t-value");
      const list = await api.get(base, { token: tokens[as] });
      expect(list.body.map((v: { key: string }) => v.key)).toContain("DEPLOY_TOKEN");
      expect(list.headers.get("x-total")).toBe(String(list.body.length));
      const updated = await api.put(
        `${base}/DEPLOY_TOKEN`,
        { value: "n3w-s3cr3t", protected: false },
        { token: tokens[as] },
      );
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        value: "n3w-s3cr3t",
        protected: false,
        masked: true,
        description: "deploy",
      });
      const del = await api.delete(`${base}/DEPLOY_TOKEN`, { token: tokens[as] });
      expect(del.status).toBe(204);
      const gone = await api.get(`${base}/DEPLOY_TOKEN`, { token: tokens[as] });
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ message: `404 ${thing} Not Found` });
    });

    it("accepts form-encoded bodies", async () => {
      const res = await api.request("POST", base, {
        token: tokens[as],
        form: { key: "FORM_VAR", value: "v", variable_type: "file", raw: "true" },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ key: "FORM_VAR", variable_type: "file", raw: true });
    });

    it("never shows the value of a masked-and-hidden variable", async () => {
      const made = await api.post(base, { key: "HIDDEN", value: "hidden-value-1", masked_and_hidden: true });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ value: null, hidden: true, masked: true });
      expect(
        sandbox.variableValue(kind === "projects" ? "project" : "group", decodeURIComponent(id), "HIDDEN"),
      ).toBe("hidden-value-1");
      expect((await api.get(`${base}/HIDDEN`)).body.value).toBeNull();
      const unmask = await api.put(`${base}/HIDDEN`, { masked: false });
      expect(unmask.status).toBe(400);
      expect(unmask.body).toEqual({
        message: { base: ["The visibility setting cannot be changed for masked and hidden variables."] },
      });
      const newValue = await api.put(`${base}/HIDDEN`, { value: "another-hidden-1" });
      expect(newValue.status).toBe(200);
      expect(newValue.body.value).toBeNull();
    });

    it("keeps one variable per key and environment scope; filter[environment_scope] picks one", async () => {
      await api.post(base, { key: "SCOPED", value: "prod", environment_scope: "production" });
      await api.post(base, { key: "SCOPED", value: "stage", environment_scope: "staging" });
      const dup = await api.post(base, { key: "SCOPED", value: "again", environment_scope: "staging" });
      expect(dup.status).toBe(400);
      expect(dup.body).toEqual({ message: { key: ["(SCOPED) has already been taken"] } });

      const ambiguous = await api.get(`${base}/SCOPED`);
      expect(ambiguous.status).toBe(409);
      expect(ambiguous.body).toEqual({
        message:
          "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'",
      });
      const one = await api.get(`${base}/SCOPED?filter[environment_scope]=staging`);
      expect(one.body.value).toBe("stage");
      const upd = await api.put(`${base}/SCOPED?filter%5Benvironment_scope%5D=production`, {
        value: "prod-2",
      });
      expect(upd.body).toMatchObject({ value: "prod-2", environment_scope: "production" });
      const del = await api.request("DELETE", `${base}/SCOPED`, {
        json: { filter: { environment_scope: "staging" } },
      });
      expect(del.status).toBe(204);
      expect((await api.get(`${base}/SCOPED`)).body.value).toBe("prod-2");
    });

    it.each([
      [
        "a masked value under 8 characters",
        { key: "M1", value: "short", masked: true },
        { message: { value: ["is invalid"] } },
      ],
      [
        "a masked value with spaces",
        { key: "M2", value: "has spaces in it", masked: true },
        { message: { value: ["is invalid"] } },
      ],
      [
        "a masked value with $ (not raw)",
        { key: "M3", value: "dollar$value", masked: true },
        { message: { value: ["is invalid"] } },
      ],
      [
        "a bad key",
        { key: "BAD-KEY", value: "v" },
        { message: { key: ["can contain only letters, digits and '_'."] } },
      ],
      ["a missing value", { key: "K" }, { error: "value is missing" }],
      ["a missing key and value", {}, { error: "key is missing, value is missing" }],
      [
        "a bad variable_type",
        { key: "K", value: "v", variable_type: "secret" },
        { error: "variable_type does not have a valid value" },
      ],
    ])("refuses %s", async (_case, body, error) => {
      const res = await api.post(base, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(error);
    });

    it("accepts a masked raw value with characters outside the expanded alphabet", async () => {
      const res = await api.post(base, {
        key: "RAW_MASKED",
        value: "dollar$value%",
        masked: true,
        raw: true,
      });
      expect(res.status).toBe(201);
    });

    it.each([
      [
        "a role below the required one",
        kind === "projects" ? "dev" : "maint",
        403,
        { message: "403 Forbidden" },
      ],
      [
        "a stranger",
        "outsider",
        404,
        { message: `404 ${kind === "projects" ? "Project" : "Group"} Not Found` },
      ],
    ])("refuses %s", async (_case, who, status, error) => {
      const list = await api.get(base, { token: tokens[who] });
      const create = await api.post(base, { key: "NOPE", value: "v" }, { token: tokens[who] });
      expect([list.status, create.status]).toEqual([status, status]);
      expect(list.body).toEqual(error);
    });
  });

  it("coerces project flags as Grape booleans (bad value → 400) and group flags as model strings", async () => {
    const bad = await api.post("/projects/acme%2Fapi/variables", {
      key: "P",
      value: "v",
      protected: "perhaps",
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: "protected is invalid" });
    const group = await api.post("/groups/acme/variables", { key: "G", value: "v", protected: "perhaps" });
    expect(group.body.protected).toBe(true);
    const off = await api.post("/groups/acme/variables", { key: "G2", value: "v", protected: "false" });
    expect(off.body.protected).toBe(false);
  });
});
