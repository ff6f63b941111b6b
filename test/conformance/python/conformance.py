"""Drives the GitLab sandbox with python-gitlab, the way its users call it, and prints what it saw.

    CONFORMANCE_CONTEXT='{"url": "...", "tokens": {...}, ...}' python3 conformance.py SCENARIO...

Prints one JSON object on stdout: for each scenario named, {"observed": {...}} (the parsed objects,
typed exceptions, status codes and pagination attributes, normalized by the helpers below) or
{"error": "..."} when the scenario could not run to its end. test/conformance/clients.test.ts compares
them with what GitLab answers. Token values never appear in the output: a token is reported as its
shape ("glpat-" and 20 characters).

Written for python-gitlab 3.12 (Debian 12's python3-gitlab). Where it has a typed manager the
scenario uses it (project/group access tokens: list, create, delete; personal access tokens: list,
delete, and create through a user; CI/CD variables: the whole CRUD; pagination: `iterator=True`,
`get_all=True`). Endpoints that version predates — getting and rotating project/group tokens,
getting and rotating personal tokens, group service accounts — go through `gl.http_get`,
`gl.http_post` and `gl.http_delete`, as its users do.

A scenario is one function below and one entry of SCENARIOS.
"""

import datetime
import json
import os
import re
import sys
import traceback
import warnings

import gitlab
import gitlab.exceptions as glexc


class Harness:
    def __init__(self, ctx, name):
        self.ctx = ctx
        self.name = name
        self.clients = []

    def client(self, credential):
        return self.client_with_token(self.ctx["tokens"][credential])

    def client_with_token(self, token):
        # No retries: a scenario sees each answer as GitLab sent it.
        gl = gitlab.Gitlab(self.ctx["url"], private_token=token, retry_transient_errors=False)
        self.clients.append(gl)
        return gl

    def close(self):
        for gl in self.clients:
            gl.session.close()

    def input(self, key):
        return self.ctx["inputs"][self.name][key]

    def date(self, days):
        today = datetime.date.fromisoformat(self.ctx["today"])
        return (today + datetime.timedelta(days=days)).isoformat()


class Failed(Exception):
    """A call that should have worked did not."""


def step(name, fn):
    try:
        return fn()
    except glexc.GitlabError as e:
        raise Failed(f"{name}: {type(e).__name__} {e.response_code} {e.error_message}") from None


TOKEN_SHAPE = re.compile(r"^glpat-[A-Za-z0-9_-]{20}$")


def token_value(v):
    if not v:
        return None
    if TOKEN_SHAPE.match(v):
        return "glpat-<20>"
    return f"<unexpected shape, {len(v)} characters>"


def attrs(obj):
    """A RESTObject's attributes, or a dict as it is (what http_* calls return)."""
    return obj.attributes if hasattr(obj, "attributes") else obj


def token_obs(t):
    a = attrs(t)
    return {
        "name": a.get("name"),
        "description": a.get("description") or "",
        "scopes": a.get("scopes"),
        "active": a.get("active"),
        "revoked": a.get("revoked"),
        "expires_at": a.get("expires_at"),
        "has_created_at": bool(a.get("created_at")),
        "token": token_value(a.get("token")),
    }


def resource_token_obs(t):
    o = token_obs(t)
    a = attrs(t)
    o["access_level"] = a.get("access_level", 0)
    o["bot_user"] = (a.get("user_id") or 0) > 0
    return o


def err_obs(fn):
    """Runs fn, which must fail, and reports python-gitlab's exception: its class, code and message."""
    try:
        fn()
    except glexc.GitlabError as e:
        return {"status": e.response_code, "type": type(e).__name__, "message": e.error_message}
    return {"error": None}


def status(resp):
    return resp.status_code if resp is not None else None


