/**
 * GitLab's own Go client (gitlab.com/gitlab-org/api/client-go) and python-gitlab see GitLab's
 * behaviour on the sandbox (issue 19's "Done when"): each runs the scenarios below against a
 * sandbox of its own, used as their users use them, and reports what it parsed — structs, typed
 * errors, status codes, pagination — which must be what GitLab answers, as that client shows it.
 *
 * Expected values come from GitLab's source (../shared/reference/gitlab-token-api.md, which cites
 * lib/api/*.rb and the EE service-account API), not from the sandbox. How each client renders an
 * error body is its own code: client-go `CheckResponse`/`parseError` (gitlab.go: the ErrNotFound
 * sentinel for every 404, its body dropped; other bodies flattened to "{key: value}" sorted by key)
 * and python-gitlab 3.12 `http_request` (client.py: the body's "message", else its "error"; 401 is
 * GitlabAuthenticationError, the typed managers' own class otherwise, GitlabHttpError from gl.http_*).
 *
 * Adding a scenario: one function in go/scenarios.go, one in python/conformance.py, one row in
 * SCENARIOS (docs/conformance.md, "Adding a scenario").
 */
import {
  CLIENTS,
  type ClientName,
  FILTER_PIVOT,
  NOW,
  type ClientRun,
  type ClientSandbox,
  PAGED_TOKENS,
  buildGoHarness,
  clientCommand,
  dateAfter,
  findPython,
  runClient,
  startClientSandbox,
} from "./harness";

/** A scenario: its name (the Go and Python functions'), its inputs, what GitLab answers. */
interface Scenario {
  name: string;
  inputs: (users: Record<string, number>) => Record<string, unknown>;
  /** What the client must report (python-gitlab also reports its warnings: expected none). */
  expected: (client: ClientName, users: Record<string, number>) => Record<string, unknown>;
}

/** Which python-gitlab call made a failing request: a typed manager's (its own class) or gl.http_*. */
type PyCall = "GitlabCreateError" | "GitlabGetError" | "GitlabDeleteError" | "GitlabListError" | "http";

/** GitLab's error `body` with `status`, as the client reports it. */
function apiError(client: ClientName, status: number, body: Record<string, unknown>, py: PyCall) {
  if (client === "go") {
    if (status === 404) return { status, type: "ErrNotFound" };
    return { status, type: "ErrorResponse", message: goParseError(body) };
  }
  const type = status === 401 ? "GitlabAuthenticationError" : py === "http" ? "GitlabHttpError" : py;
  return { status, type, message: body.message ?? body.error };
}

/** client-go's parseError (gitlab.go): strings as they are, maps as "{k: v}" sorted, arrays "[a, b]". */
function goParseError(raw: unknown): string {
  if (typeof raw === "string") return raw;
  if (Array.isArray(raw)) return `[${raw.map(goParseError).join(", ")}]`;
  return Object.entries(raw as Record<string, unknown>)
    .map(([k, v]) => `{${k}: ${goParseError(v)}}`)
    .sort()
    .join(", ");
}

const REVOKED_BODY = {
  error: "invalid_token",
  error_description: "Token was revoked. You have to re-authorize from the user.",
};
const HARNESS = "made by the conformance harness";
const SHAPE = "glpat-<20>"; // what the harnesses report for a value of GitLab's token format

function token(fields: Record<string, unknown>) {
  return { description: HARNESS, active: true, revoked: false, has_created_at: true, token: null, ...fields };
}

