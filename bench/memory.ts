/**
 * Resident memory of a process tree, read from /proc (Linux): every process whose parent chain
 * leads to the root pid, summed by category — `engine` (the `pulumi` CLI, the language host and
 * the other Pulumi binaries), `node` (the program and the dynamic providers) and `other` (shells).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface RssSample {
  engineKb: number;
  nodeKb: number;
  otherKb: number;
}

function parentOf(pid: string): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function category(pid: number): keyof RssSample {
  let exe = "";
  try {
    exe = path.basename(fs.readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return "otherKb";
  }
  if (exe === "node" || exe.startsWith("node")) return "nodeKb";
  if (exe.startsWith("pulumi")) return "engineKb";
  return "otherKb";
}

/** The RSS of `root` and all its descendants now, by category (zeros when /proc is missing). */
export function sampleTree(root: number): RssSample {
  const sample: RssSample = { engineKb: 0, nodeKb: 0, otherKb: 0 };
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return sample;
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    const ppid = parentOf(e);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const queue = [root];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const kb = rssKb(pid);
    if (kb > 0) sample[category(pid)] += kb;
    queue.push(...(children.get(pid) ?? []));
  }
  return sample;
}

/** Samples the tree under `root` every `intervalMs` until stopped; keeps the peak of each category. */
export class PeakRss {
  readonly peak: RssSample & { totalKb: number } = { engineKb: 0, nodeKb: 0, otherKb: 0, totalKb: 0 };
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly root: number,
    intervalMs = 100,
  ) {
    this.poll();
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  private poll(): void {
    const s = sampleTree(this.root);
    this.peak.engineKb = Math.max(this.peak.engineKb, s.engineKb);
    this.peak.nodeKb = Math.max(this.peak.nodeKb, s.nodeKb);
    this.peak.otherKb = Math.max(this.peak.otherKb, s.otherKb);
    this.peak.totalKb = Math.max(this.peak.totalKb, s.engineKb + s.nodeKb + s.otherKb);
  }

  stop(): RssSample & { totalKb: number } {
    clearInterval(this.timer);
    return this.peak;
  }
}
