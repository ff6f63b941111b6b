/** The controllable clock: expiry at 00:00 UTC, the admin clock endpoint, the Date header. */
import { type Sandbox, startSandbox } from "../../sandbox";
import { Clock } from "../../sandbox/clock";
import { Client, admin } from "./helpers";

describe("Clock", () => {
  it("stands exactly at its start time when frozen, however long construction takes", () => {
    const realNow = Date.now;
    let t = 1_000;
    // Every read of the system clock moves it on: a set-then-freeze clock would drift.
    Date.now = () => (t += 7);
    try {
      const clock = new Clock("2030-01-15T12:00:00Z", true);
      expect(clock.now().toISOString()).toBe("2030-01-15T12:00:00.000Z");
      expect(clock.now().toISOString()).toBe("2030-01-15T12:00:00.000Z");
    } finally {
      Date.now = realNow;
    }
  });
});

describe("sandbox clock", () => {
  let sandbox: Sandbox;
  let api: Client;

  beforeAll(async () => {
    sandbox = await startSandbox({ now: "2030-06-01T10:00:00Z", freezeClock: true });
    api = new Client(sandbox.url, sandbox.adminToken);
  });
  afterAll(() => sandbox.stop());
  afterEach(() => sandbox.setNow("2030-06-01T10:00:00Z"));

  it("starts at the given time and stamps created_at and the Date header with it", async () => {
    const res = await api.post(`/users/${sandbox.user("alice")?.id}/personal_access_tokens`, {
      name: "c",
      scopes: ["api"],
    });
    expect(res.body.created_at).toBe("2030-06-01T10:00:00.000Z");
    expect(res.headers.get("date")).toBe("Sat, 01 Jun 2030 10:00:00 GMT");
  });

  it("makes a token stop working at 00:00:00 UTC on its expiry date", async () => {
    const { token } = sandbox.mintPersonalToken("alice", { expiresAt: "2030-06-10" });
    sandbox.setNow("2030-06-09T23:59:59.999Z");
    expect((await api.get("/user", { token })).status).toBe(200);
    sandbox.setNow("2030-06-10T00:00:00.000Z");
    const res = await api.get("/user", { token });
    expect(res.status).toBe(401);
    expect(res.body.error_description).toMatch(/^Token is expired/);
    expect(sandbox.tokenStatus(token)).toBe("expired");
  });

  it("moves tokens from active to inactive in list filters as time passes", async () => {
    const { id } = sandbox.mintPersonalToken("alice", { name: "soon", expiresAt: "2030-06-03" });
    const active = async () =>
      (await api.get(`/personal_access_tokens?state=active&per_page=100`)).body.map(
        (t: { id: number }) => t.id,
      );
    expect(await active()).toContain(id);
    sandbox.advanceDays(2);
    expect(await active()).not.toContain(id);
    const one = await api.get(`/personal_access_tokens/${id}`);
    expect(one.body).toMatchObject({ active: false, expired: true, revoked: false });
  });

  it("computes rotation's default expiry (+7 days) from the sandbox date", async () => {
    sandbox.setNow("2030-12-30T23:00:00Z");
    const { id } = sandbox.mintPersonalToken("alice");
    const res = await api.post(`/personal_access_tokens/${id}/rotate`, {});
    expect(res.body.expires_at).toBe("2031-01-06");
  });

  describe("admin endpoint /-/sandbox/clock", () => {
    it("reads and sets the time", async () => {
      const read = await admin(sandbox.url, sandbox.adminToken, "GET", "/clock");
      expect(read.body).toEqual({ now: "2030-06-01T10:00:00.000Z", frozen: true });
      const set = await admin(sandbox.url, sandbox.adminToken, "PUT", "/clock", {
        now: "2031-02-03T04:05:06Z",
      });
      expect(set.body.now).toBe("2031-02-03T04:05:06.000Z");
      expect(sandbox.now().toISOString()).toBe("2031-02-03T04:05:06.000Z");
    });

    it("advances by days and milliseconds", async () => {
      const res = await admin(sandbox.url, sandbox.adminToken, "PUT", "/clock", {
        advanceDays: 30,
        advanceMs: 1000,
      });
      expect(res.body.now).toBe("2030-07-01T10:00:01.000Z");
      const user = await api.get("/user");
      expect(user.headers.get("date")).toBe("Mon, 01 Jul 2030 10:00:01 GMT");
    });

    it("lets the clock run and freezes it again", async () => {
      await admin(sandbox.url, sandbox.adminToken, "PUT", "/clock", { frozen: false });
      const before = sandbox.now().getTime();
      await new Promise((r) => setTimeout(r, 30));
      expect(sandbox.now().getTime()).toBeGreaterThan(before);
      const frozen = await admin(sandbox.url, sandbox.adminToken, "PUT", "/clock", { frozen: true });
      expect(frozen.body.frozen).toBe(true);
      const a = sandbox.now().getTime();
      await new Promise((r) => setTimeout(r, 20));
      expect(sandbox.now().getTime()).toBe(a);
    });

    it.each([
      ["a bad time", { now: "not a time" }],
      ["an unknown field", { rewind: 1 }],
      ["a non-numeric advance", { advanceDays: "2" }],
    ])("refuses %s with 400", async (_case, body) => {
      const res = await admin(sandbox.url, sandbox.adminToken, "PUT", "/clock", body);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    });

    it("needs the admin token (another admin PAT is not enough)", async () => {
      const { token } = sandbox.mintPersonalToken("root");
      const res = await admin(sandbox.url, token, "GET", "/clock");
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: "401 Unauthorized" });
    });
  });
});
