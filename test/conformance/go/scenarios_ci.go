package main

// The CI credentials' scenarios: pipeline trigger tokens, deploy tokens and project service
// accounts. Expected values: clients.test.ts (from GitLab's source, cited there).

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// secretShapes: the token formats the CI scenarios meet, reported by shape only.
var secretShapes = []struct {
	re    *regexp.Regexp
	shape string
}{
	{regexp.MustCompile(`^glptt-[0-9a-f]{40}$`), "glptt-<40 hex>"},
	{regexp.MustCompile(`^gldt-[A-Za-z0-9_-]{20}$`), "gldt-<20>"},
	{regexp.MustCompile(`^glpat-[A-Za-z0-9_-]{20}$`), "glpat-<20>"},
}

// secretShape reports a token value by its shape: one of secretShapes, else its length.
func secretShape(v string) any {
	if v == "" {
		return nil
	}
	for _, s := range secretShapes {
		if s.re.MatchString(v) {
			return s.shape
		}
	}
	return fmt.Sprintf("<%d characters>", len(v))
}

// day is a timestamp's date (UTC), or nil.
func day(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format("2006-01-02")
}

// raw sends a request client-go v1.46 has no typed call (or no field) for, the way its users do:
// the client's own NewRequest and Do (authentication, JSON body, CheckResponse's typed errors).
func raw(c *gitlab.Client, method, path string, body, into any) (*gitlab.Response, error) {
	req, err := c.NewRequest(method, path, body, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req, into)
}

// sandboxSettings changes the sandbox's instance settings (its admin endpoint, not GitLab's API):
// how a scenario plays a GitLab with a feature flag off.
func sandboxSettings(h *Harness, settings string) error {
	req, err := http.NewRequest(http.MethodPatch, h.ctx.URL+"/-/sandbox/settings", strings.NewReader(settings))
	if err != nil {
		return err
	}
	req.Header.Set("PRIVATE-TOKEN", h.ctx.Tokens["admin"])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PATCH /-/sandbox/settings: %d", resp.StatusCode)
	}
	return nil
}

// triggerWithExpiry is client-go's PipelineTrigger plus `expires_at` (GitLab 17.x+), which v1.46
// does not have.
type triggerWithExpiry struct {
	gitlab.PipelineTrigger
	ExpiresAt *time.Time `json:"expires_at"`
}

func triggerObs(t *gitlab.PipelineTrigger) obs {
	o := obs{
		"description": t.Description,
		"token":       secretShape(t.Token),
		"created_at":  nil,
		"owner":       nil,
	}
	if t.CreatedAt != nil {
		o["created_at"] = t.CreatedAt.UTC().Format("2006-01-02T15:04:05")
	}
	if t.Owner != nil {
		o["owner"] = t.Owner.Username
	}
	return o
}

