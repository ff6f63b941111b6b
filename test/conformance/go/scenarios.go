package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// scenarios: the name the jest test's table uses -> the function. Adding one: write the function
// (return what the client saw, normalized with tokenObs/errObs/pageObs) and add it here.
var scenarios = map[string]scenario{
	"project-access-tokens":    projectAccessTokens,
	"group-access-tokens":      groupAccessTokens,
	"project-token-levels":     projectTokenLevels,
	"personal-access-tokens":   personalAccessTokens,
	"group-service-accounts":   groupServiceAccounts,
	"project-variables":        projectVariables,
	"group-variables":          groupVariables,
	"pagination":               pagination,
	"token-filters":            tokenFilters,
	"pipeline-triggers":        pipelineTriggers,
	"deploy-tokens":            deployTokens,
	"project-service-accounts": projectServiceAccounts,
	"granular-pats":            granularPats,
}

// fail ends a scenario at a call that should have worked, naming it.
func fail(step string, err error) error { return fmt.Errorf("%s: %w", step, err) }

// resourceTokens is client-go's project or group access token service, seen through one shape.
type resourceTokens struct {
	create func(opt createResourceToken) (*gitlab.PersonalAccessToken, gitlab.AccessLevelValue, error)
	get    func(id int64) (*gitlab.PersonalAccessToken, gitlab.AccessLevelValue, error)
	list   func(state string) ([]string, error)
	rotate func(id int64, expiresAt *gitlab.ISOTime) (*gitlab.PersonalAccessToken, gitlab.AccessLevelValue, error)
	revoke func(id int64) (*gitlab.Response, error)
}

// createResourceToken: zero fields are left out of the request (GitLab's defaults apply).
type createResourceToken struct {
	name, description string
	scopes            []string
	level             gitlab.AccessLevelValue
	expiresAt         *gitlab.ISOTime
}

func projectTokens(c *gitlab.Client, pid string) resourceTokens {
	s := c.ProjectAccessTokens
	return resourceTokens{
		create: func(o createResourceToken) (*gitlab.PersonalAccessToken, gitlab.AccessLevelValue, error) {
			opt := &gitlab.CreateProjectAccessTokenOptions{Name: &o.name, Scopes: &o.scopes, ExpiresAt: o.expiresAt}
			if o.description != "" {
				opt.Description = &o.description
			}
			if o.level != 0 {
				opt.AccessLevel = &o.level
			}
			t, _, err := s.CreateProjectAccessToken(pid, opt)
			if err != nil {
				return nil, 0, err
			}
			return &t.PersonalAccessToken, t.AccessLevel, nil
		},
		get: func(id int64) (*gitlab.PersonalAccessToken, gitlab.AccessLevelValue, error) {
			t, _, err := s.GetProjectAccessToken(pid, id)
			if err != nil {
				return nil, 0, err
			}
			return &t.PersonalAccessToken, t.AccessLevel, nil
		},
		list: func(state string) ([]string, error) {
			ts, _, err := s.ListProjectAccessTokens(pid, &gitlab.ListProjectAccessTokensOptions{State: &state})
			names := []string{}
			for _, t := range ts {
				names = append(names, t.Name)
			}
			return names, err
		},
		rotate: func(id int64, exp *gitlab.ISOTime) (*gitlab.PersonalAccessToken, gitlab.AccessLevelValue, error) {
			t, _, err := s.RotateProjectAccessToken(pid, id, &gitlab.RotateProjectAccessTokenOptions{ExpiresAt: exp})
			if err != nil {
				return nil, 0, err
			}
			return &t.PersonalAccessToken, t.AccessLevel, nil
		},
		revoke: func(id int64) (*gitlab.Response, error) { return s.RevokeProjectAccessToken(pid, id) },
	}
}

