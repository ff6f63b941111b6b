/** Request counters for the GitLab API routes: per "METHOD /api/v4/route/:pattern", and in total. */
export interface CounterSnapshot {
  total: number;
  byRoute: Record<string, number>;
}

/** Told of every API request as it arrives, before it is handled: its number since the last reset. */
export type RequestListener = (n: number, route: string) => void;

export class Counters {
  private total = 0;
  private byRoute = new Map<string, number>();
  private readonly listeners = new Set<RequestListener>();

  count(key: string): void {
    this.total += 1;
    this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
    for (const l of this.listeners) l(this.total, key);
  }

  /** Adds a listener; returns the function that removes it. */
  listen(listener: RequestListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): CounterSnapshot {
    return { total: this.total, byRoute: Object.fromEntries([...this.byRoute.entries()].sort()) };
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
  }
}
