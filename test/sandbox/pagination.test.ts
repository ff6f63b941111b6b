/** Offset pagination (spec §1.3) on every list endpoint. */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Client, ROLES_SEED } from "./helpers";

describe("sandbox pagination", () => {
  let sandbox: Sandbox;
  let api: Client;
  let userId: number;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: ROLES_SEED });
    api = new Client(sandbox.url, sandbox.adminToken);
    userId = sandbox.user("dev")?.id ?? 0;
    for (let i = 1; i <= 45; i += 1)
      sandbox.mintPersonalToken("dev", { name: `t${String(i).padStart(2, "0")}` });
  });
  afterAll(() => sandbox.stop());

  const page = (query: string) => api.get(`/personal_access_tokens?user_id=${userId}&${query}`);

  it("defaults to page 1 of 20, with every header", async () => {
    const res = await page("");
    expect(res.body).toHaveLength(20);
    expect(res.body[0].name).toBe("t01");
    expect(
      Object.fromEntries(
        ["x-page", "x-per-page", "x-next-page", "x-prev-page", "x-total", "x-total-pages"].map((h) => [
          h,
          res.headers.get(h),
        ]),
      ),
    ).toEqual({
      "x-page": "1",
      "x-per-page": "20",
      "x-next-page": "2",
      "x-prev-page": "",
      "x-total": "45",
      "x-total-pages": "3",
    });
  });

  it("builds Link with prev, next, first and last, keeping the query", async () => {
    const res = await page("per_page=10&page=2&sort=name_asc");
    expect(res.body.map((t: { name: string }) => t.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `t${String(i + 11).padStart(2, "0")}`),
    );
    const link = (p: number) =>
      `<${sandbox.url}/api/v4/personal_access_tokens?page=${p}&per_page=10&sort=name_asc&user_id=${userId}>`;
    expect(res.headers.get("link")).toBe(
      `${link(1)}; rel="prev", ${link(3)}; rel="next", ${link(1)}; rel="first", ${link(5)}; rel="last"`,
    );
  });

  it("follows rel=next to the end", async () => {
    const names: string[] = [];
    let url: string | undefined = `${sandbox.url}/api/v4/personal_access_tokens?user_id=${userId}&per_page=7`;
    while (url) {
      const res: Response = await fetch(url, { headers: { "PRIVATE-TOKEN": sandbox.adminToken } });
      names.push(...((await res.json()) as { name: string }[]).map((t) => t.name));
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
    }
    expect(names).toHaveLength(45);
    expect(new Set(names).size).toBe(45);
  });

  it.each([
    [
      "per_page above 100 is capped at 100",
      "per_page=500",
      { "x-per-page": "100", "x-total-pages": "1" },
      45,
    ],
    ["a negative per_page keeps the default", "per_page=-3", { "x-per-page": "20" }, 20],
    ["page 0 is page 1", "page=0&per_page=10", { "x-page": "1", "x-prev-page": "" }, 10],
    ["the last page has no next", "page=3", { "x-next-page": "", "x-prev-page": "2" }, 5],
    [
      "a page past the end is empty, with no prev/next",
      "page=9",
      { "x-page": "9", "x-next-page": "", "x-prev-page": "" },
      0,
    ],
  ])("%s", async (_case, query, headers, count) => {
    const res = await page(query);
    expect(res.status).toBe(200);
    for (const [h, v] of Object.entries(headers)) expect(res.headers.get(h)).toBe(v);
    expect(res.body).toHaveLength(count);
  });

  it.each([
    ["per_page=0", { error: "per_page has a value not allowed" }],
    ["per_page=many", { error: "per_page is invalid" }],
    ["page=first", { error: "page is invalid" }],
    ["page=x&per_page=0", { error: "page is invalid, per_page has a value not allowed" }],
  ])("refuses %s", async (query, error) => {
    const res = await page(query);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error);
  });

  it("reports an empty list as 0 records on 1 page", async () => {
    const res = await api.get("/projects/acme%2Fapi/variables");
    expect(res.body).toEqual([]);
    expect(res.headers.get("x-total")).toBe("0");
    expect(res.headers.get("x-total-pages")).toBe("1");
  });

  it.each([
    "/personal_access_tokens",
    "/projects/acme%2Fweb/access_tokens",
    "/groups/acme/access_tokens",
    "/groups/acme/service_accounts",
    "/groups/acme/service_accounts/GSA/personal_access_tokens",
    "/service_accounts",
    "/users",
    "/groups",
    "/projects",
    "/projects/acme%2Fweb/variables",
    "/groups/acme/variables",
    "/projects/acme%2Fweb/members/all",
    "/groups/acme/members",
  ])("paginates %s", async (path) => {
    const res = await api.get(`${path.replace("GSA", String(sandbox.user("gsa")?.id))}?per_page=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-per-page")).toBe("1");
    expect(res.headers.get("x-total")).not.toBeNull();
    expect(res.headers.get("link")).toContain('rel="first"');
    expect(Array.isArray(res.body)).toBe(true);
  });
});