func groupTokens(c *gitlab.Client, gid string) resourceTokens {
	s := c.GroupAccessTokens
	return resourceTokens{
		create: func(o createResourceToken) (*gitlab.PersonalAccessToken, gitlab.AccessLevelValue, error) {
			opt := &gitlab.CreateGroupAccessTokenOptions{Name: &o.name, Scopes: &o.scopes, ExpiresAt: o.expiresAt}
			if o.description != "" {
				opt.Description = &o.description
			}
			if o.level != 0 {
				opt.AccessLevel = &o.level
			}
			t, _, err := s.CreateGroupAccessToken(gid, opt)
			if err != nil {
				return nil, 0, err
			}
			return &t.PersonalAccessToken, t.AccessLevel, nil
		},
		get: func(id int64) (*gitlab.PersonalAccessToken, gitlab.AccessLevelValue, error) {
			t, _, err := s.GetGroupAccessToken(gid, id)
			if err != nil {
				return nil, 0, err
			}
			return &t.PersonalAccessToken, t.AccessLevel, nil
		},
		list: func(state string) ([]string, error) {
			st := gitlab.AccessTokenState(state)
			ts, _, err := s.ListGroupAccessTokens(gid, &gitlab.ListGroupAccessTokensOptions{State: &st})
			names := []string{}
			for _, t := range ts {
				names = append(names, t.Name)
			}
			return names, err
		},
		rotate: func(id int64, exp *gitlab.ISOTime) (*gitlab.PersonalAccessToken, gitlab.AccessLevelValue, error) {
			t, _, err := s.RotateGroupAccessToken(gid, id, &gitlab.RotateGroupAccessTokenOptions{ExpiresAt: exp})
			if err != nil {
				return nil, 0, err
			}
			return &t.PersonalAccessToken, t.AccessLevel, nil
		},
		revoke: func(id int64) (*gitlab.Response, error) { return s.RevokeGroupAccessToken(gid, id) },
	}
}

// resourceTokenLifecycle: create, get, list by state, rotate (the new value works, the old one no
// longer does), revoke, an unknown id, and two refused creates.
func resourceTokenLifecycle(h *Harness, tokensAs func(*gitlab.Client) resourceTokens) (obs, error) {
	o := obs{}
	api := tokensAs(h.Client("admin"))
	made, level, err := api.create(createResourceToken{
		name: "conformance", description: "made by the conformance harness", scopes: []string{"read_api", "read_repository"},
		level: gitlab.DeveloperPermissions, expiresAt: h.Date(30),
	})
	if err != nil {
		return o, fail("create", err)
	}
	o["created"] = resourceTokenObs(made, level)
	got, level, err := api.get(made.ID)
	if err != nil {
		return o, fail("get", err)
	}
	o["got"] = resourceTokenObs(got, level)

	rotated, level, err := api.rotate(made.ID, h.Date(60))
	if err != nil {
		return o, fail("rotate", err)
	}
	o["rotated"] = resourceTokenObs(rotated, level)
	o["rotated_is_new_id"] = rotated.ID != made.ID
	old, _, err := api.get(made.ID)
	if err != nil {
		return o, fail("get the rotated-away token", err)
	}
	o["old_after_rotate"] = obs{"active": old.Active, "revoked": old.Revoked}

	// The new value authenticates; the old one is refused (the client's typed 401).
	self, _, err := h.ClientWithToken(rotated.Token).PersonalAccessTokens.GetSinglePersonalAccessToken()
	if err != nil {
		return o, fail("new value on /personal_access_tokens/self", err)
	}
	o["new_value_self_is_rotated"] = self.ID == rotated.ID
	_, _, err = h.ClientWithToken(made.Token).PersonalAccessTokens.GetSinglePersonalAccessToken()
	o["old_value_self"] = errObs(err)

	o["list_active"], err = api.list("active")
	if err != nil {
		return o, fail("list active", err)
	}
	o["list_inactive"], err = api.list("inactive")
	if err != nil {
		return o, fail("list inactive", err)
	}

	resp, err := api.revoke(rotated.ID)
	if err != nil {
		return o, fail("revoke", err)
	}
	o["revoke_status"] = status(resp)
	after, _, err := api.get(rotated.ID)
	if err != nil {
		return o, fail("get after revoke", err)
	}
	o["after_revoke"] = obs{"active": after.Active, "revoked": after.Revoked}

	// GitLab's defaults: access level Maintainer (40), expiry today + 365 days; a rotation without
	// expires_at: today + 7 days. Rotating the rotated-away token again: 400 "Token already revoked".
	plain, level, err := api.create(createResourceToken{name: "defaults", scopes: []string{"read_api"}})
	if err != nil {
		return o, fail("create with defaults", err)
	}
	o["created_with_defaults"] = obs{"access_level": int(level), "expires_at": isoDate(plain.ExpiresAt)}
	next, _, err := api.rotate(plain.ID, nil)
	if err != nil {
		return o, fail("rotate without expires_at", err)
	}
	o["rotated_default_expiry"] = isoDate(next.ExpiresAt)
	_, _, err = api.rotate(plain.ID, nil)
	o["rotate_revoked"] = errObs(err)
	if _, err := api.revoke(next.ID); err != nil {
		return o, fail("revoke the defaults token", err)
	}

	// A Developer may not read the tokens (read_resource_access_tokens): 401.
	_, err = tokensAs(h.Client("developer")).list("active")
	o["list_as_developer"] = errObs(err)
	_, _, err = api.create(createResourceToken{name: "bad-level", scopes: []string{"read_api"}, level: 1})
	o["create_bad_level"] = errObs(err)

	_, _, err = api.get(987654)
	o["get_unknown"] = errObs(err)
	_, err = api.revoke(987654)
	o["revoke_unknown"] = errObs(err)
	_, _, err = api.create(createResourceToken{
		name: "bad-scope", scopes: []string{"read_user"}, level: gitlab.DeveloperPermissions, expiresAt: h.Date(30),
	})
	o["create_bad_scope"] = errObs(err)
	_, _, err = api.create(createResourceToken{
		name: "too-long", scopes: []string{"read_api"}, level: gitlab.DeveloperPermissions, expiresAt: h.Date(400),
	})
	o["create_too_long"] = errObs(err)
	return o, nil
}

