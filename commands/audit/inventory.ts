/**
 * The audit's machine-readable inventory (`inventory.json`): every listed token with its findings and
 * notices, the targets, the missing declarations and a summary. Names, scopes, dates and findings
 * only: a token's value is never read into the audit, and the credential is not part of it. Pure.
 */
import { summarizeAudit, type AuditSummary } from "./judge";
import type { Audit } from "./model";

/** Bumped when a field changes meaning or goes away. */
export const INVENTORY_VERSION = 1;

export interface Inventory {
  version: typeof INVENTORY_VERSION;
  /** ISO time the audit judged at. */
  now: string;
  gitlab: Audit["gitlab"];
  declarations: string | null;
  policyConfig: string | null;
  settings: Audit["settings"];
  summary: AuditSummary;
  targets: Audit["targets"];
  tokens: Audit["tokens"];
  missing: Audit["missing"];
  configFindings: Audit["configFindings"];
}

export function inventory(audit: Audit): Inventory {
  return {
    version: INVENTORY_VERSION,
    now: audit.now.toISOString(),
    gitlab: audit.gitlab,
    declarations: audit.declarationsPath ?? null,
    policyConfig: audit.policyConfigPath ?? null,
    settings: audit.settings,
    summary: summarizeAudit(audit),
    targets: audit.targets,
    tokens: audit.tokens,
    missing: audit.missing,
    configFindings: audit.configFindings,
  };
}
