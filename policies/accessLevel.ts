import {
  CONFIGURABLE_ACCESS_LEVELS,
  DEFAULT_JUSTIFY_FROM_ACCESS_LEVEL,
  DEFAULT_MAX_ACCESS_LEVEL,
  DEFAULT_MIN_JUSTIFICATION_LENGTH,
  POLICY_IDS,
} from "./rules";
import { exceptionsSchema, tokenMapSchema, tokenPolicy } from "./tokenPolicy";

/** No Owner-level project or group tokens; Maintainer only with a justification. */
export const accessLevel = tokenPolicy(POLICY_IDS.accessLevel, {
  description:
    "Checks that project and group tokens are never Owner-level, and Maintainer-level only with a justification (an unset level counts as GitLab's default, Maintainer).",
  displayName: "GitLab tokens have no Owner and only justified Maintainer access",
  severity: "high",
  remediationSteps:
    "Set accessLevel to the lowest level the job needs (reporter to read, developer to push); justify maintainer.",
  configSchema: {
    properties: {
      maxAccessLevel: {
        type: "string",
        enum: [...CONFIGURABLE_ACCESS_LEVELS],
        default: DEFAULT_MAX_ACCESS_LEVEL,
        description: "The highest access level allowed (owner is never allowed).",
      },
      justifyFromAccessLevel: {
        type: "string",
        enum: [...CONFIGURABLE_ACCESS_LEVELS],
        default: DEFAULT_JUSTIFY_FROM_ACCESS_LEVEL,
        description: "Access levels from this one up need a justification.",
      },
      minJustificationLength: {
        type: "integer",
        minimum: 1,
        default: DEFAULT_MIN_JUSTIFICATION_LENGTH,
        description: "A shorter justification counts as missing.",
      },
      justifications: tokenMapSchema(
        "Justifications for the access level, keyed by token (for official-provider tokens, which have no justification field).",
      ),
      exceptions: exceptionsSchema,
    },
  },
});