func projectAccessTokens(h *Harness) (obs, error) {
	pid := h.InputString("project")
	return resourceTokenLifecycle(h, func(c *gitlab.Client) resourceTokens { return projectTokens(c, pid) })
}

func groupAccessTokens(h *Harness) (obs, error) {
	gid := h.InputString("group")
	return resourceTokenLifecycle(h, func(c *gitlab.Client) resourceTokens { return groupTokens(c, gid) })
}

// personalAccessTokens: the administrator's routes for another user's token, and the token's own
// /personal_access_tokens/self.
func personalAccessTokens(h *Harness) (obs, error) {
	o := obs{}
	c := h.Client("admin")
	user := h.InputInt("user_id")
	name, desc, scopes := "conformance-pat", "made by the conformance harness", []string{"read_api", "self_rotate"}
	made, _, err := c.Users.CreatePersonalAccessToken(user, &gitlab.CreatePersonalAccessTokenOptions{
		Name: &name, Description: &desc, Scopes: &scopes, ExpiresAt: h.Date(20),
	})
	if err != nil {
		return o, fail("create", err)
	}
	o["created"] = tokenObs(made)
	o["created_user_id"] = made.UserID
	got, _, err := c.PersonalAccessTokens.GetSinglePersonalAccessTokenByID(made.ID)
	if err != nil {
		return o, fail("get", err)
	}
	o["got"] = tokenObs(got)

	mine := h.ClientWithToken(made.Token)
	self, _, err := mine.PersonalAccessTokens.GetSinglePersonalAccessToken()
	if err != nil {
		return o, fail("self", err)
	}
	o["self_is_created"] = self.ID == made.ID
	rotated, _, err := mine.PersonalAccessTokens.RotatePersonalAccessTokenSelf(
		&gitlab.RotatePersonalAccessTokenOptions{ExpiresAt: h.Date(10)})
	if err != nil {
		return o, fail("self-rotate", err)
	}
	o["self_rotated"] = tokenObs(rotated)
	_, _, err = mine.PersonalAccessTokens.GetSinglePersonalAccessToken()
	o["old_value_self"] = errObs(err)

	rotated2, _, err := c.PersonalAccessTokens.RotatePersonalAccessTokenByID(rotated.ID,
		&gitlab.RotatePersonalAccessTokenOptions{ExpiresAt: h.Date(15)})
	if err != nil {
		return o, fail("rotate by id", err)
	}
	o["rotated_by_admin"] = tokenObs(rotated2)

	revoked := false
	all, _, err := c.PersonalAccessTokens.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{
		UserID: &user, Revoked: &revoked,
	})
	if err != nil {
		return o, fail("list", err)
	}
	names := []string{}
	for _, t := range all {
		names = append(names, t.Name)
	}
	o["list_user_not_revoked"] = names

	resp, err := c.PersonalAccessTokens.RevokePersonalAccessTokenByID(rotated2.ID)
	if err != nil {
		return o, fail("revoke", err)
	}
	o["revoke_status"] = status(resp)
	_, err = c.PersonalAccessTokens.RevokePersonalAccessTokenByID(rotated2.ID)
	o["revoke_again"] = errObs(err)
	_, _, err = c.PersonalAccessTokens.GetSinglePersonalAccessTokenByID(987654)
	o["get_unknown"] = errObs(err)
	_, err = c.PersonalAccessTokens.RevokePersonalAccessTokenByID(987654)
	o["revoke_unknown"] = errObs(err)
	bad := []string{"read_api", "no_such_scope"}
	_, _, err = c.Users.CreatePersonalAccessToken(user, &gitlab.CreatePersonalAccessTokenOptions{
		Name: &name, Scopes: &bad, ExpiresAt: h.Date(20),
	})
	o["create_bad_scope"] = errObs(err)
	empty := ""
	_, _, err = c.Users.CreatePersonalAccessToken(user, &gitlab.CreatePersonalAccessTokenOptions{
		Name: &empty, Scopes: &scopes, ExpiresAt: h.Date(20),
	})
	o["create_blank_name"] = errObs(err)
	_, _, err = c.Users.CreatePersonalAccessToken(user, &gitlab.CreatePersonalAccessTokenOptions{
		Name: &name, Scopes: &scopes, ExpiresAt: h.Date(366),
	})
	o["create_too_long"] = errObs(err)

	_, _, err = h.ClientWithToken("glpat-" + strings.Repeat("0", 20)).PersonalAccessTokens.GetSinglePersonalAccessToken()
	o["unknown_credential"] = errObs(err)
	// A user who is not an administrator learns nothing of others' tokens: 401, not 404.
	dev := h.Client("developer").PersonalAccessTokens
	_, _, err = dev.GetSinglePersonalAccessTokenByID(987654)
	o["non_admin_get_unknown"] = errObs(err)
	other := h.InputInt("other_user_id")
	_, _, err = dev.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{UserID: &other})
	o["non_admin_list_other_user"] = errObs(err)
	// Reuse detection: the first, revoked value used on a rotate path revokes its whole family
	// (rotated2 above is revoked already; the self-rotated one in between too).
	family, _, err := c.Users.CreatePersonalAccessToken(user, &gitlab.CreatePersonalAccessTokenOptions{
		Name: &name, Scopes: &scopes, ExpiresAt: h.Date(20),
	})
	if err != nil {
		return o, fail("create the family's first token", err)
	}
	first := h.ClientWithToken(family.Token)
	newest, _, err := first.PersonalAccessTokens.RotatePersonalAccessTokenSelf(nil)
	if err != nil {
		return o, fail("self-rotate without expires_at", err)
	}
	o["self_rotated_default_expiry"] = isoDate(newest.ExpiresAt)
	_, _, err = first.PersonalAccessTokens.RotatePersonalAccessTokenSelf(nil)
	o["reuse_rotate"] = errObs(err)
	after, _, err := c.PersonalAccessTokens.GetSinglePersonalAccessTokenByID(newest.ID)
	if err != nil {
		return o, fail("get the newest after reuse", err)
	}
	o["newest_after_reuse"] = obs{"active": after.Active, "revoked": after.Revoked}
	return o, nil
}