def resource_token_lifecycle(h, source_path, kind):
    """Project or group access tokens: `kind` is "projects" or "groups"."""
    o = {}
    gl = h.client("admin")
    source = gl.projects.get(source_path, lazy=True) if kind == "projects" else gl.groups.get(source_path, lazy=True)
    enc = source_path.replace("/", "%2F")
    base = f"/{kind}/{enc}/access_tokens"
    made = step(
        "create",
        lambda: source.access_tokens.create(
            {
                "name": "conformance",
                "description": "made by the conformance harness",
                "scopes": ["read_api", "read_repository"],
                "access_level": 30,
                "expires_at": h.date(30),
            }
        ),
    )
    o["created"] = resource_token_obs(made)
    got = step("get", lambda: gl.http_get(f"{base}/{made.id}"))
    o["got"] = resource_token_obs(got)

    rotated = step("rotate", lambda: gl.http_post(f"{base}/{made.id}/rotate", post_data={"expires_at": h.date(60)}))
    o["rotated"] = resource_token_obs(rotated)
    o["rotated_is_new_id"] = rotated["id"] != made.id
    old = step("get the rotated-away token", lambda: gl.http_get(f"{base}/{made.id}"))
    o["old_after_rotate"] = {"active": old["active"], "revoked": old["revoked"]}

    new_client = h.client_with_token(rotated["token"])
    me = step("new value on /personal_access_tokens/self", lambda: new_client.http_get("/personal_access_tokens/self"))
    o["new_value_self_is_rotated"] = me["id"] == rotated["id"]
    old_client = h.client_with_token(made.token)
    o["old_value_self"] = err_obs(lambda: old_client.http_get("/personal_access_tokens/self"))

    o["list_active"] = [t.name for t in step("list active", lambda: source.access_tokens.list(state="active", get_all=True))]
    o["list_inactive"] = [
        t.name for t in step("list inactive", lambda: source.access_tokens.list(state="inactive", get_all=True))
    ]

    resp = step("revoke", lambda: gl.http_delete(f"{base}/{rotated['id']}"))
    o["revoke_status"] = status(resp)
    after = step("get after revoke", lambda: gl.http_get(f"{base}/{rotated['id']}"))
    o["after_revoke"] = {"active": after["active"], "revoked": after["revoked"]}

    # GitLab's defaults: access level 40, expiry today + 365; a rotation without expires_at: + 7 days.
    plain = step("create with defaults", lambda: source.access_tokens.create({"name": "defaults", "scopes": ["read_api"]}))
    o["created_with_defaults"] = {"access_level": plain.access_level, "expires_at": plain.expires_at}
    nxt = step("rotate without expires_at", lambda: gl.http_post(f"{base}/{plain.id}/rotate"))
    o["rotated_default_expiry"] = nxt["expires_at"]
    o["rotate_revoked"] = err_obs(lambda: gl.http_post(f"{base}/{plain.id}/rotate"))
    step("revoke the defaults token", lambda: gl.http_delete(f"{base}/{nxt['id']}"))

    developer = h.client("developer")
    dev_source = (developer.projects if kind == "projects" else developer.groups).get(source_path, lazy=True)
    o["list_as_developer"] = err_obs(lambda: dev_source.access_tokens.list(state="active", get_all=True))
    o["create_bad_level"] = err_obs(
        lambda: source.access_tokens.create({"name": "bad-level", "scopes": ["read_api"], "access_level": 1})
    )

    o["get_unknown"] = err_obs(lambda: gl.http_get(f"{base}/987654"))
    o["revoke_unknown"] = err_obs(lambda: source.access_tokens.delete(987654))
    o["create_bad_scope"] = err_obs(
        lambda: source.access_tokens.create(
            {"name": "bad-scope", "scopes": ["read_user"], "access_level": 30, "expires_at": h.date(30)}
        )
    )
    o["create_too_long"] = err_obs(
        lambda: source.access_tokens.create(
            {"name": "too-long", "scopes": ["read_api"], "access_level": 30, "expires_at": h.date(400)}
        )
    )
    return o


def project_access_tokens(h):
    return resource_token_lifecycle(h, h.input("project"), "projects")


def group_access_tokens(h):
    return resource_token_lifecycle(h, h.input("group"), "groups")


def project_token_levels(h):
    """A project Maintainer may make and rotate tokens up to its own level, not an Owner-level one."""
    o = {}
    path = h.input("project")
    base = "/projects/" + path.replace("/", "%2F") + "/access_tokens"
    admin_gl, maint_gl = h.client("admin"), h.client("maintainer")
    admin, maint = admin_gl.projects.get(path, lazy=True), maint_gl.projects.get(path, lazy=True)

    def token(level):
        return {"name": "level-%d" % level, "scopes": ["read_api"], "access_level": level, "expires_at": h.date(30)}

    o["maintainer_creates_owner_level"] = err_obs(lambda: maint.access_tokens.create(token(50)))
    own = step("maintainer creates a Maintainer-level token", lambda: maint.access_tokens.create(token(40)))
    o["maintainer_creates_own_level"] = own.access_level
    high = step("admin creates an Owner-level token", lambda: admin.access_tokens.create(token(50)))
    o["admin_creates_owner_level"] = high.access_level
    o["maintainer_rotates_owner_level"] = err_obs(lambda: maint_gl.http_post(f"{base}/{high.id}/rotate"))
    rotated = step("maintainer rotates its own level", lambda: maint_gl.http_post(f"{base}/{own.id}/rotate"))
    o["maintainer_rotates_own_level"] = rotated["access_level"]
    resp = step("maintainer revokes", lambda: maint_gl.http_delete(f"{base}/{rotated['id']}"))
    o["maintainer_revoke_status"] = status(resp)
    step("admin revokes", lambda: admin.access_tokens.delete(high.id))
    return o


