/**
 * The merge-request review: what a change to the declarations does to the tokens (against the
 * current stack's state) and what the policy pack says about it, as a Markdown report and a GitLab
 * Code Quality report. `commands/review/cli.ts` is the command (`npm run review`); this is its pure core.
 * It decides nothing itself: `tokenProps` and the provider's `check`/`diff` say what `pulumi up`
 * does, the pack's rules (`policies/rules`) say what breaks a policy.
 */
export {
  DECLARATIONS_CHECK,
  PROVIDER_CHECK,
  accessLevelChange,
  componentArgs,
  declarationsFromFile,
  declarationsFromText,
  deliveryTargets,
  granularChange,
  granularText,
  identityWarning,
  isBlocking,
  projectedExpiry,
  reviewDeclarations,
  scopeChange,
  summarize,
  type AccessLevelChange,
  type ChangeKind,
  type ChangeReason,
  type DeclarationsInput,
  type FindingLocation,
  type GranularChange,
  type IdentityWarning,
  type Review,
  type ReviewFinding,
  type ReviewInput,
  type ReviewSummary,
  type ScopeChange,
  type TokenChange,
  type TokenRow,
} from "./plan";
export { ReviewInputError, readStateExport, redactOutputs, type StateToken, type StoredToken } from "./state";
export { fieldLines, type FieldLineLookup } from "./lines";
export { renderMarkdown, changeLine, findingLine, identityLine, rowCells } from "./markdown";
export { mermaidGantt, mermaidText, timelineSections, type GanttSection, type GanttTask } from "./timeline";
export {
  CODE_QUALITY_SEVERITIES,
  codeQualityReport,
  codeQualitySeverity,
  fingerprint,
  type CodeQualityIssue,
  type CodeQualitySeverity,
} from "./code-quality";
export { repoPath } from "../shared/inputs";