// groupServiceAccounts: a group Owner's credential makes a service account of the group and
// manages its tokens with client-go's GroupsService service-account calls.
func groupServiceAccounts(h *Harness) (obs, error) {
	o := obs{}
	c := h.Client("owner")
	gid := h.InputString("group")
	name, username := "Conformance bot", h.InputString("username")
	sa, _, err := c.Groups.CreateServiceAccount(gid, &gitlab.CreateServiceAccountOptions{Name: &name, Username: &username})
	if err != nil {
		return o, fail("create account", err)
	}
	o["account"] = obs{"name": sa.Name, "username": sa.UserName, "has_email": sa.Email != "", "has_id": sa.ID > 0}
	_, _, err = c.Groups.CreateServiceAccount(gid, &gitlab.CreateServiceAccountOptions{Name: &name, Username: &username})
	o["create_taken_username"] = errObs(err)

	second := "Second bot"
	sa2, _, err := c.Groups.CreateServiceAccount(gid, &gitlab.CreateServiceAccountOptions{Name: &second})
	if err != nil {
		return o, fail("create a second account", err)
	}
	o["generated_username"] = strings.HasPrefix(sa2.UserName, "service_account_group_")
	// GitLab lists them by id, newest first (sort defaults to desc).
	accounts, _, err := c.Groups.ListServiceAccounts(gid, &gitlab.ListServiceAccountsOptions{})
	if err != nil {
		return o, fail("list accounts", err)
	}
	o["accounts"] = len(accounts)
	o["accounts_newest_first"] = len(accounts) == 2 && accounts[0].ID == sa2.ID && accounts[1].ID == sa.ID
	if _, err := c.Groups.DeleteServiceAccount(gid, sa2.ID, nil); err != nil {
		return o, fail("delete the second account", err)
	}

	tname, scopes := "conformance-sa", []string{"read_repository"}
	made, _, err := c.Groups.CreateServiceAccountPersonalAccessToken(gid, sa.ID,
		&gitlab.CreateServiceAccountPersonalAccessTokenOptions{Name: &tname, Scopes: &scopes, ExpiresAt: h.Date(30)})
	if err != nil {
		return o, fail("create token", err)
	}
	o["token"] = tokenObs(made)
	o["token_user_is_account"] = made.UserID == sa.ID
	rotated, _, err := c.Groups.RotateServiceAccountPersonalAccessToken(gid, sa.ID, made.ID,
		&gitlab.RotateServiceAccountPersonalAccessTokenOptions{ExpiresAt: h.Date(45)})
	if err != nil {
		return o, fail("rotate token", err)
	}
	o["rotated"] = tokenObs(rotated)
	revoked := true
	tokens, _, err := c.Groups.ListServiceAccountPersonalAccessTokens(gid, sa.ID,
		&gitlab.ListServiceAccountPersonalAccessTokensOptions{Revoked: &revoked})
	if err != nil {
		return o, fail("list revoked tokens", err)
	}
	o["revoked_tokens"] = len(tokens)
	yesterday := time.Time(*h.Date(-1))
	tokens, _, err = c.Groups.ListServiceAccountPersonalAccessTokens(gid, sa.ID,
		&gitlab.ListServiceAccountPersonalAccessTokensOptions{CreatedAfter: &yesterday})
	if err != nil {
		return o, fail("list tokens created after yesterday", err)
	}
	o["created_after_yesterday"] = len(tokens)
	resp, err := c.Groups.RevokeServiceAccountPersonalAccessToken(gid, sa.ID, rotated.ID)
	if err != nil {
		return o, fail("revoke token", err)
	}
	o["revoke_status"] = status(resp)
	_, err = c.Groups.RevokeServiceAccountPersonalAccessToken(gid, sa.ID, 987654)
	o["revoke_unknown"] = errObs(err)
	_, _, err = c.Groups.CreateServiceAccountPersonalAccessToken(gid, 987654,
		&gitlab.CreateServiceAccountPersonalAccessTokenOptions{Name: &tname, Scopes: &scopes})
	o["token_of_unknown_account"] = errObs(err)
	_, _, err = c.Groups.CreateServiceAccountPersonalAccessToken(gid, sa.ID,
		&gitlab.CreateServiceAccountPersonalAccessTokenOptions{Name: &tname, Scopes: &scopes, ExpiresAt: h.Date(366)})
	o["create_too_long"] = errObs(err)
	_, _, err = h.Client("developer").Groups.ListServiceAccounts(gid, &gitlab.ListServiceAccountsOptions{})
	o["list_as_non_owner"] = errObs(err)

	resp, err = c.Groups.DeleteServiceAccount(gid, sa.ID, &gitlab.DeleteServiceAccountOptions{})
	if err != nil {
		return o, fail("delete account", err)
	}
	o["delete_status"] = status(resp)
	return o, nil
}

