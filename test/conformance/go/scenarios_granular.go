package main

// The granular-pats scenario: fine-grained personal access tokens (GitLab 19.2+; the
// administrators' route 19.6+). client-go v1.46 has neither a GranularScopes option nor a Granular
// or GranularScopes field: the granular token is made with the client's own NewRequest/Do, and the
// typed calls read it back — what a client-go user sees of one (scopes ["granular"], the unknown
// fields dropped). Expected values: clients.test.ts.

import (
	"fmt"
	"net/http"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

func granularPats(h *Harness) (obs, error) {
	o := obs{}
	c := h.Client("admin")
	user := h.InputInt("user_id")
	project, _, err := c.Projects.GetProject(h.InputString("project"), nil)
	if err != nil {
		return o, fail("get the project", err)
	}
	group, _, err := c.Groups.GetGroup(h.InputString("group"), nil)
	if err != nil {
		return o, fail("get the group", err)
	}
	path := fmt.Sprintf("users/%d/personal_access_tokens", user)
	granularScopes := []map[string]any{
		{"access": "selected_memberships", "permissions": []string{"read_job"}, "project_ids": []int64{project.ID}},
		{"access": "personal_projects", "permissions": []string{"read_job", "delete_artifact"}},
	}
	var made gitlab.PersonalAccessToken
	resp, err := raw(c, http.MethodPost, path, map[string]any{
		"name": "conformance-granular", "description": "made by the conformance harness",
		"expires_at": h.Date(30), "granular_scopes": granularScopes,
	}, &made)
	if err != nil {
		return o, fail("create the granular token", err)
	}
	o["create_status"] = status(resp)
	o["created"] = tokenObs(&made)

	// A legacy token beside it, with the typed call.
	name, desc, scopes := "conformance-legacy", "made by the conformance harness", []string{"read_api"}
	legacy, _, err := c.Users.CreatePersonalAccessToken(user, &gitlab.CreatePersonalAccessTokenOptions{
		Name: &name, Description: &desc, Scopes: &scopes, ExpiresAt: h.Date(30),
	})
	if err != nil {
		return o, fail("create the legacy token", err)
	}
	o["legacy"] = tokenObs(legacy)

	got, _, err := c.PersonalAccessTokens.GetSinglePersonalAccessTokenByID(made.ID)
	if err != nil {
		return o, fail("get the granular token", err)
	}
	o["got"] = tokenObs(got)

	listed, _, err := c.PersonalAccessTokens.ListPersonalAccessTokens(&gitlab.ListPersonalAccessTokensOptions{UserID: &user})
	if err != nil {
		return o, fail("list", err)
	}
	byName := obs{}
	for _, t := range listed {
		byName[t.Name] = t.Scopes
	}
	o["listed_scopes"] = byName

	rotated, _, err := c.PersonalAccessTokens.RotatePersonalAccessTokenByID(made.ID,
		&gitlab.RotatePersonalAccessTokenOptions{ExpiresAt: h.Date(45)})
	if err != nil {
		return o, fail("rotate the granular token", err)
	}
	o["rotated"] = tokenObs(rotated)

	// Refusals: neither or both kinds of scope (Grape's exactly_one_of), a project or group the
	// user is not a member of (404), a permission GitLab does not know.
	_, _, err = c.Users.CreatePersonalAccessToken(user, &gitlab.CreatePersonalAccessTokenOptions{Name: &name})
	o["create_neither"] = errObs(err)
	_, err = raw(c, http.MethodPost, path, map[string]any{
		"name": name, "scopes": scopes, "granular_scopes": granularScopes,
	}, nil)
	o["create_both"] = errObs(err)
	_, err = raw(c, http.MethodPost, path, map[string]any{
		"name": name, "granular_scopes": []map[string]any{
			{"access": "selected_memberships", "permissions": []string{"read_job"}, "group_ids": []int64{group.ID}},
		},
	}, nil)
	o["create_not_member"] = errObs(err)
	_, err = raw(c, http.MethodPost, path, map[string]any{
		"name": name, "granular_scopes": []map[string]any{
			{"access": "user", "permissions": []string{"read_everything"}},
		},
	}, nil)
	o["create_unknown_permission"] = errObs(err)

	for _, id := range []int64{rotated.ID, legacy.ID} {
		resp, err := c.PersonalAccessTokens.RevokePersonalAccessTokenByID(id)
		if err != nil {
			return o, fail("revoke", err)
		}
		o["revoke_status"] = status(resp)
	}
	return o, nil
}