def personal_access_tokens(h):
    o = {}
    gl = h.client("admin")
    user_id = h.input("user_id")
    user = gl.users.get(user_id, lazy=True)
    scopes = ["read_api", "self_rotate"]
    made = step(
        "create",
        lambda: user.personal_access_tokens.create(
            {"name": "conformance-pat", "description": "made by the conformance harness", "scopes": scopes, "expires_at": h.date(20)}
        ),
    )
    o["created"] = token_obs(made)
    o["created_user_id"] = made.user_id
    got = step("get", lambda: gl.http_get(f"/personal_access_tokens/{made.id}"))
    o["got"] = token_obs(got)

    mine = h.client_with_token(made.token)
    me = step("self", lambda: mine.http_get("/personal_access_tokens/self"))
    o["self_is_created"] = me["id"] == made.id
    rotated = step(
        "self-rotate", lambda: mine.http_post("/personal_access_tokens/self/rotate", post_data={"expires_at": h.date(10)})
    )
    o["self_rotated"] = token_obs(rotated)
    o["old_value_self"] = err_obs(lambda: mine.http_get("/personal_access_tokens/self"))

    rotated2 = step(
        "rotate by id",
        lambda: gl.http_post(f"/personal_access_tokens/{rotated['id']}/rotate", post_data={"expires_at": h.date(15)}),
    )
    o["rotated_by_admin"] = token_obs(rotated2)

    listed = step("list", lambda: gl.personal_access_tokens.list(user_id=user_id, revoked=False, get_all=True))
    o["list_user_not_revoked"] = [t.name for t in listed]

    resp = step("revoke", lambda: gl.http_delete(f"/personal_access_tokens/{rotated2['id']}"))
    o["revoke_status"] = status(resp)
    o["revoke_again"] = err_obs(lambda: gl.personal_access_tokens.delete(rotated2["id"]))
    o["get_unknown"] = err_obs(lambda: gl.http_get("/personal_access_tokens/987654"))
    o["revoke_unknown"] = err_obs(lambda: gl.personal_access_tokens.delete(987654))
    o["create_bad_scope"] = err_obs(
        lambda: user.personal_access_tokens.create(
            {"name": "conformance-pat", "scopes": ["read_api", "no_such_scope"], "expires_at": h.date(20)}
        )
    )
    o["create_blank_name"] = err_obs(
        lambda: user.personal_access_tokens.create({"name": "", "scopes": scopes, "expires_at": h.date(20)})
    )
    o["create_too_long"] = err_obs(
        lambda: user.personal_access_tokens.create({"name": "conformance-pat", "scopes": scopes, "expires_at": h.date(366)})
    )

    stranger = h.client_with_token("glpat-" + "0" * 20)
    o["unknown_credential"] = err_obs(lambda: stranger.http_get("/personal_access_tokens/self"))
    developer = h.client("developer")
    o["non_admin_get_unknown"] = err_obs(lambda: developer.http_get("/personal_access_tokens/987654"))
    o["non_admin_list_other_user"] = err_obs(
        lambda: developer.personal_access_tokens.list(user_id=h.input("other_user_id"), get_all=True)
    )
    # Reuse detection: the first, revoked value used on a rotate path revokes its whole family.
    family = step(
        "create the family's first token",
        lambda: user.personal_access_tokens.create({"name": "conformance-pat", "scopes": scopes, "expires_at": h.date(20)}),
    )
    first = h.client_with_token(family.token)
    newest = step("self-rotate without expires_at", lambda: first.http_post("/personal_access_tokens/self/rotate"))
    o["self_rotated_default_expiry"] = newest["expires_at"]
    o["reuse_rotate"] = err_obs(lambda: first.http_post("/personal_access_tokens/self/rotate"))
    after = step("get the newest after reuse", lambda: gl.http_get(f"/personal_access_tokens/{newest['id']}"))
    o["newest_after_reuse"] = {"active": after["active"], "revoked": after["revoked"]}
    return o