func variableObs(v *gitlab.ProjectVariable) obs {
	return obs{
		"key": v.Key, "value": v.Value, "variable_type": string(v.VariableType), "protected": v.Protected,
		"masked": v.Masked, "hidden": v.Hidden, "raw": v.Raw, "environment_scope": v.EnvironmentScope,
		"description": v.Description,
	}
}

// projectVariables: create (masked, then masked and hidden), update, get, delete, and the
// validation errors GitLab gives a masked value that cannot be masked and a key taken twice.
func projectVariables(h *Harness) (obs, error) {
	o := obs{}
	s := h.Client("admin").ProjectVariables
	pid := h.InputString("project")
	t, f := true, false
	key, value, desc := "CONFORMANCE_TOKEN", h.InputString("value"), "delivered by the conformance harness"
	v, _, err := s.CreateVariable(pid, &gitlab.CreateProjectVariableOptions{
		Key: &key, Value: &value, Masked: &t, Protected: &t, Description: &desc,
	})
	if err != nil {
		return o, fail("create masked", err)
	}
	o["created"] = variableObs(v)
	newValue := h.InputString("new_value")
	v, _, err = s.UpdateVariable(pid, key, &gitlab.UpdateProjectVariableOptions{Value: &newValue, Protected: &f})
	if err != nil {
		return o, fail("update", err)
	}
	o["updated"] = variableObs(v)
	_, _, err = s.CreateVariable(pid, &gitlab.CreateProjectVariableOptions{Key: &key, Value: &value})
	o["create_taken"] = errObs(err)

	hiddenKey := "CONFORMANCE_HIDDEN"
	v, _, err = s.CreateVariable(pid, &gitlab.CreateProjectVariableOptions{
		Key: &hiddenKey, Value: &value, MaskedAndHidden: &t, Masked: &t,
	})
	if err != nil {
		return o, fail("create hidden", err)
	}
	o["created_hidden"] = variableObs(v)
	v, _, err = s.GetVariable(pid, hiddenKey, nil)
	if err != nil {
		return o, fail("get hidden", err)
	}
	o["got_hidden"] = variableObs(v)

	short, shortKey := "abc", "CONFORMANCE_SHORT"
	_, _, err = s.CreateVariable(pid, &gitlab.CreateProjectVariableOptions{Key: &shortKey, Value: &short, Masked: &t})
	o["create_unmaskable"] = errObs(err)

	all, _, err := s.ListVariables(pid, &gitlab.ListProjectVariablesOptions{})
	if err != nil {
		return o, fail("list", err)
	}
	keys := []string{}
	for _, x := range all {
		keys = append(keys, x.Key)
	}
	slices.Sort(keys)
	o["keys"] = keys

	// One key in two environment scopes: without filter[environment_scope] GitLab cannot choose (409).
	scopedKey := "CONFORMANCE_SCOPED"
	for _, scope := range []string{"production", "staging"} {
		if _, _, err := s.CreateVariable(pid, &gitlab.CreateProjectVariableOptions{
			Key: &scopedKey, Value: &value, EnvironmentScope: &scope,
		}); err != nil {
			return o, fail("create in "+scope, err)
		}
	}
	_, _, err = s.GetVariable(pid, scopedKey, nil)
	o["get_ambiguous"] = errObs(err)
	v, _, err = s.GetVariable(pid, scopedKey, &gitlab.GetProjectVariableOptions{
		Filter: &gitlab.VariableFilter{EnvironmentScope: "production"},
	})
	if err != nil {
		return o, fail("get with filter", err)
	}
	o["get_filtered_scope"] = v.EnvironmentScope
	resp, err := s.RemoveVariable(pid, scopedKey, &gitlab.RemoveProjectVariableOptions{
		Filter: &gitlab.VariableFilter{EnvironmentScope: "staging"},
	})
	if err != nil {
		return o, fail("delete with filter", err)
	}
	o["delete_filtered_status"] = status(resp)
	v, _, err = s.GetVariable(pid, scopedKey, nil)
	if err != nil {
		return o, fail("get the one left", err)
	}
	o["left_scope"] = v.EnvironmentScope

	for _, k := range []string{key, hiddenKey, scopedKey} {
		resp, err := s.RemoveVariable(pid, k, nil)
		if err != nil {
			return o, fail("delete "+k, err)
		}
		o["delete_status"] = status(resp)
	}
	_, _, err = s.GetVariable(pid, key, nil)
	o["get_deleted"] = errObs(err)
	_, err = s.RemoveVariable(pid, key, nil)
	o["delete_deleted"] = errObs(err)
	return o, nil
}

