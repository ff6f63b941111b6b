/**
 * The pure rule set of the gitlab-tokens policy pack: a normalised token, adapters from resource
 * properties, one rule per policy, and `evaluate`. No `@pulumi/*` imports: plain Node programs (the
 * merge-request review, the audit) import this module directly.
 */
export * from "./token";
export * from "./adapters";
export * from "./gitlabApi";
export * from "./config";
export * from "./check";
export * from "./evaluate";
export * from "../../components/clock";
export { checkMaxLifetime } from "./maxLifetime";
export { checkLeastPrivilegeScopes, readOnlyAlternatives, statedNeed } from "./leastPrivilegeScopes";
export {
  checkLeastPrivilegePermissions,
  describeGranular,
  describeGranularScope,
  granularNamespaces,
  isKnownAccess,
} from "./leastPrivilegePermissions";
export { checkAccessLevel } from "./accessLevel";
export { checkRotationWindow } from "./rotationWindow";
export { checkOwnership } from "./ownership";
export { checkNoHumanPersonalTokens } from "./noHumanPersonalTokens";