def group_service_accounts(h):
    """python-gitlab 3.12 has no service-account manager: gl.http_* on GitLab's routes."""
    o = {}
    gl = h.client("owner")
    base = "/groups/" + str(h.input("group")).replace("/", "%2F") + "/service_accounts"
    body = {"name": "Conformance bot", "username": h.input("username")}
    sa = step("create account", lambda: gl.http_post(base, post_data=body))
    o["account"] = {
        "name": sa["name"],
        "username": sa["username"],
        "has_email": bool(sa.get("email")),
        "has_id": sa["id"] > 0,
    }
    o["create_taken_username"] = err_obs(lambda: gl.http_post(base, post_data=body))
    sa2 = step("create a second account", lambda: gl.http_post(base, post_data={"name": "Second bot"}))
    o["generated_username"] = sa2["username"].startswith("service_account_group_")
    # GitLab lists them by id, newest first (sort defaults to desc).
    accounts = step("list accounts", lambda: gl.http_list(base, get_all=True))
    o["accounts"] = len(accounts)
    o["accounts_newest_first"] = [a["id"] for a in accounts] == [sa2["id"], sa["id"]]
    step("delete the second account", lambda: gl.http_delete(f"{base}/{sa2['id']}"))

    tokens = f"{base}/{sa['id']}/personal_access_tokens"
    made = step(
        "create token",
        lambda: gl.http_post(
            tokens, post_data={"name": "conformance-sa", "scopes": ["read_repository"], "expires_at": h.date(30)}
        ),
    )
    o["token"] = token_obs(made)
    o["token_user_is_account"] = made["user_id"] == sa["id"]
    rotated = step(
        "rotate token", lambda: gl.http_post(f"{tokens}/{made['id']}/rotate", post_data={"expires_at": h.date(45)})
    )
    o["rotated"] = token_obs(rotated)
    revoked = step("list revoked tokens", lambda: gl.http_list(tokens, query_data={"revoked": True}, get_all=True))
    o["revoked_tokens"] = len(revoked)
    yesterday = h.date(-1) + "T00:00:00Z"
    since = step(
        "list tokens created after yesterday", lambda: gl.http_list(tokens, query_data={"created_after": yesterday}, get_all=True)
    )
    o["created_after_yesterday"] = len(since)
    resp = step("revoke token", lambda: gl.http_delete(f"{tokens}/{rotated['id']}"))
    o["revoke_status"] = status(resp)
    o["revoke_unknown"] = err_obs(lambda: gl.http_delete(f"{tokens}/987654"))
    o["token_of_unknown_account"] = err_obs(
        lambda: gl.http_post(f"{base}/987654/personal_access_tokens", post_data={"name": "x", "scopes": ["read_api"]})
    )
    o["create_too_long"] = err_obs(
        lambda: gl.http_post(tokens, post_data={"name": "too-long", "scopes": ["read_api"], "expires_at": h.date(366)})
    )
    developer = h.client("developer")
    o["list_as_non_owner"] = err_obs(lambda: developer.http_list(base, get_all=True))
    resp = step("delete account", lambda: gl.http_delete(f"{base}/{sa['id']}"))
    o["delete_status"] = status(resp)
    return o


def variable_obs(v):
    a = attrs(v)
    return {
        "key": a.get("key"),
        "value": a.get("value") or "",
        "variable_type": a.get("variable_type"),
        "protected": a.get("protected"),
        "masked": a.get("masked"),
        "hidden": a.get("hidden"),
        "raw": a.get("raw"),
        "environment_scope": a.get("environment_scope"),
        "description": a.get("description") or "",
    }


def project_variables(h):
    o = {}
    gl = h.client("admin")
    project = gl.projects.get(h.input("project"), lazy=True)
    key, value = "CONFORMANCE_TOKEN", h.input("value")
    v = step(
        "create masked",
        lambda: project.variables.create(
            {"key": key, "value": value, "masked": True, "protected": True, "description": "delivered by the conformance harness"}
        ),
    )
    o["created"] = variable_obs(v)
    # The typed manager's update (PUT /projects/:id/variables/:key).
    v = step("update", lambda: project.variables.update(key, {"key": key, "value": h.input("new_value"), "protected": False}))
    o["updated"] = variable_obs(v)
    o["create_taken"] = err_obs(lambda: project.variables.create({"key": key, "value": value}))

    hidden_key = "CONFORMANCE_HIDDEN"
    # masked_and_hidden is newer than python-gitlab 3.12's declared attributes; it passes it on.
    v = step(
        "create hidden",
        lambda: project.variables.create({"key": hidden_key, "value": value, "masked_and_hidden": True, "masked": True}),
    )
    o["created_hidden"] = variable_obs(v)
    o["got_hidden"] = variable_obs(step("get hidden", lambda: project.variables.get(hidden_key)))
    o["create_unmaskable"] = err_obs(
        lambda: project.variables.create({"key": "CONFORMANCE_SHORT", "value": "abc", "masked": True})
    )
    o["keys"] = sorted(x.key for x in step("list", lambda: project.variables.list(get_all=True)))
    # One key in two environment scopes: without filter[environment_scope] GitLab cannot choose (409).
    # python-gitlab turns filter={...} into filter[environment_scope]=... (utils.copy_dict).
    scoped = "CONFORMANCE_SCOPED"
    for scope in ("production", "staging"):
        step(
            "create in " + scope,
            lambda: project.variables.create({"key": scoped, "value": value, "environment_scope": scope}),
        )
    o["get_ambiguous"] = err_obs(lambda: project.variables.get(scoped))
    got = step("get with filter", lambda: project.variables.get(scoped, filter={"environment_scope": "production"}))
    o["get_filtered_scope"] = got.environment_scope
    step("delete with filter", lambda: project.variables.delete(scoped, filter={"environment_scope": "staging"}))
    o["delete_filtered_status"] = 204  # DeleteMixin returns nothing; a non-2xx would have raised
    o["left_scope"] = step("get the one left", lambda: project.variables.get(scoped)).environment_scope

    for k in (key, hidden_key, scoped):
        obj = step("get " + k, lambda: project.variables.get(k))
        step("delete " + k, obj.delete)
        o["delete_status"] = 204  # ObjectDeleteMixin returns nothing; a non-2xx would have raised
    o["get_deleted"] = err_obs(lambda: project.variables.get(key))
    o["delete_deleted"] = err_obs(lambda: project.variables.delete(key))
    return o