// pagination: pages as client-go parses their headers, then every page through Scan and
// ScanAndCollectN, which follow the Link header's rel="next" URL (its query replaces the request's;
// X-Next-Page only when there is no Link).
func pagination(h *Harness) (obs, error) {
	o := obs{}
	c := h.Client("admin")
	user := h.InputInt("user_id")
	per := int64(h.InputInt("per_page"))
	opts := func(page int64) *gitlab.ListPersonalAccessTokensOptions {
		return &gitlab.ListPersonalAccessTokensOptions{
			UserID: &user, ListOptions: gitlab.ListOptions{PerPage: per, Page: page},
		}
	}
	first, resp, err := c.PersonalAccessTokens.ListPersonalAccessTokens(opts(1))
	if err != nil {
		return o, fail("page 1", err)
	}
	o["page_1"] = pageObs(resp, len(first))
	second, resp, err := c.PersonalAccessTokens.ListPersonalAccessTokens(opts(2))
	if err != nil {
		return o, fail("page 2", err)
	}
	o["page_2"] = pageObs(resp, len(second))
	last, resp, err := c.PersonalAccessTokens.ListPersonalAccessTokens(opts(resp.TotalPages))
	if err != nil {
		return o, fail("last page", err)
	}
	o["last_page"] = pageObs(resp, len(last))

	it, hasErr := gitlab.Scan(func(p gitlab.PaginationOptionFunc) ([]*gitlab.PersonalAccessToken, *gitlab.Response, error) {
		if p == nil {
			return c.PersonalAccessTokens.ListPersonalAccessTokens(opts(1))
		}
		return c.PersonalAccessTokens.ListPersonalAccessTokens(opts(1), p)
	})
	names := []string{}
	for t := range it {
		names = append(names, t.Name)
	}
	if err := hasErr(); err != nil {
		return o, fail("Scan", err)
	}
	o["scan_names"] = names
	some, err := gitlab.ScanAndCollectN(func(p gitlab.PaginationOptionFunc) ([]*gitlab.PersonalAccessToken, *gitlab.Response, error) {
		if p == nil {
			return c.PersonalAccessTokens.ListPersonalAccessTokens(opts(1))
		}
		return c.PersonalAccessTokens.ListPersonalAccessTokens(opts(1), p)
	}, int(per)+1)
	if err != nil {
		return o, fail("ScanAndCollectN", err)
	}
	o["collect_n"] = len(some)
	return o, nil
}

