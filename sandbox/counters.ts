/** Request counters for the GitLab API routes: per "METHOD /api/v4/route/:pattern", and in total. */
export interface CounterSnapshot {
  total: number;
  byRoute: Record<string, number>;
}

export class Counters {
  private total = 0;
  private byRoute = new Map<string, number>();

  count(key: string): void {
    this.total += 1;
    this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
  }

  snapshot(): CounterSnapshot {
    return { total: this.total, byRoute: Object.fromEntries([...this.byRoute.entries()].sort()) };
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
  }
}