def group_variables(h):
    o = {}
    gl = h.client("owner")
    group = gl.groups.get(h.input("group"), lazy=True)
    key, value = "CONFORMANCE_GROUP_TOKEN", h.input("value")
    only_prod = {"environment_scope": "production"}
    v = step(
        "create",
        lambda: group.variables.create(
            {
                "key": key,
                "value": value,
                "masked": True,
                "protected": True,
                "raw": True,
                "environment_scope": "production",
                "description": "delivered by the conformance harness",
            }
        ),
    )
    o["created"] = variable_obs(v)
    v = step(
        "update",
        lambda: group.variables.update(key, {"key": key, "value": h.input("new_value"), "protected": False, "filter": only_prod}),
    )
    o["updated"] = variable_obs(v)
    o["create_taken"] = err_obs(
        lambda: group.variables.create({"key": key, "value": value, "environment_scope": "production"})
    )
    step(
        "create for every environment",
        lambda: group.variables.create({"key": key, "value": value, "environment_scope": "*"}),
    )
    o["get_ambiguous"] = err_obs(lambda: group.variables.get(key))
    o["got_production"] = variable_obs(step("get with filter", lambda: group.variables.get(key, filter=only_prod)))
    developer = h.client("developer").groups.get(h.input("group"), lazy=True)
    o["list_as_developer"] = err_obs(lambda: developer.variables.list(get_all=True))
    step("delete production", lambda: group.variables.delete(key, filter=only_prod))
    o["delete_status"] = 204  # DeleteMixin returns nothing; a non-2xx would have raised
    o["left_scope"] = step("get the one left", lambda: group.variables.get(key)).environment_scope
    step("delete the one left", lambda: group.variables.delete(key))
    o["get_deleted"] = err_obs(lambda: group.variables.get(key))
    return o


def page_obs(lst, n):
    """A GitlabList's pagination attributes, parsed by python-gitlab from the headers."""
    return {
        "items": n,
        "total_items": lst.total,
        "total_pages": lst.total_pages,
        "items_per_page": lst.per_page,
        "current_page": lst.current_page,
        "next_page": lst.next_page or 0,
        "previous_page": lst.prev_page or 0,
    }


def pagination(h):
    o = {}
    gl = h.client("admin")
    user_id, per = h.input("user_id"), h.input("per_page")
    mgr = gl.personal_access_tokens

    def page(n):
        # The attributes of the iterator=True list (from the headers of its first request), the
        # number of items one page holds (get_all=False) and the Link header's relations.
        lst = mgr.list(user_id=user_id, per_page=per, page=n, iterator=True)
        items = mgr.list(user_id=user_id, per_page=per, page=n, get_all=False)
        raw = gl.http_get("/personal_access_tokens", query_data={"user_id": user_id, "per_page": per, "page": n}, raw=True)
        o = page_obs(lst, len(items))
        o["link_rels"] = sorted(raw.links.keys(), key=["prev", "next", "first", "last"].index)
        return o, lst

    o["page_1"], first = page(1)
    o["page_2"], _ = page(2)
    o["last_page"], _ = page(first.total_pages)
    # iterator=True follows the Link header's rel="next" URL, page after page.
    o["scan_names"] = [t.name for t in mgr.list(user_id=user_id, per_page=per, iterator=True)]
    o["get_all"] = len(mgr.list(user_id=user_id, per_page=per, get_all=True))
    return o


def token_filters(h):
    """The list filters of GET /personal_access_tokens, as keyword arguments of the typed list()."""
    o = {}
    gl = h.client("admin")
    user_id, pivot = h.input("user_id"), h.input("pivot")
    steps = {
        "expires_before": {"expires_before": pivot},
        "expires_after": {"expires_after": pivot},
        "search": {"search": h.input("search")},
        "sort_name_desc": {"sort": "name_desc"},
        "sort_expires_asc": {"sort": "expires_asc"},
        "state_inactive": {"state": "inactive"},
        "revoked": {"revoked": True},
        "created_after_yesterday": {"created_after": h.date(-1)},
        "created_before_yesterday": {"created_before": h.date(-1)},
    }
    for name, filters in steps.items():
        found = step(name, lambda: gl.personal_access_tokens.list(user_id=user_id, get_all=True, **filters))
        o[name] = [t.name for t in found]
    o["bad_sort"] = err_obs(lambda: gl.personal_access_tokens.list(sort="newest", get_all=True))
    return o


# -- CI credentials: pipeline trigger tokens, deploy tokens, project service accounts ------------