// tokenFilters: the list filters of GET /personal_access_tokens as client-go's typed options
// encode them (ISOTime dates, also on the datetime parameters created_after/created_before).
func tokenFilters(h *Harness) (obs, error) {
	o := obs{}
	c := h.Client("admin")
	user := h.InputInt("user_id")
	list := func(step string, set func(*gitlab.ListPersonalAccessTokensOptions)) error {
		opt := &gitlab.ListPersonalAccessTokensOptions{UserID: &user}
		set(opt)
		ts, _, err := c.PersonalAccessTokens.ListPersonalAccessTokens(opt)
		if err != nil {
			return fail(step, err)
		}
		names := []string{}
		for _, t := range ts {
			names = append(names, t.Name)
		}
		o[step] = names
		return nil
	}
	date := func(s string) *gitlab.ISOTime {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			panic(err)
		}
		v := gitlab.ISOTime(d)
		return &v
	}
	pivot := h.InputString("pivot")
	str := func(v string) *string { return &v }
	t := true
	steps := []struct {
		name string
		set  func(*gitlab.ListPersonalAccessTokensOptions)
	}{
		{"expires_before", func(x *gitlab.ListPersonalAccessTokensOptions) { x.ExpiresBefore = date(pivot) }},
		{"expires_after", func(x *gitlab.ListPersonalAccessTokensOptions) { x.ExpiresAfter = date(pivot) }},
		{"search", func(x *gitlab.ListPersonalAccessTokensOptions) { x.Search = str(h.InputString("search")) }},
		{"sort_name_desc", func(x *gitlab.ListPersonalAccessTokensOptions) { x.Sort = str("name_desc") }},
		{"sort_expires_asc", func(x *gitlab.ListPersonalAccessTokensOptions) { x.Sort = str("expires_asc") }},
		{"state_inactive", func(x *gitlab.ListPersonalAccessTokensOptions) { x.State = str("inactive") }},
		{"revoked", func(x *gitlab.ListPersonalAccessTokensOptions) { x.Revoked = &t }},
		{"created_after_yesterday", func(x *gitlab.ListPersonalAccessTokensOptions) { x.CreatedAfter = h.Date(-1) }},
		{"created_before_yesterday", func(x *gitlab.ListPersonalAccessTokensOptions) { x.CreatedBefore = h.Date(-1) }},
	}
	for _, st := range steps {
		if err := list(st.name, st.set); err != nil {
			return o, err
		}
	}
	bad := "newest"
	_, _, err := c.PersonalAccessTokens.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{Sort: &bad})
	o["bad_sort"] = errObs(err)
	return o, nil
}

func groupVariableObs(v *gitlab.GroupVariable) obs {
	return variableObs(&gitlab.ProjectVariable{
		Key: v.Key, Value: v.Value, VariableType: v.VariableType, Protected: v.Protected, Masked: v.Masked,
		Hidden: v.Hidden, Raw: v.Raw, EnvironmentScope: v.EnvironmentScope, Description: v.Description,
	})
}

