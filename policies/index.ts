/**
 * The gitlab-tokens CrossGuard policy pack:
 *   pulumi preview --policy-pack policies [--policy-pack-config policies/config.example.json]
 * This file only assembles the pack; each policy lives in its own file and the rules in ./rules.
 */
import { PolicyPack } from "@pulumi/policy";
import { accessLevel } from "./accessLevel";
import { leastPrivilegePermissions } from "./leastPrivilegePermissions";
import { leastPrivilegeScopes } from "./leastPrivilegeScopes";
import { maxLifetime } from "./maxLifetime";
import { noHumanPersonalTokens } from "./noHumanPersonalTokens";
import { ownership } from "./ownership";
import { rotationWindow } from "./rotationWindow";
import { unjudged } from "./unjudged";

new PolicyPack("gitlab-tokens", {
  description: "Guardrails for GitLab project, group and personal access tokens declared as code.",
  enforcementLevel: "mandatory",
  policies: [
    maxLifetime,
    leastPrivilegeScopes,
    leastPrivilegePermissions,
    accessLevel,
    rotationWindow,
    ownership,
    noHumanPersonalTokens,
    unjudged,
  ],
});
