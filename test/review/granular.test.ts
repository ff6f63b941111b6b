/**
 * Fine-grained personal tokens in the review: the token table shows their permissions grouped by
 * granular scope (access and namespaces, writes named), a change of permissions says what was added
 * and removed (and `pulumi up` replaces the token), and the new permissions policy judges them.
 */
import {
  declarationsFromText,
  granularChange,
  readStateExport,
  renderMarkdown,
  reviewDeclarations,
  rowCells,
  type Review,
} from "../../commands/review";

import { ACCESS_TOKEN_TYPE } from "../../components/types";
import { NOW } from "./helpers";

const declarations = (granular: string) => `tokens:
  release-bot:
    kind: personal
    user: release-bot
    serviceAccount: true
    granular:
${granular}
    lifetimeDays: 60
    rotateBeforeDays: 14
    description: Creates releases of acme/web from the release pipeline
    justification: Creates releases of acme/web from the release pipeline
    owner: team-release
`;

const READ_ONLY = `      - access: selected_memberships
        projects: [acme/web]
        groups: [acme]
        permissions: [read_job, read_release]`;
const WITH_RELEASE = `      - access: selected_memberships
        projects: [acme/web]
        groups: [acme]
        permissions: [read_job, create_release]`;

/** A state export holding release-bot as `pulumi up` recorded it with `granular`. */
function stateWith(granular: unknown[]): string {
  const outputs = {
    kind: "personal",
    key: "release-bot",
    target: "release-bot",
    name: "release-bot",
    description: "Creates releases of acme/web from the release pipeline",
    scopes: [],
    granular,
    lifetimeDays: 60,
    rotateBeforeDays: 14,
    rotateWhenChanged: {},
    rotationEpoch: "",
    owner: "team-release",
    justification: "Creates releases of acme/web from the release pipeline",
    serviceAccount: true,
    tokenId: 7,
    expiresAt: "2026-10-10",
    active: true,
    createdAt: "2026-08-11T09:00:00.000Z",
  };
  return JSON.stringify({
    version: 3,
    deployment: {
      resources: [
        {
          urn: `urn:pulumi:review::gitlab-tokens::gitlab-tokens:index:PersonalAccessToken$${ACCESS_TOKEN_TYPE}::release-bot`,
          type: ACCESS_TOKEN_TYPE,
          outputs,
        },
      ],
    },
  });
}

const review = (yaml: string, state?: unknown[]): Review =>
  reviewDeclarations({
    declarations: declarationsFromText(yaml, "tokens.yaml", NOW),
    ...(state
      ? { state: { label: "stack `review`", tokens: readStateExport(stateWith(state), "review") } }
      : {}),
    now: NOW,
  });

describe("a fine-grained token in the review", () => {
  it("has its granular scopes in the token table, with the writes named", () => {
    const r = review(declarations(WITH_RELEASE));
    expect(r.declarationsLoaded).toBe(true);
    const [row] = r.rows;
    expect(row?.scopes).toEqual([]);
    expect(row?.granular).toEqual([
      {
        access: "selected_memberships",
        permissions: ["read_job", "create_release"],
        projects: ["acme/web"],
        groups: ["acme"],
      },
    ]);
    expect(row && rowCells(row)[3]).toBe(
      "fine-grained: selected_memberships (acme/web, group acme): read_job, create_release (writes: create_release)",
    );
    expect(renderMarkdown(r)).toContain(
      "fine-grained: selected_memberships (acme/web, group acme): read_job, create_release (writes: create_release)",
    );
  });

  it("lists several scopes one after another", () => {
    const r = review(
      declarations(`      - access: personal_projects
        permissions: [read_job]
      - access: user
        permissions: [read_user]`),
    );
    expect(r.rows[0] && rowCells(r.rows[0])[3]).toBe(
      "fine-grained: personal_projects: read_job; user: read_user",
    );
  });

  it("keeps the scopes column of a token with scopes as it was", () => {
    const yaml = `tokens:
  reader:
    kind: project
    project: acme/web
    scopes: [read_repository]
    accessLevel: reporter
    description: Clones the repository for the build
    owner: team-web
`;
    const r = review(yaml);
    expect(r.rows[0]?.granular).toBeUndefined();
    expect(r.rows[0] && rowCells(r.rows[0])[3]).toBe("read_repository");
  });

  it("says which permissions a change adds and removes, and that pulumi up replaces the token", () => {
    const r = review(declarations(WITH_RELEASE), [
      {
        access: "selected_memberships",
        projects: ["acme/web"],
        groups: ["acme"],
        permissions: ["read_job", "read_release"],
      },
    ]);
    const [change] = r.changes;
    expect(change?.kind).toBe("rotate");
    expect(change?.granular).toEqual({
      added: ["create_release on selected_memberships (acme/web, group acme)"],
      removed: ["read_release on selected_memberships (acme/web, group acme)"],
      direction: "changed",
    });
    expect(change?.reasons.map((x) => x.text)).toContain(
      "granular permissions changed (+create_release on selected_memberships (acme/web, group acme), −read_release on selected_memberships (acme/web, group acme))",
    );
    expect(renderMarkdown(r)).toContain(
      "- **rotated** `release-bot` — granular permissions changed (+create_release on selected_memberships (acme/web, group acme), −read_release on selected_memberships (acme/web, group acme))",
    );
  });

  it("leaves an unchanged fine-grained token unchanged", () => {
    const r = review(declarations(READ_ONLY), [
      {
        access: "selected_memberships",
        projects: ["acme/web"],
        groups: ["acme"],
        permissions: ["read_job", "read_release"],
      },
    ]);
    expect(r.changes[0]?.kind).toBe("unchanged");
    expect(r.changes[0]?.granular).toBeUndefined();
  });

  it("judges it by gitlab-token-least-privilege-permissions, not by its empty scopes", () => {
    const r = review(declarations(WITH_RELEASE).replace(/ {4}justification: .*\n/, ""));
    const policy = r.findings.filter((f) => f.source === "policy").map((f) => `${f.check}:${f.code}`);
    expect(policy).toEqual(["gitlab-token-least-privilege-permissions:unjustified-write-permission"]);
    // The finding points at the token's granular: line.
    const yaml = declarations(WITH_RELEASE).replace(/ {4}justification: .*\n/, "");
    const granularLine = yaml.split("\n").findIndex((l) => l === "    granular:") + 1;
    expect(r.findings.find((f) => f.source === "policy")?.location.line).toBe(granularLine);
    const justified = review(declarations(WITH_RELEASE));
    expect(justified.findings).toEqual([]);
  });
});

describe("granularChange", () => {
  const web = { access: "selected_memberships", permissions: ["read_job"], projects: ["acme/web"] };
  it("is widened, narrowed or changed by the permissions on each scope", () => {
    expect(granularChange([web], [web])).toBeUndefined();
    expect(granularChange([web], [{ ...web, permissions: ["read_job", "update_job"] }])).toEqual({
      added: ["update_job on selected_memberships (acme/web)"],
      removed: [],
      direction: "widened",
    });
    expect(granularChange([web], [])?.direction).toBe("narrowed");
    // Another namespace: the permissions move from one scope to another.
    expect(granularChange([web], [{ ...web, projects: ["acme/api"] }])).toEqual({
      added: ["read_job on selected_memberships (acme/api)"],
      removed: ["read_job on selected_memberships (acme/web)"],
      direction: "changed",
    });
  });
});
