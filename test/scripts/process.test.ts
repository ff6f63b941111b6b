/** scripts/process.ts: the child-process runner the harness and the tests share. */
import * as os from "node:os";
import { runProcess, startProcess } from "../../scripts/process";

const cwd = os.tmpdir();

it("collects stdout, stderr, both interleaved, the exit code and the command line", async () => {
  const r = await runProcess("sh", ["-c", "echo out; echo err >&2; exit 3"], { cwd });
  expect(r).toMatchObject({
    code: 3,
    stdout: "out\n",
    stderr: "err\n",
    command: "sh -c echo out; echo err >&2; exit 3",
  });
  expect(r.output.split("\n").sort()).toEqual(["", "err", "out"]);
  expect(r.seconds).toBeGreaterThanOrEqual(0);
});

it("writes the input to stdin and closes it", async () => {
  const r = await runProcess("cat", [], { cwd, input: "hello\n" });
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: "hello\n" });
});

it("reports the exit of a command that never reads its input, not the EPIPE of writing it", async () => {
  // A refusal that exits at once: 4 MiB cannot fit in the pipe, so the write fails with EPIPE.
  for (let i = 0; i < 5; i++) {
    const r = await runProcess("sh", ["-c", "exit 2"], { cwd, input: "x".repeat(4 << 20) });
    expect(r.code).toBe(2);
  }
});

it("kills the whole process group after timeoutMs and says so", async () => {
  const r = await runProcess("sh", ["-c", "sleep 30 & wait"], { cwd, detached: true, timeoutMs: 300 });
  expect(r.code).toBe(128 + os.constants.signals.SIGKILL);
  expect(r.output).toContain("[test] sh ran longer than 0.3s; stopped");
});

it("killGroup ends a detached command and its children at once", async () => {
  const p = startProcess("sh", ["-c", "sleep 30 & sleep 30"], { cwd, detached: true });
  p.killGroup();
  expect((await p.done).code).toBe(128 + os.constants.signals.SIGKILL);
});

it("refuses a timeout without a process group of its own", () => {
  expect(() => runProcess("true", [], { cwd, timeoutMs: 1000 })).toThrow(/needs detached: true/);
});
