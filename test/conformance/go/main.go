// Command conformance drives the GitLab sandbox with GitLab's own Go client,
// gitlab.com/gitlab-org/api/client-go, the way its users call it, and prints what the client saw.
//
//	CONFORMANCE_CONTEXT='{"url": "...", "tokens": {...}, ...}' conformance SCENARIO...
//
// It prints one JSON object on stdout: for each scenario named, {"observed": {...}} (the parsed
// structs, typed errors, status codes and pagination fields, normalized by the helpers below) or
// {"error": "..."} when the scenario could not run to its end. The jest test
// test/conformance/clients.test.ts compares them with what GitLab answers. Token values never appear
// in the output: a token is reported as its shape ("glpat-" and 20 characters).
//
// A scenario is one function in scenarios.go and one entry of the scenarios map there.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// Context is what the jest test seeded and passes in CONFORMANCE_CONTEXT.
type Context struct {
	URL    string            `json:"url"`
	Tokens map[string]string `json:"tokens"` // credential name -> value ("admin", "owner", ...)
	Users  map[string]int64  `json:"users"`  // username -> id
	Today  string            `json:"today"`  // the sandbox's frozen date, YYYY-MM-DD
	// Scenario-specific inputs (paths, counts), by scenario name.
	Inputs map[string]map[string]any `json:"inputs"`
}

type obs = map[string]any

type scenario func(h *Harness) (obs, error)

// Harness gives a scenario its clients and inputs.
type Harness struct {
	ctx  Context
	name string
}

// Client is a client-go client authenticated with the named credential. Retries are off: a
// scenario sees each answer as GitLab sent it.
func (h *Harness) Client(credential string) *gitlab.Client {
	token, ok := h.ctx.Tokens[credential]
	if !ok {
		panic(fmt.Sprintf("no credential %q in the context", credential))
	}
	return h.ClientWithToken(token)
}

// ClientWithToken is a client authenticated with a token value a scenario obtained.
func (h *Harness) ClientWithToken(token string) *gitlab.Client {
	c, err := gitlab.NewClient(token, gitlab.WithBaseURL(h.ctx.URL+"/api/v4"), gitlab.WithoutRetries())
	if err != nil {
		panic(err)
	}
	return c
}

// Input is a scenario input given by the jest test.
func (h *Harness) Input(key string) any {
	v, ok := h.ctx.Inputs[h.name][key]
	if !ok {
		panic(fmt.Sprintf("scenario %s: no input %q", h.name, key))
	}
	return v
}

func (h *Harness) InputString(key string) string { return fmt.Sprint(h.Input(key)) }

func (h *Harness) InputInt(key string) int64 {
	switch v := h.Input(key).(type) {
	case float64:
		return int64(v)
	default:
		panic(fmt.Sprintf("scenario %s: input %q is not a number", h.name, key))
	}
}

// Date is the sandbox's today plus days, as client-go's ISOTime.
func (h *Harness) Date(days int) *gitlab.ISOTime {
	today, err := time.Parse("2006-01-02", h.ctx.Today)
	if err != nil {
		panic(err)
	}
	d := gitlab.ISOTime(today.AddDate(0, 0, days))
	return &d
}

var tokenShape = regexp.MustCompile(`^glpat-[A-Za-z0-9_-]{20}$`)

// tokenValue reports a token value by its shape only.
func tokenValue(v string) any {
	switch {
	case v == "":
		return nil
	case tokenShape.MatchString(v):
		return "glpat-<20>"
	default:
		return fmt.Sprintf("<unexpected shape, %d characters>", len(v))
	}
}

func isoDate(d *gitlab.ISOTime) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// tokenObs is what client-go parsed of a personal access token.
func tokenObs(t *gitlab.PersonalAccessToken) obs {
	return obs{
		"name":           t.Name,
		"description":    t.Description,
		"scopes":         t.Scopes,
		"active":         t.Active,
		"revoked":        t.Revoked,
		"expires_at":     isoDate(t.ExpiresAt),
		"has_created_at": t.CreatedAt != nil && !t.CreatedAt.IsZero(),
		"token":          tokenValue(t.Token),
	}
}

// resourceTokenObs adds a project or group token's access level; its user is a bot (an id > 0).
func resourceTokenObs(t *gitlab.PersonalAccessToken, level gitlab.AccessLevelValue) obs {
	o := tokenObs(t)
	o["access_level"] = int(level)
	o["bot_user"] = t.UserID > 0
	return o
}

// errObs is the error as client-go types it: the ErrNotFound sentinel for 404s, else an
// *ErrorResponse with the status and the message client-go parsed from GitLab's body.
func errObs(err error) obs {
	if err == nil {
		return obs{"error": nil}
	}
	if errors.Is(err, gitlab.ErrNotFound) {
		return obs{"status": 404, "type": "ErrNotFound"}
	}
	var er *gitlab.ErrorResponse
	if errors.As(err, &er) {
		return obs{"status": er.Response.StatusCode, "type": "ErrorResponse", "message": er.Message}
	}
	return obs{"type": fmt.Sprintf("%T", err), "unexpected": err.Error()}
}

func status(resp *gitlab.Response) any {
	if resp == nil || resp.Response == nil {
		return nil
	}
	return resp.StatusCode
}

// pageObs is client-go's offset pagination fields of a response, and its Link header's relations.
func pageObs(resp *gitlab.Response, n int) obs {
	rels := []string{}
	for _, part := range strings.Split(resp.Header.Get("Link"), ",") {
		if i := strings.Index(part, `rel="`); i >= 0 {
			rels = append(rels, strings.TrimSuffix(strings.TrimSpace(part[i+5:]), `"`))
		}
	}
	return obs{
		"items":          n,
		"total_items":    resp.TotalItems,
		"total_pages":    resp.TotalPages,
		"items_per_page": resp.ItemsPerPage,
		"current_page":   resp.CurrentPage,
		"next_page":      resp.NextPage,
		"previous_page":  resp.PreviousPage,
		"link_rels":      rels,
	}
}

func main() {
	var ctx Context
	if err := json.Unmarshal([]byte(os.Getenv("CONFORMANCE_CONTEXT")), &ctx); err != nil {
		fmt.Fprintf(os.Stderr, "conformance: CONFORMANCE_CONTEXT is not the expected JSON: %v\n", err)
		os.Exit(2)
	}
	names := os.Args[1:]
	if len(names) == 0 {
		fmt.Fprintln(os.Stderr, "usage: conformance SCENARIO...")
		os.Exit(2)
	}
	out := map[string]obs{}
	for _, name := range names {
		run, ok := scenarios[name]
		if !ok {
			out[name] = obs{"error": "no such scenario in the Go harness"}
			continue
		}
		out[name] = runOne(&Harness{ctx: ctx, name: name}, run)
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func runOne(h *Harness, run scenario) (result obs) {
	defer func() {
		if r := recover(); r != nil {
			result = obs{"error": fmt.Sprintf("panic: %v", r)}
		}
	}()
	observed, err := run(h)
	if err != nil {
		return obs{"error": err.Error(), "observed": observed}
	}
	return obs{"observed": observed}
}