// pipelineTriggers: client-go's PipelineTriggers service (add, get, edit, list, delete), and
// expires_at through NewRequest/Do (v1.46's AddPipelineTriggerOptions has no ExpiresAt).
func pipelineTriggers(h *Harness) (obs, error) {
	o := obs{}
	c := h.Client("admin")
	s := c.PipelineTriggers
	pid := h.InputString("project")
	desc := "from the Go client"
	made, resp, err := s.AddPipelineTrigger(pid, &gitlab.AddPipelineTriggerOptions{Description: &desc})
	if err != nil {
		return o, fail("add", err)
	}
	o["created"] = triggerObs(made)
	o["create_status"] = status(resp)
	o["owner_is_admin"] = made.Owner != nil && made.Owner.ID == h.ctx.Users["root"]

	path := "projects/" + url.PathEscape(pid) + "/triggers"
	var expiring triggerWithExpiry
	body := map[string]any{"description": "expiring", "expires_at": h.Date(30)}
	if _, err := raw(c, http.MethodPost, path, body, &expiring); err != nil {
		return o, fail("add with expires_at", err)
	}
	o["created_expiring"] = obs{"description": expiring.Description, "expires_at": day(expiring.ExpiresAt)}
	var got triggerWithExpiry
	if _, err := raw(c, http.MethodGet, fmt.Sprintf("%s/%d", path, expiring.ID), nil, &got); err != nil {
		return o, fail("get the expiring one", err)
	}
	o["got_expiring_expires_at"] = day(got.ExpiresAt)
	_, err = raw(c, http.MethodPost, path, map[string]any{"description": "too long", "expires_at": h.Date(366)}, nil)
	o["create_too_long"] = errObs(err)
	_, _, err = s.AddPipelineTrigger(pid, &gitlab.AddPipelineTriggerOptions{})
	o["create_without_description"] = errObs(err)

	mine, _, err := s.GetPipelineTrigger(pid, made.ID)
	if err != nil {
		return o, fail("get", err)
	}
	o["got"] = triggerObs(mine)
	o["got_same_value"] = mine.Token == made.Token
	// Another Maintainer sees four characters of the value (TriggerPresenter#token).
	other, _, err := h.Client("maintainer").PipelineTriggers.GetPipelineTrigger(pid, made.ID)
	if err != nil {
		return o, fail("get as another maintainer", err)
	}
	o["got_by_other_user"] = secretShape(other.Token)

	edited := "edited"
	e, _, err := s.EditPipelineTrigger(pid, made.ID, &gitlab.EditPipelineTriggerOptions{Description: &edited})
	if err != nil {
		return o, fail("edit", err)
	}
	o["edited_description"] = e.Description

	all, _, err := s.ListPipelineTriggers(pid, &gitlab.ListPipelineTriggersOptions{})
	if err != nil {
		return o, fail("list", err)
	}
	names := []string{}
	for _, t := range all {
		names = append(names, t.Description)
	}
	slices.Sort(names)
	o["listed"] = names
	_, _, err = h.Client("developer").PipelineTriggers.ListPipelineTriggers(pid, &gitlab.ListPipelineTriggersOptions{})
	o["list_as_developer"] = errObs(err)

	resp, err = s.DeletePipelineTrigger(pid, made.ID)
	if err != nil {
		return o, fail("delete", err)
	}
	o["delete_status"] = status(resp)
	_, _, err = s.GetPipelineTrigger(pid, made.ID)
	o["get_deleted"] = errObs(err)
	_, err = s.DeletePipelineTrigger(pid, made.ID)
	o["delete_deleted"] = errObs(err)
	if _, err := s.DeletePipelineTrigger(pid, expiring.ID); err != nil {
		return o, fail("delete the expiring one", err)
	}
	return o, nil
}

func deployTokenObs(t *gitlab.DeployToken) obs {
	return obs{
		"name": t.Name, "username": t.Username, "scopes": t.Scopes, "expires_at": day(t.ExpiresAt),
		"revoked": t.Revoked, "expired": t.Expired, "token": secretShape(t.Token),
	}
}

// deployTokenAPI is client-go's project or group deploy token calls, seen through one shape.
type deployTokenAPI struct {
	create func(name string, username *string, scopes []string, expires *time.Time) (*gitlab.DeployToken, *gitlab.Response, error)
	get    func(id int64) (*gitlab.DeployToken, error)
	list   func() ([]*gitlab.DeployToken, error)
	del    func(id int64) (*gitlab.Response, error)
}

func projectDeployTokens(c *gitlab.Client, pid string) deployTokenAPI {
	s := c.DeployTokens
	return deployTokenAPI{
		create: func(name string, username *string, scopes []string, expires *time.Time) (*gitlab.DeployToken, *gitlab.Response, error) {
			return s.CreateProjectDeployToken(pid, &gitlab.CreateProjectDeployTokenOptions{
				Name: &name, Username: username, Scopes: &scopes, ExpiresAt: expires,
			})
		},
		get: func(id int64) (*gitlab.DeployToken, error) {
			t, _, err := s.GetProjectDeployToken(pid, id)
			return t, err
		},
		list: func() ([]*gitlab.DeployToken, error) {
			ts, _, err := s.ListProjectDeployTokens(pid, &gitlab.ListProjectDeployTokensOptions{})
			return ts, err
		},
		del: func(id int64) (*gitlab.Response, error) { return s.DeleteProjectDeployToken(pid, id) },
	}
}

