/**
 * The audit judges a token by its declared description: the creation marker gitlab-tokens appends
 * is its own bookkeeping, so a token declared without a description still breaks the ownership
 * rule, and the marker tells which live tokens some gitlab-tokens stack made.
 */
import { liveToken } from "../../commands/audit/gitlab";
import type { GitLabToken } from "../../components/gitlab/client";
import { markedDescription } from "../../components/gitlab/marker";

const token = (description: string | null): GitLabToken => ({
  id: 7,
  name: "web-deploy",
  description,
  revoked: false,
  active: true,
  scopes: ["read_api"],
  user_id: 3,
  created_at: "2026-11-25T09:00:00.000Z",
  expires_at: "2027-01-24",
});

it.each([
  [
    "a declared description and the marker",
    markedDescription("Pulls images", "a".repeat(16), "n".repeat(7)),
    "Pulls images",
    true,
  ],
  [
    "only the marker (declared without one)",
    markedDescription("", "b".repeat(16), "m".repeat(7)),
    null,
    true,
  ],
  [
    "a marker written before creation nonces",
    `Pulls images [gitlab-tokens:${"c".repeat(24)}]`,
    "Pulls images",
    true,
  ],
  ["a token made by hand", "Made by hand", "Made by hand", false],
  ["no description at all", null, null, false],
])("reads %s", (_what, description, declared, managed) => {
  expect(liveToken(token(description))).toMatchObject({
    description: declared,
    createdByGitlabTokens: managed,
  });
});