/** Project and group access tokens: the same API under /projects/:id and /groups/:id. */
function resourceTokens(source: "project" | "group"): Scenario["expected"] {
  const scopes = ["read_api", "read_repository"];
  const resource = (f: Record<string, unknown>) =>
    token({ name: "conformance", scopes, access_level: 30, bot_user: true, ...f });
  const unknown = { message: `404 ${source} Access Token Not Found` };
  return (client) => ({
    created: resource({ expires_at: dateAfter(30), token: SHAPE }),
    got: resource({ expires_at: dateAfter(30) }),
    rotated: resource({ expires_at: dateAfter(60), token: SHAPE }),
    rotated_is_new_id: true,
    old_after_rotate: { active: false, revoked: true },
    new_value_self_is_rotated: true,
    old_value_self: apiError(client, 401, REVOKED_BODY, "http"),
    list_active: ["conformance"],
    // Revoked tokens stay listed: `inactive` = revoked or expired.
    list_inactive: ["conformance"],
    revoke_status: 204,
    after_revoke: { active: false, revoked: true },
    // Defaults: Maintainer, today + 365 days (ResourceAccessTokens::CreateService); a rotation
    // without expires_at: today + 7 days (PersonalAccessTokens::RotateService EXPIRATION_PERIOD).
    created_with_defaults: { access_level: 40, expires_at: dateAfter(365) },
    rotated_default_expiry: dateAfter(7),
    rotate_revoked: apiError(client, 400, { message: "400 Bad request - Token already revoked" }, "http"),
    // read_resource_access_tokens is Maintainer+ (projects) or Owner (groups); without it: 401.
    list_as_developer: apiError(client, 401, { message: "401 Unauthorized" }, "GitlabListError"),
    create_bad_level: apiError(
      client,
      400,
      { error: "access_level does not have a valid value" },
      "GitlabCreateError",
    ),
    get_unknown: apiError(client, 404, unknown, "http"),
    revoke_unknown: apiError(client, 404, unknown, "GitlabDeleteError"),
    // read_user is not a resource bot scope: Grape's values check.
    create_bad_scope: apiError(
      client,
      400,
      { error: "scopes does not have a valid value" },
      "GitlabCreateError",
    ),
    create_too_long: apiError(
      client,
      400,
      { message: `400 Bad request - Expiration date must be before ${dateAfter(365)}` },
      "GitlabCreateError",
    ),
  });
}

const VARIABLE = {
  variable_type: "env_var",
  raw: false,
  environment_scope: "*",
};