func groupDeployTokens(c *gitlab.Client, gid string) deployTokenAPI {
	s := c.DeployTokens
	return deployTokenAPI{
		create: func(name string, username *string, scopes []string, expires *time.Time) (*gitlab.DeployToken, *gitlab.Response, error) {
			return s.CreateGroupDeployToken(gid, &gitlab.CreateGroupDeployTokenOptions{
				Name: &name, Username: username, Scopes: &scopes, ExpiresAt: expires,
			})
		},
		get: func(id int64) (*gitlab.DeployToken, error) {
			t, _, err := s.GetGroupDeployToken(gid, id)
			return t, err
		},
		list: func() ([]*gitlab.DeployToken, error) {
			ts, _, err := s.ListGroupDeployTokens(gid, &gitlab.ListGroupDeployTokensOptions{})
			return ts, err
		},
		del: func(id int64) (*gitlab.Response, error) { return s.DeleteGroupDeployToken(gid, id) },
	}
}

// deployTokenLifecycle: create with a username and an expiry, create with neither (GitLab's
// default username, no expiry), an expired one, list, get, delete, 404s, a bad scope.
func deployTokenLifecycle(h *Harness, api deployTokenAPI) (obs, error) {
	o := obs{}
	username := "conformance-deployer"
	expires := time.Time(*h.Date(30))
	named, resp, err := api.create("conformance-deploy", &username, []string{"read_repository", "read_registry"}, &expires)
	if err != nil {
		return o, fail("create", err)
	}
	o["created"] = deployTokenObs(named)
	o["create_status"] = status(resp)
	plain, _, err := api.create("plain", nil, []string{"read_repository"}, nil)
	if err != nil {
		return o, fail("create without username", err)
	}
	o["created_plain"] = deployTokenObs(plain)
	o["default_username"] = plain.Username == fmt.Sprintf("gitlab+deploy-token-%d", plain.ID)
	yesterday := time.Time(*h.Date(-1))
	old, _, err := api.create("expired", nil, []string{"read_repository"}, &yesterday)
	if err != nil {
		return o, fail("create an expired one", err)
	}
	o["created_expired"] = obs{"expired": old.Expired, "expires_at": day(old.ExpiresAt)}

	got, err := api.get(named.ID)
	if err != nil {
		return o, fail("get", err)
	}
	o["got"] = deployTokenObs(got)
	all, err := api.list()
	if err != nil {
		return o, fail("list", err)
	}
	names := []string{}
	for _, t := range all {
		names = append(names, t.Name)
	}
	o["listed"] = names
	_, _, err = api.create("bad-scope", nil, []string{"api"}, nil)
	o["create_bad_scope"] = errObs(err)

	for _, t := range []*gitlab.DeployToken{plain, old} {
		if _, err := api.del(t.ID); err != nil {
			return o, fail("delete "+t.Name, err)
		}
	}
	resp, err = api.del(named.ID)
	if err != nil {
		return o, fail("delete", err)
	}
	o["delete_status"] = status(resp)
	_, err = api.get(named.ID)
	o["get_deleted"] = errObs(err)
	_, err = api.del(named.ID)
	o["delete_deleted"] = errObs(err)
	return o, nil
}

// deployTokens: client-go's DeployTokens service on a project (an administrator) and a group (its
// Owner), and the administrators' list of all. client-go v1.46 has no `active` list option.
func deployTokens(h *Harness) (obs, error) {
	o := obs{}
	project, err := deployTokenLifecycle(h, projectDeployTokens(h.Client("admin"), h.InputString("project")))
	o["project"] = project
	if err != nil {
		return o, fmt.Errorf("project: %w", err)
	}
	group, err := deployTokenLifecycle(h, groupDeployTokens(h.Client("owner"), h.InputString("group")))
	o["group"] = group
	if err != nil {
		return o, fmt.Errorf("group: %w", err)
	}
	// A Developer of the project: read_deploy_token is Maintainer+ (authorize!: 403).
	_, _, err = h.Client("developer").DeployTokens.ListProjectDeployTokens(h.InputString("project"), &gitlab.ListProjectDeployTokensOptions{})
	o["list_as_developer"] = errObs(err)
	all, _, err := h.Client("admin").DeployTokens.ListAllDeployTokens()
	if err != nil {
		return o, fail("list all", err)
	}
	o["all_after_delete"] = len(all)
	_, _, err = h.Client("owner").DeployTokens.ListAllDeployTokens()
	o["list_all_as_non_admin"] = errObs(err)
	return o, nil
}