SECRET_SHAPES = [
    (re.compile(r"^glptt-[0-9a-f]{40}$"), "glptt-<40 hex>"),
    (re.compile(r"^gldt-[A-Za-z0-9_-]{20}$"), "gldt-<20>"),
    (re.compile(r"^glpat-[A-Za-z0-9_-]{20}$"), "glpat-<20>"),
]


def secret_shape(v):
    """A token value by its shape: one of SECRET_SHAPES, else its length."""
    if not v:
        return None
    for pattern, shape in SECRET_SHAPES:
        if pattern.match(v):
            return shape
    return f"<{len(v)} characters>"


def day(v):
    return v[:10] if v else None


def sandbox_settings(h, settings):
    """The sandbox's admin endpoint (not GitLab's API): how a scenario plays a feature flag off."""
    gl = h.client("admin")
    gl.http_request("patch", h.ctx["url"] + "/-/sandbox/settings", post_data=settings)


def trigger_obs(t):
    a = attrs(t)
    return {
        "description": a.get("description"),
        "token": secret_shape(a.get("token")),
        "created_at": (a.get("created_at") or "")[:19] or None,
        "owner": (a.get("owner") or {}).get("username"),
    }


def pipeline_triggers(h):
    """python-gitlab 3.12's project.triggers (CRUD); expires_at passes through create's data."""
    o = {}
    gl = h.client("admin")
    project = gl.projects.get(h.input("project"), lazy=True)
    made = step("add", lambda: project.triggers.create({"description": "from the Go client"}))
    o["created"] = trigger_obs(made)
    o["owner_is_admin"] = made.owner["id"] == h.ctx["users"]["root"]
    expiring = step("add with expires_at", lambda: project.triggers.create({"description": "expiring", "expires_at": h.date(30)}))
    o["created_expiring"] = {"description": expiring.description, "expires_at": day(expiring.attributes.get("expires_at"))}
    got = step("get the expiring one", lambda: project.triggers.get(expiring.id))
    o["got_expiring_expires_at"] = day(got.attributes.get("expires_at"))
    o["create_too_long"] = err_obs(lambda: project.triggers.create({"description": "too long", "expires_at": h.date(366)}))
    o["create_without_description"] = err_obs(lambda: gl.http_post(f"/projects/{project.encoded_id}/triggers"))

    mine = step("get", lambda: project.triggers.get(made.id))
    o["got"] = trigger_obs(mine)
    o["got_same_value"] = mine.token == made.token
    other = h.client("maintainer").projects.get(h.input("project"), lazy=True)
    o["got_by_other_user"] = secret_shape(step("get as another maintainer", lambda: other.triggers.get(made.id)).token)

    mine.description = "edited"
    step("edit", mine.save)
    o["edited_description"] = mine.description

    listed = step("list", lambda: project.triggers.list(get_all=True))
    o["listed"] = sorted(t.description for t in listed)
    dev = h.client("developer").projects.get(h.input("project"), lazy=True)
    o["list_as_developer"] = err_obs(lambda: dev.triggers.list(get_all=True))

    resp = step("delete", lambda: gl.http_delete(f"/projects/{project.encoded_id}/triggers/{made.id}"))
    o["delete_status"] = status(resp)
    o["get_deleted"] = err_obs(lambda: project.triggers.get(made.id))
    o["delete_deleted"] = err_obs(lambda: project.triggers.delete(made.id))
    step("delete the expiring one", lambda: project.triggers.delete(expiring.id))
    return o


def deploy_token_obs(t):
    a = attrs(t)
    return {
        "name": a.get("name"),
        "username": a.get("username"),
        "scopes": a.get("scopes"),
        "expires_at": day(a.get("expires_at")),
        "revoked": a.get("revoked"),
        "expired": a.get("expired"),
        "token": secret_shape(a.get("token")),
    }


def deploy_token_lifecycle(h, manager, base, gl):
    """project.deploytokens / group.deploytokens (3.12: list, get, create, delete)."""
    o = {}
    named = step(
        "create",
        lambda: manager.create(
            {
                "name": "conformance-deploy",
                "username": "conformance-deployer",
                "scopes": ["read_repository", "read_registry"],
                "expires_at": h.date(30),
            }
        ),
    )
    o["created"] = deploy_token_obs(named)
    plain = step("create without username", lambda: manager.create({"name": "plain", "scopes": ["read_repository"]}))
    o["created_plain"] = deploy_token_obs(plain)
    o["default_username"] = plain.username == f"gitlab+deploy-token-{plain.id}"
    old = step(
        "create an expired one",
        lambda: manager.create({"name": "expired", "scopes": ["read_repository"], "expires_at": h.date(-1)}),
    )
    o["created_expired"] = {"expired": old.expired, "expires_at": day(old.expires_at)}

    o["got"] = deploy_token_obs(step("get", lambda: manager.get(named.id)))
    o["listed"] = [t.name for t in step("list", lambda: manager.list(get_all=True))]
    # `active` is not among 3.12's list filters; list() passes it on as a query parameter.
    o["listed_active"] = [t.name for t in step("list active", lambda: manager.list(active=True, get_all=True))]
    o["create_bad_scope"] = err_obs(lambda: manager.create({"name": "bad-scope", "scopes": ["api"]}))

    for t in (plain, old):
        step(f"delete {t.name}", lambda t=t: manager.delete(t.id))
    resp = step("delete", lambda: gl.http_delete(f"{base}/{named.id}"))
    o["delete_status"] = status(resp)
    o["get_deleted"] = err_obs(lambda: manager.get(named.id))
    o["delete_deleted"] = err_obs(lambda: manager.delete(named.id))
    return o


