/**
 * The audit: the access tokens that already live in GitLab, held against the declarations and the
 * policy pack's rules. `commands/audit/cli.ts` is the command (`npm run audit`); this is its core. GitLab
 * is asked through the project's client (`collectTargets`); everything after that is pure
 * (`auditTokens`, `renderAuditMarkdown`, `inventory`).
 */
export * from "./model";
export { auditTargets, targetKindOf } from "./scope";
export { credentialUser, liveToken, type AuditConnection, type AuditGitLab } from "./gitlab";
export { GitLabUnreachableError, collectTargets } from "./collect";
export { auditTokens, declaresTarget, summarizeAudit, type AuditInput, type AuditSummary } from "./judge";
export { auditFindingLabel, renderAuditMarkdown, tokenCells } from "./markdown";
export { INVENTORY_VERSION, inventory, type Inventory } from "./inventory";