// groupVariables: a group Owner's CI/CD variables in two environment scopes, with client-go's
// GroupVariablesService (the group API declares its flags as strings; client-go sends booleans).
func groupVariables(h *Harness) (obs, error) {
	o := obs{}
	s := h.Client("owner").GroupVariables
	gid := h.InputString("group")
	t, f := true, false
	key, value, desc := "CONFORMANCE_GROUP_TOKEN", h.InputString("value"), "delivered by the conformance harness"
	prod, all := "production", "*"
	onlyProd := &gitlab.VariableFilter{EnvironmentScope: prod}
	v, _, err := s.CreateVariable(gid, &gitlab.CreateGroupVariableOptions{
		Key: &key, Value: &value, Masked: &t, Protected: &t, Raw: &t, EnvironmentScope: &prod, Description: &desc,
	})
	if err != nil {
		return o, fail("create", err)
	}
	o["created"] = groupVariableObs(v)
	newValue := h.InputString("new_value")
	v, _, err = s.UpdateVariable(gid, key, &gitlab.UpdateGroupVariableOptions{
		Value: &newValue, Protected: &f, Filter: onlyProd,
	})
	if err != nil {
		return o, fail("update", err)
	}
	o["updated"] = groupVariableObs(v)
	_, _, err = s.CreateVariable(gid, &gitlab.CreateGroupVariableOptions{Key: &key, Value: &value, EnvironmentScope: &prod})
	o["create_taken"] = errObs(err)
	if _, _, err := s.CreateVariable(gid, &gitlab.CreateGroupVariableOptions{
		Key: &key, Value: &value, EnvironmentScope: &all,
	}); err != nil {
		return o, fail("create for every environment", err)
	}
	_, _, err = s.GetVariable(gid, key, nil)
	o["get_ambiguous"] = errObs(err)
	v, _, err = s.GetVariable(gid, key, &gitlab.GetGroupVariableOptions{Filter: onlyProd})
	if err != nil {
		return o, fail("get with filter", err)
	}
	o["got_production"] = groupVariableObs(v)
	_, _, err = h.Client("developer").GroupVariables.ListVariables(gid, nil)
	o["list_as_developer"] = errObs(err)

	resp, err := s.RemoveVariable(gid, key, &gitlab.RemoveGroupVariableOptions{Filter: onlyProd})
	if err != nil {
		return o, fail("delete production", err)
	}
	o["delete_status"] = status(resp)
	v, _, err = s.GetVariable(gid, key, nil)
	if err != nil {
		return o, fail("get the one left", err)
	}
	o["left_scope"] = v.EnvironmentScope
	if _, err := s.RemoveVariable(gid, key, nil); err != nil {
		return o, fail("delete the one left", err)
	}
	_, _, err = s.GetVariable(gid, key, nil)
	o["get_deleted"] = errObs(err)
	return o, nil
}

// projectTokenLevels: a project Maintainer may make and rotate tokens up to its own level, not an
// Owner-level one (ResourceAccessTokens::CreateService, ProjectAccessTokens::RotateService).
func projectTokenLevels(h *Harness) (obs, error) {
	o := obs{}
	pid := h.InputString("project")
	admin, maint := projectTokens(h.Client("admin"), pid), projectTokens(h.Client("maintainer"), pid)
	scopes := []string{"read_api"}
	_, _, err := maint.create(createResourceToken{
		name: "owner-level", scopes: scopes, level: gitlab.OwnerPermissions, expiresAt: h.Date(30),
	})
	o["maintainer_creates_owner_level"] = errObs(err)
	own, level, err := maint.create(createResourceToken{
		name: "maintainer-level", scopes: scopes, level: gitlab.MaintainerPermissions, expiresAt: h.Date(30),
	})
	if err != nil {
		return o, fail("maintainer creates a Maintainer-level token", err)
	}
	o["maintainer_creates_own_level"] = int(level)
	high, level, err := admin.create(createResourceToken{
		name: "owner-level", scopes: scopes, level: gitlab.OwnerPermissions, expiresAt: h.Date(30),
	})
	if err != nil {
		return o, fail("admin creates an Owner-level token", err)
	}
	o["admin_creates_owner_level"] = int(level)
	_, _, err = maint.rotate(high.ID, nil)
	o["maintainer_rotates_owner_level"] = errObs(err)
	rotated, level, err := maint.rotate(own.ID, nil)
	if err != nil {
		return o, fail("maintainer rotates its own level", err)
	}
	o["maintainer_rotates_own_level"] = int(level)
	resp, err := maint.revoke(rotated.ID)
	if err != nil {
		return o, fail("maintainer revokes", err)
	}
	o["maintainer_revoke_status"] = status(resp)
	if _, err := admin.revoke(high.ID); err != nil {
		return o, fail("admin revokes", err)
	}
	return o, nil
}