const SCENARIOS: Scenario[] = [
  {
    name: "project-access-tokens",
    inputs: () => ({ project: "acme/web" }),
    expected: resourceTokens("project"),
  },
  {
    name: "group-access-tokens",
    inputs: () => ({ group: "acme" }),
    expected: resourceTokens("group"),
  },
  {
    name: "project-token-levels",
    inputs: () => ({ project: "acme/web" }),
    // ResourceAccessTokens::CreateService: an Owner-level project token needs an Owner;
    // ProjectAccessTokens::RotateService: no rotating a token above your own level.
    expected: (client) => ({
      maintainer_creates_owner_level: apiError(
        client,
        400,
        { message: "400 Bad request - Could not provision owner access to project access token" },
        "GitlabCreateError",
      ),
      maintainer_creates_own_level: 40,
      admin_creates_owner_level: 50,
      maintainer_rotates_owner_level: apiError(
        client,
        400,
        { message: "400 Bad request - Not eligible to rotate token with access level higher than the user" },
        "http",
      ),
      maintainer_rotates_own_level: 40,
      maintainer_revoke_status: 204,
    }),
  },
  {
    name: "personal-access-tokens",
    inputs: (users) => ({ user_id: users.dev, other_user_id: users.owner }),
    expected: (client, users) => {
      const pat = (f: Record<string, unknown>) =>
        token({ name: "conformance-pat", scopes: ["read_api", "self_rotate"], ...f });
      return {
        created: pat({ expires_at: dateAfter(20), token: SHAPE }),
        created_user_id: users.dev,
        got: pat({ expires_at: dateAfter(20) }),
        self_is_created: true,
        self_rotated: pat({ expires_at: dateAfter(10), token: SHAPE }),
        old_value_self: apiError(client, 401, REVOKED_BODY, "http"),
        rotated_by_admin: pat({ expires_at: dateAfter(15), token: SHAPE }),
        list_user_not_revoked: ["conformance-developer", "conformance-pat"],
        revoke_status: 204,
        // Revoking an already revoked token: 204 (`revoke!` is true when already revoked).
        revoke_again: { error: null },
        // An admin asking for an unknown id: not_found! (lib/api/personal_access_tokens.rb); revoking
        // one: `find` raises RecordNotFound, "404 Not found" (lowercase).
        get_unknown: apiError(client, 404, { message: "404 Not Found" }, "http"),
        revoke_unknown: apiError(client, 404, { message: "404 Not found" }, "GitlabDeleteError"),
        create_bad_scope: apiError(
          client,
          400,
          { error: "scopes does not have a valid value" },
          "GitlabCreateError",
        ),
        // The create service's model error: 422 render_api_error! (lib/api/users.rb).
        create_blank_name: apiError(client, 422, { message: "Name can't be blank" }, "GitlabCreateError"),
        // Beyond the instance's maximum (365 days): the create service's 422, no "400 Bad request" prefix.
        create_too_long: apiError(
          client,
          422,
          { message: `Expiration date must be before ${dateAfter(365)}` },
          "GitlabCreateError",
        ),
        unknown_credential: apiError(client, 401, { message: "401 Unauthorized" }, "http"),
        // Not an admin: 401 for a token that is not yours, and for another user's list.
        non_admin_get_unknown: apiError(client, 401, { message: "401 Unauthorized" }, "http"),
        non_admin_list_other_user: apiError(client, 401, { message: "401 Unauthorized" }, "GitlabListError"),
        self_rotated_default_expiry: dateAfter(7),
        // Reuse detection: a revoked value on a rotate path revokes its family (lib/gitlab/auth/auth_finders.rb).
        reuse_rotate: apiError(client, 401, REVOKED_BODY, "http"),
        newest_after_reuse: { active: false, revoked: true },
      };
    },
  },
  {
    name: "group-service-accounts",
    inputs: () => ({ group: "acme", username: "conformance-bot" }),
    expected: (client) => {
      const sa = (f: Record<string, unknown>) =>
        token({ name: "conformance-sa", description: "", scopes: ["read_repository"], token: SHAPE, ...f });
      return {
        account: { name: "Conformance bot", username: "conformance-bot", has_email: true, has_id: true },
        // The e-mail address is generated, not made from the username: only the username is taken
        // (ee/app/services/users/service_accounts/create_service.rb).
        create_taken_username: apiError(
          client,
          400,
          { message: "400 Bad request - Username has already been taken" },
          "http",
        ),
        generated_username: true,
        accounts: 2,
        accounts_newest_first: true,
        token: sa({ expires_at: dateAfter(30) }),
        token_user_is_account: true,
        rotated: sa({ expires_at: dateAfter(45) }),
        revoked_tokens: 1,
        created_after_yesterday: 2,
        revoke_status: 204,
        revoke_unknown: apiError(client, 404, { message: "404 Personal Access Token Not Found" }, "http"),
        token_of_unknown_account: apiError(client, 404, { message: "404 User Not Found" }, "http"),
        create_too_long: apiError(
          client,
          422,
          { message: `Expiration date must be before ${dateAfter(365)}` },
          "http",
        ),
        list_as_non_owner: apiError(client, 403, { message: "403 Forbidden" }, "http"),
        delete_status: 204,
      };
    },
  },
  {
    name: "project-variables",
    inputs: () => ({ project: "acme/web", value: "conformance-value-1", new_value: "conformance-value-2" }),
    expected: (client) => {
      const description = "delivered by the conformance harness";
      const hidden = {
        ...VARIABLE,
        key: "CONFORMANCE_HIDDEN",
        // A hidden variable's value is never shown (null, which both clients read as empty).
        value: "",
        protected: false,
        masked: true,
        hidden: true,
        description: "",
      };
      return {
        created: {
          ...VARIABLE,
          key: "CONFORMANCE_TOKEN",
          value: "conformance-value-1",
          protected: true,
          masked: true,
          hidden: false,
          description,
        },
        updated: {
          ...VARIABLE,
          key: "CONFORMANCE_TOKEN",
          value: "conformance-value-2",
          protected: false,
          masked: true,
          hidden: false,
          description,
        },
        // render_validation_error!: the model's errors by attribute.
        create_taken: apiError(
          client,
          400,
          { message: { key: ["(CONFORMANCE_TOKEN) has already been taken"] } },
          "GitlabCreateError",
        ),
        created_hidden: hidden,
        got_hidden: hidden,
        create_unmaskable: apiError(client, 400, { message: { value: ["is invalid"] } }, "GitlabCreateError"),
        keys: ["CONFORMANCE_HIDDEN", "CONFORMANCE_TOKEN"],
        // find_variable (lib/api/ci/variables.rb): several matches without a filter is a conflict.
        get_ambiguous: apiError(
          client,
          409,
          {
            message:
              "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'",
          },
          "GitlabGetError",
        ),
        get_filtered_scope: "production",
        delete_filtered_status: 204,
        left_scope: "production",
        delete_status: 204,
        get_deleted: apiError(client, 404, { message: "404 Variable Not Found" }, "GitlabGetError"),
        delete_deleted: apiError(client, 404, { message: "404 Variable Not Found" }, "GitlabDeleteError"),
      };
    },
  },
  {
    name: "group-variables",
    inputs: () => ({ group: "acme", value: "conformance-value-1", new_value: "conformance-value-2" }),
    expected: (client) => {
      const variable = {
        ...VARIABLE,
        key: "CONFORMANCE_GROUP_TOKEN",
        masked: true,
        hidden: false,
        raw: true,
        environment_scope: "production",
        description: "delivered by the conformance harness",
      };
      const updated = { ...variable, value: "conformance-value-2", protected: false };
      return {
        created: { ...variable, value: "conformance-value-1", protected: true },
        updated,
        // The uniqueness is per key and environment scope.
        create_taken: apiError(
          client,
          400,
          { message: { key: ["(CONFORMANCE_GROUP_TOKEN) has already been taken"] } },
          "GitlabCreateError",
        ),
        get_ambiguous: apiError(
          client,
          409,
          {
            message:
              "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'",
          },
          "GitlabGetError",
        ),
        got_production: updated,
        // Group variables need Owner (admin_cicd_variables): authorize! gives 403.
        list_as_developer: apiError(client, 403, { message: "403 Forbidden" }, "GitlabListError"),
        delete_status: 204,
        left_scope: "*",
        get_deleted: apiError(client, 404, { message: "404 GroupVariable Not Found" }, "GitlabGetError"),
      };
    },
  },
  {
    name: "pagination",
    inputs: (users) => ({ user_id: users.pager, per_page: 3 }),
    expected: (client) => {
      const page = (current: number, items: number, prev: number, next: number, rels: string[]) => ({
        items,
        total_items: PAGED_TOKENS,
        total_pages: 3,
        items_per_page: 3,
        current_page: current,
        next_page: next,
        previous_page: prev,
        link_rels: rels,
      });
      const all = Array.from({ length: PAGED_TOKENS }, (_, i) => `paged-${i + 1}`);
      return {
        page_1: page(1, 3, 0, 2, ["next", "first", "last"]),
        page_2: page(2, 3, 1, 3, ["prev", "next", "first", "last"]),
        last_page: page(3, 1, 2, 0, ["prev", "first", "last"]),
        // Both follow the Link header's rel="next" URL from page to page.
        scan_names: all,
        ...(client === "go" ? { collect_n: 4 } : { get_all: PAGED_TOKENS }),
      };
    },
  },
  {
    name: "token-filters",
    inputs: (users) => ({ user_id: users.auditor, pivot: FILTER_PIVOT, search: "beta" }),
    // The seed's alpha (expires before the pivot), beta (on it), gamma (after), old-beta (on it,
    // revoked). expires_before is strict, expires_after inclusive; ties sort by id.
    expected: (client) => ({
      expires_before: ["alpha"],
      expires_after: ["beta", "gamma", "old-beta"],
      search: ["beta", "old-beta"],
      sort_name_desc: ["old-beta", "gamma", "beta", "alpha"],
      sort_expires_asc: ["alpha", "beta", "old-beta", "gamma"],
      state_inactive: ["old-beta"],
      revoked: ["old-beta"],
      // A date on a DateTime parameter: midnight UTC.
      created_after_yesterday: ["alpha", "beta", "gamma", "old-beta"],
      created_before_yesterday: [],
      bad_sort: apiError(client, 400, { error: "sort does not have a valid value" }, "GitlabListError"),
    }),
  },
  {
    name: "pipeline-triggers",
    inputs: () => ({ project: "acme/web" }),
    // lib/api/ci/triggers.rb with lib/api/entities/trigger.rb (TriggerPresenter): the value in full
    // for its owner, four characters for anyone else; Maintainer to list (admin_build), 403 otherwise;
    // `triggers.find`: ActiveRecord's "404 Not found". client-go v1.46 has no expires_at (sent with
    // its NewRequest/Do); python-gitlab's create passes it on.
    expected: (client) => {
      const trigger = {
        description: "from the Go client",
        token: "glptt-<40 hex>",
        created_at: NOW.slice(0, 19),
        owner: "root",
      };
      return {
        created: trigger,
        ...(client === "go" ? { create_status: 201 } : {}),
        owner_is_admin: true,
        created_expiring: { description: "expiring", expires_at: dateAfter(30) },
        got_expiring_expires_at: dateAfter(30),
        // app/models/ci/trigger.rb expires_at_before_instance_max_expiry_date, through bad_request!.
        create_too_long: apiError(
          client,
          400,
          { message: `400 Bad request - Expires at must be before ${dateAfter(365)}` },
          "GitlabCreateError",
        ),
        create_without_description: apiError(client, 400, { error: "description is missing" }, "http"),
        got: trigger,
        got_same_value: true,
        got_by_other_user: "<4 characters>",
        edited_description: "edited",
        listed: ["edited", "expiring"],
        list_as_developer: apiError(client, 403, { message: "403 Forbidden" }, "GitlabListError"),
        delete_status: 204,
        get_deleted: apiError(client, 404, { message: "404 Not found" }, "GitlabGetError"),
        delete_deleted: apiError(client, 404, { message: "404 Not found" }, "GitlabDeleteError"),
      };
    },
  },
  {
    name: "deploy-tokens",
    inputs: () => ({ project: "acme/web", group: "acme" }),
    // lib/api/deploy_tokens.rb, lib/api/entities/deploy_token.rb, app/models/deploy_token.rb: the
    // default username `gitlab+deploy-token-<id>`, no expiry unless given, `expired` = expires_at
    // before today; Grape's scope check (400 {"error"}); `deploy_tokens.find` → "404 Not found";
    // DELETE destroys the row. client-go v1.46's list options have no `active`.
    expected: (client) => {
      const lifecycle = {
        created: {
          name: "conformance-deploy",
          username: "conformance-deployer",
          scopes: ["read_repository", "read_registry"],
          expires_at: dateAfter(30),
          revoked: false,
          expired: false,
          token: "gldt-<20>",
        },
        ...(client === "go" ? { create_status: 201 } : {}),
        created_plain: {
          name: "plain",
          username: expect.stringMatching(/^gitlab\+deploy-token-\d+$/),
          scopes: ["read_repository"],
          expires_at: null,
          revoked: false,
          expired: false,
          token: "gldt-<20>",
        },
        default_username: true,
        created_expired: { expired: true, expires_at: dateAfter(-1) },
        got: {
          name: "conformance-deploy",
          username: "conformance-deployer",
          scopes: ["read_repository", "read_registry"],
          expires_at: dateAfter(30),
          revoked: false,
          expired: false,
          token: null,
        },
        listed: ["conformance-deploy", "plain", "expired"],
        ...(client === "python" ? { listed_active: ["conformance-deploy", "plain"] } : {}),
        create_bad_scope: apiError(
          client,
          400,
          { error: "scopes does not have a valid value" },
          "GitlabCreateError",
        ),
        delete_status: 204,
        get_deleted: apiError(client, 404, { message: "404 Not found" }, "GitlabGetError"),
        delete_deleted: apiError(client, 404, { message: "404 Not found" }, "GitlabDeleteError"),
      };
      return {
        project: lifecycle,
        group: lifecycle,
        // read_deploy_token is Maintainer+; GET /deploy_tokens is authenticated_as_admin!.
        list_as_developer: apiError(client, 403, { message: "403 Forbidden" }, "GitlabListError"),
        all_after_delete: 0,
        list_all_as_non_admin: apiError(client, 403, { message: "403 Forbidden" }, "GitlabListError"),
      };
    },
  },
  {
    name: "project-service-accounts",
    inputs: () => ({ project: "acme/web" }),
    // ee/lib/api/project_service_accounts.rb (a project's Maintainer): the group routes' shapes under
    // /projects/:id; `not_found!` while allow_projects_to_create_service_accounts is off. Neither
    // client has calls for them (client-go's NewRequest/Do, python-gitlab's gl.http_*).
    expected: (client) => {
      const pat = (f: Record<string, unknown>) =>
        token({ name: "conformance-psa", description: "", scopes: ["read_api"], token: SHAPE, ...f });
      return {
        ...(client === "go" ? { create_status: 201 } : {}),
        account: { name: "Project bot", generated_username: true, has_email: true },
        accounts: 1,
        token: pat({ expires_at: dateAfter(30) }),
        token_user_is_account: true,
        tokens: 1,
        rotated: pat({ expires_at: dateAfter(45) }),
        rotated_is_new_id: true,
        revoke_status: 204,
        revoke_unknown: apiError(client, 404, { message: "404 Personal Access Token Not Found" }, "http"),
        list_as_developer: apiError(client, 403, { message: "403 Forbidden" }, "http"),
        flag_off_list: apiError(client, 404, { message: "404 Not Found" }, "http"),
        flag_off_create: apiError(client, 404, { message: "404 Not Found" }, "http"),
        delete_status: 204,
      };
    },
  },
  {
    name: "granular-pats",
    inputs: (users) => ({ user_id: users.maint, project: "acme/web", group: "acme" }),
    // Fine-grained tokens (lib/api/helpers/personal_access_tokens_helpers.rb granular_scope_params
    // and build_granular_scopes; Authn::PersonalAccessTokens::CreateGranularService: scopes
    // ["granular"]): neither client has a typed call for them. The create response has no
    // granular_scopes (gitlab-org/gitlab#632314); get, list and rotate by id present them
    // (with_granular_scopes, lib/api/personal_access_tokens.rb). client-go v1.46 has no field for
    // `granular` or `granular_scopes` and drops them; python-gitlab keeps every attribute.
    expected: (client) => {
      const granular = (f: Record<string, unknown>) =>
        token({ name: "conformance-granular", scopes: ["granular"], expires_at: dateAfter(30), ...f });
      const granularScopes = [
        {
          access: "selected_memberships",
          permissions: ["read_job"],
          project_id: expect.any(Number),
          group_id: null,
        },
        {
          access: "personal_projects",
          permissions: ["read_job", "delete_artifact"],
          project_id: null,
          group_id: null,
        },
      ];
      return {
        created: granular({ token: SHAPE }),
        legacy: token({
          name: "conformance-legacy",
          scopes: ["read_api"],
          expires_at: dateAfter(30),
          token: SHAPE,
        }),
        got: granular({}),
        listed_scopes: {
          "conformance-maintainer": ["api"],
          "conformance-granular": ["granular"],
          "conformance-legacy": ["read_api"],
        },
        rotated: granular({ expires_at: dateAfter(45), token: SHAPE }),
        // Grape's exactly_one_of :scopes, :granular_scopes (client-go's typed create without Scopes).
        create_neither: apiError(
          client,
          400,
          { error: "scopes, granular_scopes are missing, exactly one parameter must be provided" },
          "http",
        ),
        create_both: apiError(
          client,
          400,
          { error: "scopes, granular_scopes are mutually exclusive" },
          "http",
        ),
        // build_granular_scopes: not_found! unless the user is a member of the group.
        create_not_member: apiError(client, 404, { message: "404 Not Found" }, "http"),
        // Authz::GranularScope's granular_scope_permissions JSON schema (the sandbox's wording of the body).
        create_unknown_permission: apiError(
          client,
          400,
          { message: "Validation failed: Permissions must be a valid json schema" },
          "http",
        ),
        revoke_status: 204,
        ...(client === "go"
          ? { create_status: 201 }
          : {
              created_granular: { granular: true },
              // python-gitlab 3.12's UserPersonalAccessTokenManager requires `scopes` client-side.
              typed_create_without_scopes: "AttributeError",
              legacy_granular: { granular: false },
              got_granular: { granular: true, granular_scopes: granularScopes },
              got_scope_project_is_input: [true, false],
              listed_granular: {
                "conformance-maintainer": { granular: false },
                "conformance-granular": { granular: true, granular_scopes: granularScopes },
                "conformance-legacy": { granular: false },
              },
              rotated_granular: { granular: true, granular_scopes: granularScopes },
            }),
      };
    },
  },
];

