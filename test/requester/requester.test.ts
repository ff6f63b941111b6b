/**
 * The requester's retry policy over real HTTP (a loopback server scripted per test): full-jitter
 * backoff from exponential-backoff, 429 with Retry-After for every method, 5xx and dropped
 * connections only for idempotent methods, connections never made only `connectAttempts` times.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { GitLabApiError } from "../../components/gitlab/errors";
import { createRequestHandler, type RetryPolicy } from "../../components/gitlab/requester";

type Reply = (res: http.ServerResponse, req: http.IncomingMessage) => void;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => {
  return (res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
};
const ok = json(200, { ok: true });
const unavailable = json(503, { message: "503 Service Unavailable" });
const drop: Reply = (_res, req) => req.socket.destroy();

let server: http.Server;
let base: string;
let replies: Reply[] = [];
let seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => (replies.shift() ?? ok)(res, req));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  replies = [];
  seen = [];
});
afterEach(() => jest.restoreAllMocks());

const FAST: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 8,
  maxDelayMs: 20,
  timeoutMs: 5_000,
  connectAttempts: 2,
};

function call(method: string, policy: Partial<RetryPolicy> = {}, prefixUrl = base, before?: () => void) {
  return createRequestHandler({ ...FAST, ...policy }, before)("user", { method, prefixUrl });
}

async function failure(p: Promise<unknown>): Promise<GitLabApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GitLabApiError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

/** The backoff waits exponential-backoff schedules so far (its timers are the only short ones here). */
function backoffWaits(): () => number[] {
  const spy = jest.spyOn(global, "setTimeout");
  return () => spy.mock.calls.map((c) => c[1] ?? 0).filter((ms) => ms <= FAST.maxDelayMs);
}

describe("backoff", () => {
  it("doubles from baseDelayMs up to maxDelayMs with full jitter (0..backoff)", async () => {
    const waits = backoffWaits();
    jest.spyOn(Math, "random").mockReturnValue(0.999);
    replies = [unavailable, unavailable, unavailable];
    const res = (await call("GET")) as { status: number };
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(4);
    expect(waits()).toEqual([8, 16, 20]);
  });

  it("draws each wait evenly from 0 to the backoff", async () => {
    const waits = backoffWaits();
    jest.spyOn(Math, "random").mockReturnValueOnce(0).mockReturnValueOnce(0.5).mockReturnValueOnce(0.25);
    replies = [unavailable, unavailable, unavailable];
    await call("GET");
    expect(waits()).toEqual([0, 8, 5]);
  });

  it("gives up after maxAttempts with GitLab's error", async () => {
    replies = [unavailable, unavailable, unavailable, unavailable, unavailable];
    const err = await failure(call("GET"));
    expect(err.status).toBe(503);
    expect(seen).toHaveLength(FAST.maxAttempts);
  });
});

describe("429", () => {
  it.each(["GET", "POST"])("%s waits what Retry-After asks, capped at maxDelayMs", async (method) => {
    const sleep = jest.fn(() => Promise.resolve());
    replies = [
      json(429, { message: "Retry later" }, { "retry-after": "0.01" }),
      json(429, { message: "Retry later" }, { "retry-after": "60" }),
    ];
    const res = (await call(method, { sleep })) as { status: number };
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[10], [FAST.maxDelayMs]]);
  });

  it("without Retry-After backs off like any retry, for every method", async () => {
    const sleep = jest.fn(() => Promise.resolve());
    replies = [json(429, { message: "Retry later" })];
    await call("POST", { sleep });
    expect(seen).toHaveLength(2);
    expect(sleep).not.toHaveBeenCalled();
  });
});

describe("5xx and dropped connections", () => {
  it.each(["GET", "HEAD", "PUT", "DELETE"])("are retried for %s", async (method) => {
    replies = [unavailable, drop];
    const res = (await call(method)) as { status: number };
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(3);
  });

  it("a POST answered 5xx is not retried: its outcome is unknown", async () => {
    replies = [unavailable];
    const err = await failure(call("POST"));
    expect(seen).toHaveLength(1);
    expect(err.status).toBe(503);
    expect(err.outcomeUnknown).toBe(true);
  });

  it("a POST whose connection dropped is not retried: its outcome is unknown", async () => {
    replies = [drop];
    const err = await failure(call("POST"));
    expect(seen).toHaveLength(1);
    expect(err.status).toBe(0);
    expect(err.outcomeUnknown).toBe(true);
  });

  it("4xx other than 429 is never retried", async () => {
    replies = [json(404, { message: "404 Not Found" })];
    expect((await failure(call("GET"))).status).toBe(404);
    expect(seen).toHaveLength(1);
  });
});

describe("connections never made", () => {
  it.each(["GET", "POST"])("%s is retried only connectAttempts times", async (method) => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    let attempts = 0;
    const err = await failure(
      call(method, { maxAttempts: 6 }, `http://127.0.0.1:${port}/api/v4/`, () => attempts++),
    );
    expect(attempts).toBe(FAST.connectAttempts);
    expect(err.notSent).toBe(true);
    expect(err.outcomeUnknown).toBe(false);
  });
});

describe("beforeRequest", () => {
  it("runs before every attempt", async () => {
    let calls = 0;
    replies = [unavailable, unavailable];
    await call("GET", {}, base, () => calls++);
    expect(calls).toBe(3);
  });

  it("stops the call when it throws, without retrying", async () => {
    const refusal = new Error("the engine is gone");
    await expect(
      call("GET", {}, base, () => {
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(seen).toHaveLength(0);
  });
});
