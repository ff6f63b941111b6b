/**
 * The clock every part of the project uses — providers, components, policy pack, review: the real
 * one, or GITLAB_TOKENS_NOW when set. No imports: the policy pack loads this file.
 */

/** Set to an ISO 8601 time to make time-based behaviour testable (the project-wide variable). */
export const NOW_ENV = "GITLAB_TOKENS_NOW";

/** The current time, or the time in GITLAB_TOKENS_NOW; throws on a value that is not a time. */
export function currentTime(env: Readonly<Record<string, string | undefined>> = process.env): Date {
  const value = env[NOW_ENV];
  if (!value) return new Date();
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new Error(
      `${NOW_ENV} is ${JSON.stringify(value)}; set it to an ISO 8601 time such as 2027-01-01T00:00:00Z, or unset it`,
    );
  }
  return d;
}
