export * from "./access-tokens";
export {
  loadDeclarations,
  parseDeclarations,
  DeclarationsError,
  type TokenDeclaration,
} from "./declarations";
export { AccessTokenResource } from "./providers/access-token";
export { CiVariableResource } from "./providers/ci-variable";
export * from "./types";
export { declareTokens, DEFAULT_DECLARATIONS, type DeclaredTokenSummary } from "./program";
