/**
 * The layers are the folders, and imports run downward (docs/architecture.md):
 *
 *   test/  bench/  drills/  scripts/        development: may import anything below
 *   commands/{review,audit,recover}/         the user commands, each core + cli.ts
 *   commands/shared/                         what the commands share
 *   policies/                                the policy pack and its pure rules
 *   components/                              what runs inside `pulumi up`
 *   sandbox/                                 the test GitLab: imports nothing of ours
 *
 * `npm run check` runs this (npm run lint:layers); a violation names the rule and the import.
 */
const DEV = "^(test|bench|drills|scripts)/";
const pureModules = [
  "^components/clock[.]ts$",
  "^components/types[.]ts$",
  "^components/validation[.]ts$",
  "^components/props[.]ts$",
  "^components/model[.]ts$",
  "^components/kinds/",
  "^components/gitlab/facts[.]ts$",
  "^components/gitlab/marker[.]ts$",
  "^components/providers/access-token-logic[.]ts$",
  "^policies/rules/",
];

/* global module */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes two modules one layer; break it by moving the shared piece down.",
      from: {},
      to: { circular: true, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "sandbox-stands-alone",
      severity: "error",
      comment:
        "The sandbox is GitLab's stand-in, written from the API reference: it imports none of our code.",
      from: { path: "^sandbox/" },
      to: { path: "^(components|policies|commands|scripts|bench|drills|test)/|^index[.]ts$" },
    },
    {
      name: "components-are-the-bottom",
      severity: "error",
      comment: "components/ runs inside `pulumi up`: it imports nothing from the layers above it.",
      from: { path: "^components/" },
      to: { path: "^(policies|commands|sandbox)/|^index[.]ts$|" + DEV },
    },
    {
      name: "policies-below-commands",
      severity: "error",
      comment: "The policy pack imports only components/ below it.",
      from: { path: "^policies/" },
      to: { path: "^(commands|sandbox)/|^index[.]ts$|" + DEV },
    },
    {
      name: "commands-below-development",
      severity: "error",
      comment: "The commands are what users run; development machinery sits above them.",
      from: { path: "^commands/" },
      to: { path: "^sandbox/|^index[.]ts$|" + DEV },
    },
    {
      name: "commands-shared-below-commands",
      severity: "error",
      comment: "commands/shared/ serves the commands; it imports none of them.",
      from: { path: "^commands/shared/" },
      to: { path: "^commands/(review|audit|recover)/" },
    },
    {
      name: "commands-apart",
      severity: "error",
      comment: "One command does not import another: what two share goes to commands/shared/ or below.",
      from: { path: "^commands/(review|audit|recover)/" },
      to: { path: "^commands/(review|audit|recover)/", pathNot: "^commands/$1/" },
    },
    {
      name: "gitlab-client-is-the-floor",
      severity: "error",
      comment: "components/gitlab/ (facts, client, errors) knows nothing of kinds, providers or components.",
      from: { path: "^components/gitlab/" },
      to: { path: "^components/", pathNot: "^components/gitlab/" },
    },
    {
      name: "kinds-below-providers-and-components",
      severity: "error",
      comment:
        "A credential kind's descriptor is data over the GitLab client; providers and components use it.",
      from: { path: "^components/kinds/" },
      to: { path: "^components/(providers|access-tokens|declarations|index)" },
    },
    {
      name: "providers-below-components",
      severity: "error",
      comment:
        "Providers implement resources; the component classes and the program use them, not the reverse.",
      from: { path: "^components/providers/" },
      to: { path: "^components/(access-tokens|declarations|index)[.]ts$" },
    },
    {
      name: "pure-modules-do-no-io",
      severity: "error",
      comment:
        "Rules, facts, validation and the provider's check/diff are pure: the policy pack and the review load them without an HTTP client or the Pulumi runtime. A pure module imports (at run time) only pure modules and zod.",
      from: { path: pureModules },
      to: {
        pathNot: [...pureModules, "^(policies/)?node_modules/zod/"],
        dependencyTypesNot: ["type-only", "core"],
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|test/fixtures)/|node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