const INPUTS = Object.fromEntries(SCENARIOS.map((s) => [s.name, s.inputs]));
const NAMES = SCENARIOS.map((s) => s.name);
/** A token value of GitLab's formats (personal, deploy, trigger) anywhere in what a client printed. */
const TOKEN_VALUE = /glpat-[A-Za-z0-9_-]{20}|gldt-[A-Za-z0-9_-]{20}|glptt-[0-9a-f]{40}/;

describe.each(CLIENTS)("%s client against the sandbox", (client) => {
  let env: ClientSandbox;
  let run: ClientRun;

  beforeAll(async () => {
    // The first Go build downloads client-go through the Go module proxy (go.sum pins it).
    const goBinary = client === "go" ? await buildGoHarness() : "";
    const python = client === "python" ? (await findPython()).python : "";
    env = await startClientSandbox(INPUTS);
    run = await runClient(clientCommand(client, goBinary, python), env.context, NAMES);
  }, 900_000); // a first Go build on a fresh machine: ~3.5 min on 2 busy cores
  afterAll(() => env?.sandbox.stop());

  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", (name, scenario) => {
    const result = run.results[name];
    expect(result?.error).toBeUndefined();
    const expected = scenario.expected(client, env.context.users);
    expect(result?.observed).toEqual(client === "python" ? { ...expected, warnings: [] } : expected);
  });

  it("prints no token value and no credential", () => {
    expect(run.output).not.toMatch(TOKEN_VALUE);
    for (const value of Object.values(env.context.tokens)) expect(run.output).not.toContain(value);
    const made = env.sandbox.listTokens().length;
    expect(made).toBeGreaterThan(PAGED_TOKENS + 3); // the scenarios did make tokens
    // The trigger and deploy token scenarios delete what they made: GitLab forgets them.
    expect(env.sandbox.listTriggers()).toEqual([]);
    expect(env.sandbox.listDeployTokens()).toEqual([]);
  });
});
