/**
 * The modules the review and the policy pack load must not pull in the GitLab client, gitbeaker or
 * the Pulumi runtime: checked on the compiled modules (npm run build), each in a fresh Node.js.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

function loadedBy(module: string): string[] {
  const script = `require(${JSON.stringify(path.resolve(module))});
    process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as string[];
}

it.each([["dist/components/providers/access-token-logic"], ["dist/components/kinds"]])(
  "%s loads no client, gitbeaker or Pulumi runtime",
  (module) => {
    const loaded = loadedBy(module);
    expect(loaded.length).toBeGreaterThan(1);
    expect(
      loaded.filter((f) => /@pulumi[\\/]pulumi|@gitbeaker|gitlab[\\/]client|runtime-env/.test(f)),
    ).toEqual([]);
  },
);