// serviceAccount is a project service account as GitLab's API returns it.
type serviceAccount struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Email    string `json:"email"`
}

// projectServiceAccounts: client-go v1.46 has no project service-account calls (it has the group
// ones, Groups.*ServiceAccount*), so this uses the client's generic NewRequest/Do, as a user would.
func projectServiceAccounts(h *Harness) (obs, error) {
	o := obs{}
	c := h.Client("maintainer")
	base := "projects/" + url.PathEscape(h.InputString("project")) + "/service_accounts"
	var sa serviceAccount
	resp, err := raw(c, http.MethodPost, base, map[string]any{"name": "Project bot"}, &sa)
	if err != nil {
		return o, fail("create account", err)
	}
	o["create_status"] = status(resp)
	o["account"] = obs{
		"name":               sa.Name,
		"generated_username": strings.HasPrefix(sa.Username, "service_account_project_"),
		"has_email":          sa.Email != "",
	}
	var accounts []serviceAccount
	if _, err := raw(c, http.MethodGet, base, nil, &accounts); err != nil {
		return o, fail("list accounts", err)
	}
	o["accounts"] = len(accounts)

	tokens := fmt.Sprintf("%s/%d/personal_access_tokens", base, sa.ID)
	var made gitlab.PersonalAccessToken
	_, err = raw(c, http.MethodPost, tokens, map[string]any{
		"name": "conformance-psa", "scopes": []string{"read_api"}, "expires_at": h.Date(30),
	}, &made)
	if err != nil {
		return o, fail("create token", err)
	}
	o["token"] = tokenObs(&made)
	o["token_user_is_account"] = made.UserID == sa.ID
	var listed []gitlab.PersonalAccessToken
	if _, err := raw(c, http.MethodGet, tokens, nil, &listed); err != nil {
		return o, fail("list tokens", err)
	}
	o["tokens"] = len(listed)
	var rotated gitlab.PersonalAccessToken
	_, err = raw(c, http.MethodPost, fmt.Sprintf("%s/%d/rotate", tokens, made.ID), map[string]any{"expires_at": h.Date(45)}, &rotated)
	if err != nil {
		return o, fail("rotate token", err)
	}
	o["rotated"] = tokenObs(&rotated)
	o["rotated_is_new_id"] = rotated.ID != made.ID
	resp, err = raw(c, http.MethodDelete, fmt.Sprintf("%s/%d", tokens, rotated.ID), nil, nil)
	if err != nil {
		return o, fail("revoke token", err)
	}
	o["revoke_status"] = status(resp)
	_, err = raw(c, http.MethodDelete, fmt.Sprintf("%s/987654", tokens), nil, nil)
	o["revoke_unknown"] = errObs(err)
	_, err = raw(h.Client("developer"), http.MethodGet, base, nil, nil)
	o["list_as_developer"] = errObs(err)

	// The feature flag allow_projects_to_create_service_accounts off: every route is 404.
	if err := sandboxSettings(h, `{"allowProjectsToCreateServiceAccounts": false}`); err != nil {
		return o, fail("flag off", err)
	}
	_, err = raw(c, http.MethodGet, base, nil, nil)
	o["flag_off_list"] = errObs(err)
	_, err = raw(c, http.MethodPost, base, map[string]any{"name": "Another bot"}, nil)
	o["flag_off_create"] = errObs(err)
	if err := sandboxSettings(h, `{"allowProjectsToCreateServiceAccounts": true}`); err != nil {
		return o, fail("flag on", err)
	}

	resp, err = raw(c, http.MethodDelete, fmt.Sprintf("%s/%d", base, sa.ID), nil, nil)
	if err != nil {
		return o, fail("delete account", err)
	}
	o["delete_status"] = status(resp)
	return o, nil
}