def deploy_tokens(h):
    o = {}
    admin = h.client("admin")
    project = admin.projects.get(h.input("project"), lazy=True)
    try:
        o["project"] = deploy_token_lifecycle(
            h, project.deploytokens, f"/projects/{project.encoded_id}/deploy_tokens", admin
        )
        owner = h.client("owner")
        group = owner.groups.get(h.input("group"), lazy=True)
        o["group"] = deploy_token_lifecycle(h, group.deploytokens, f"/groups/{group.encoded_id}/deploy_tokens", owner)
    except Failed as e:
        raise Failed(f"{'group' if 'project' in o else 'project'}: {e}") from None
    dev = h.client("developer").projects.get(h.input("project"), lazy=True)
    o["list_as_developer"] = err_obs(lambda: dev.deploytokens.list(get_all=True))
    o["all_after_delete"] = len(step("list all", lambda: admin.deploytokens.list(get_all=True)))
    o["list_all_as_non_admin"] = err_obs(lambda: h.client("owner").deploytokens.list(get_all=True))
    return o


def project_service_accounts(h):
    """python-gitlab 3.12 has no service-account manager: gl.http_* on GitLab's routes."""
    o = {}
    gl = h.client("maintainer")
    base = "/projects/" + str(h.input("project")).replace("/", "%2F") + "/service_accounts"
    sa = step("create account", lambda: gl.http_post(base, post_data={"name": "Project bot"}))
    o["account"] = {
        "name": sa["name"],
        "generated_username": sa["username"].startswith("service_account_project_"),
        "has_email": bool(sa.get("email")),
    }
    o["accounts"] = len(step("list accounts", lambda: gl.http_list(base, get_all=True)))
    tokens = f"{base}/{sa['id']}/personal_access_tokens"
    made = step(
        "create token",
        lambda: gl.http_post(tokens, post_data={"name": "conformance-psa", "scopes": ["read_api"], "expires_at": h.date(30)}),
    )
    o["token"] = token_obs(made)
    o["token_user_is_account"] = made["user_id"] == sa["id"]
    o["tokens"] = len(step("list tokens", lambda: gl.http_list(tokens, get_all=True)))
    rotated = step("rotate token", lambda: gl.http_post(f"{tokens}/{made['id']}/rotate", post_data={"expires_at": h.date(45)}))
    o["rotated"] = token_obs(rotated)
    o["rotated_is_new_id"] = rotated["id"] != made["id"]
    o["revoke_status"] = status(step("revoke token", lambda: gl.http_delete(f"{tokens}/{rotated['id']}")))
    o["revoke_unknown"] = err_obs(lambda: gl.http_delete(f"{tokens}/987654"))
    o["list_as_developer"] = err_obs(lambda: h.client("developer").http_list(base, get_all=True))

    # The feature flag allow_projects_to_create_service_accounts off: every route is 404.
    sandbox_settings(h, {"allowProjectsToCreateServiceAccounts": False})
    o["flag_off_list"] = err_obs(lambda: gl.http_list(base, get_all=True))
    o["flag_off_create"] = err_obs(lambda: gl.http_post(base, post_data={"name": "Another bot"}))
    sandbox_settings(h, {"allowProjectsToCreateServiceAccounts": True})

    o["delete_status"] = status(step("delete account", lambda: gl.http_delete(f"{base}/{sa['id']}")))
    return o


def granular_obs(t):
    """A token's fine-grained fields as python-gitlab hands them over (a dict's, or a RESTObject's attributes)."""
    a = attrs(t)
    o = {"granular": a.get("granular")}
    if "granular_scopes" in a:
        o["granular_scopes"] = a["granular_scopes"]
    return o


