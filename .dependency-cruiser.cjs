/**
 * The layers are the folders, and imports run downward (docs/architecture.md):
 *
 *   bin/                                     the installed package's command line
 *   test/  bench/  drills/  scripts/        development: may import anything below
 *   commands/{review,audit,recover,revoke,credential}/  the user commands, each core + cli.ts
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
  "^components/gitlab/permissions[.]ts$",
  "^components/gitlab/marker[.]ts$",
  "^components/providers/access-token-logic[.]ts$",
  "^policies/rules/",
];

/** A layering rule: modules under `from` may not import `to` (an error, with why). */
const layer = (name, comment, from, to) => ({ name, severity: "error", comment, from, to });

/* global module */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    layer(
      "no-circular",
      "A cycle makes two modules one layer; break it by moving the shared piece down.",
      {},
      { circular: true, dependencyTypesNot: ["type-only"] },
    ),
    layer(
      "bin-is-the-top",
      "bin/ is the installed package's command line over the commands and the sandbox; only tests import it.",
      { pathNot: "^(bin|test)/" },
      { path: "^bin/" },
    ),
    layer(
      "sandbox-stands-alone",
      "The sandbox is GitLab's stand-in, written from the API reference: it imports none of our code.",
      { path: "^sandbox/" },
      { path: "^(components|policies|commands|scripts|bench|drills|test)/|^index[.]ts$" },
    ),
    layer(
      "components-are-the-bottom",
      "components/ runs inside `pulumi up`: it imports nothing from the layers above it.",
      { path: "^components/" },
      { path: "^(policies|commands|sandbox)/|^index[.]ts$|" + DEV },
    ),
    layer(
      "policies-below-commands",
      "The policy pack imports only components/ below it.",
      { path: "^policies/" },
      { path: "^(commands|sandbox)/|^index[.]ts$|" + DEV },
    ),
    layer(
      "commands-below-development",
      "The commands are what users run; development machinery sits above them.",
      { path: "^commands/" },
      { path: "^sandbox/|^index[.]ts$|" + DEV },
    ),
    layer(
      "commands-shared-below-commands",
      "commands/shared/ serves the commands; it imports none of them.",
      { path: "^commands/shared/" },
      { path: "^commands/(review|audit|recover|revoke|credential)/" },
    ),
    layer(
      "commands-apart",
      "One command does not import another: what two share goes to commands/shared/ or below.",
      { path: "^commands/(review|audit|recover|revoke|credential)/" },
      { path: "^commands/(review|audit|recover|revoke|credential)/", pathNot: "^commands/$1/" },
    ),
    layer(
      "gitlab-client-is-the-floor",
      "components/gitlab/ (facts, client, errors) knows nothing of kinds, providers or components.",
      { path: "^components/gitlab/" },
      { path: "^components/", pathNot: "^components/gitlab/" },
    ),
    layer(
      "kinds-below-providers-and-components",
      "A credential kind's descriptor is data over the GitLab client; providers and components use it.",
      { path: "^components/kinds/" },
      { path: "^components/(providers|access-tokens|declarations|index)" },
    ),
    layer(
      "providers-below-components",
      "Providers implement resources; the component classes and the program use them, not the reverse.",
      { path: "^components/providers/" },
      { path: "^components/(access-tokens|declarations|index)[.]ts$" },
    ),
    layer(
      "pure-modules-do-no-io",
      "Rules, facts, validation and the provider's check/diff are pure: the policy pack and the review load them without an HTTP client or the Pulumi runtime. A pure module imports (at run time) only pure modules and zod.",
      { path: pureModules },
      {
        pathNot: [...pureModules, "^(policies/)?node_modules/zod/"],
        dependencyTypesNot: ["type-only", "core"],
      },
    ),
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
