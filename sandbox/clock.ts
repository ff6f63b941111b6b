/**
 * The sandbox clock. It runs with real time from a chosen start (an offset from the system clock),
 * or stands still when frozen; tests move it forward to make tokens expire without waiting.
 * Everything time-dependent in the sandbox reads it: `created_at`, expiry, `active`, list filters,
 * rate-limit windows and the HTTP `Date` header.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface ClockState {
  /** Milliseconds added to the system clock (running clock). */
  offsetMs: number;
  /** ISO time the clock stands at, when frozen. */
  frozenAt?: string;
}

export class Clock {
  private offsetMs = 0;
  private frozenAt: number | undefined;

  constructor(start?: Date | string, frozen = false) {
    // Freeze first: a frozen clock set to `start` stands exactly there (set-then-freeze would let a
    // millisecond or two pass in between).
    if (frozen) this.freeze();
    if (start !== undefined) this.setNow(start);
  }

  now(): Date {
    return new Date(this.frozenAt ?? Date.now() + this.offsetMs);
  }

  setNow(d: Date | string): void {
    const target = toDate(d).getTime();
    if (this.frozenAt !== undefined) this.frozenAt = target;
    else this.offsetMs = target - Date.now();
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new Error(`cannot advance the clock by ${ms} ms`);
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  advanceDays(days: number): void {
    this.advance(days * DAY_MS);
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  /** Stop the clock at its current time. */
  freeze(): void {
    if (this.frozenAt === undefined) this.frozenAt = this.now().getTime();
  }

  /** Let the clock run again from where it stands. */
  unfreeze(): void {
    if (this.frozenAt === undefined) return;
    this.offsetMs = this.frozenAt - Date.now();
    this.frozenAt = undefined;
  }

  /** Today's date in UTC, `YYYY-MM-DD`. */
  today(): string {
    return isoDate(this.now());
  }

  save(): ClockState {
    return this.frozenAt !== undefined
      ? { offsetMs: 0, frozenAt: new Date(this.frozenAt).toISOString() }
      : { offsetMs: this.offsetMs };
  }

  restore(state: ClockState): void {
    this.offsetMs = state.offsetMs;
    this.frozenAt = state.frozenAt !== undefined ? Date.parse(state.frozenAt) : undefined;
  }
}

export function toDate(d: Date | string): Date {
  const date = d instanceof Date ? new Date(d.getTime()) : new Date(d);
  if (Number.isNaN(date.getTime())) throw new Error(`not a valid time: ${String(d)}`);
  return date;
}

/** `YYYY-MM-DD` of a time, in UTC. */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The date `days` after a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  return isoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

/** 00:00:00 UTC on a `YYYY-MM-DD` date, when a token expiring that day stops working. */
export function startOfDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}