def granular_pats(h):
    """Fine-grained personal access tokens. python-gitlab 3.12's typed create requires `scopes`
    client-side, so the granular token is made with gl.http_post; the typed list reads it back,
    and gl.http_get/http_post get and rotate it (3.12 has no typed get or rotate)."""
    o = {}
    gl = h.client("admin")
    user_id = h.input("user_id")
    project = step("get the project", lambda: gl.projects.get(h.input("project")))
    group = step("get the group", lambda: gl.groups.get(h.input("group")))
    path = f"/users/{user_id}/personal_access_tokens"
    granular_scopes = [
        {"access": "selected_memberships", "permissions": ["read_job"], "project_ids": [project.id]},
        {"access": "personal_projects", "permissions": ["read_job", "delete_artifact"]},
    ]
    made = step(
        "create the granular token",
        lambda: gl.http_post(
            path,
            post_data={
                "name": "conformance-granular",
                "description": "made by the conformance harness",
                "expires_at": h.date(30),
                "granular_scopes": granular_scopes,
            },
        ),
    )
    o["created"] = token_obs(made)
    o["created_granular"] = granular_obs(made)

    user = gl.users.get(user_id, lazy=True)
    try:
        user.personal_access_tokens.create({"name": "conformance-granular", "granular_scopes": granular_scopes})
        o["typed_create_without_scopes"] = None
    except AttributeError:  # python-gitlab's own check of the required attributes: nothing is sent
        o["typed_create_without_scopes"] = "AttributeError"
    legacy = step(
        "create the legacy token",
        lambda: user.personal_access_tokens.create(
            {
                "name": "conformance-legacy",
                "description": "made by the conformance harness",
                "scopes": ["read_api"],
                "expires_at": h.date(30),
            }
        ),
    )
    o["legacy"] = token_obs(legacy)
    o["legacy_granular"] = granular_obs(legacy)

    got = step("get the granular token", lambda: gl.http_get(f"/personal_access_tokens/{made['id']}"))
    o["got"] = token_obs(got)
    o["got_granular"] = granular_obs(got)
    o["got_scope_project_is_input"] = [s["project_id"] == project.id for s in got.get("granular_scopes", [])]

    listed = step("list", lambda: gl.personal_access_tokens.list(user_id=user_id, get_all=True))
    o["listed_scopes"] = {t.name: t.scopes for t in listed}
    o["listed_granular"] = {t.name: granular_obs(t) for t in listed}

    rotated = step(
        "rotate the granular token",
        lambda: gl.http_post(f"/personal_access_tokens/{made['id']}/rotate", post_data={"expires_at": h.date(45)}),
    )
    o["rotated"] = token_obs(rotated)
    o["rotated_granular"] = granular_obs(rotated)

    o["create_neither"] = err_obs(lambda: gl.http_post(path, post_data={"name": "conformance-legacy"}))
    o["create_both"] = err_obs(
        lambda: gl.http_post(
            path, post_data={"name": "x", "scopes": ["read_api"], "granular_scopes": granular_scopes}
        )
    )
    o["create_not_member"] = err_obs(
        lambda: gl.http_post(
            path,
            post_data={
                "name": "x",
                "granular_scopes": [
                    {"access": "selected_memberships", "permissions": ["read_job"], "group_ids": [group.id]}
                ],
            },
        )
    )
    o["create_unknown_permission"] = err_obs(
        lambda: gl.http_post(
            path, post_data={"name": "x", "granular_scopes": [{"access": "user", "permissions": ["read_everything"]}]}
        )
    )
    for token_id in (rotated["id"], legacy.id):
        resp = step("revoke", lambda token_id=token_id: gl.http_delete(f"/personal_access_tokens/{token_id}"))
        o["revoke_status"] = status(resp)
    return o


SCENARIOS = {
    "project-access-tokens": project_access_tokens,
    "group-access-tokens": group_access_tokens,
    "project-token-levels": project_token_levels,
    "personal-access-tokens": personal_access_tokens,
    "group-service-accounts": group_service_accounts,
    "project-variables": project_variables,
    "group-variables": group_variables,
    "pagination": pagination,
    "token-filters": token_filters,
    "pipeline-triggers": pipeline_triggers,
    "deploy-tokens": deploy_tokens,
    "project-service-accounts": project_service_accounts,
    "granular-pats": granular_pats,
}


def run_one(h, fn):
    with warnings.catch_warnings(record=True) as caught:
        # python-gitlab's own warnings (UserWarning): a Link header pointing elsewhere than the
        # base URL, a list cut short at one page.
        warnings.simplefilter("always", UserWarning)
        try:
            observed = fn(h)
        except Failed as e:
            return {"error": str(e)}
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            return {"error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc(limit=3)}
        finally:
            h.close()
    observed["warnings"] = [str(w.message).splitlines()[0] for w in caught if issubclass(w.category, UserWarning)]
    return {"observed": observed}


def main():
    ctx = json.loads(os.environ["CONFORMANCE_CONTEXT"])
    names = sys.argv[1:]
    if not names:
        print("usage: conformance.py SCENARIO...", file=sys.stderr)
        sys.exit(2)
    out = {}
    for name in names:
        fn = SCENARIOS.get(name)
        out[name] = {"error": "no such scenario in the Python harness"} if fn is None else run_one(Harness(ctx, name), fn)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
