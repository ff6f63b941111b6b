// GitLab's own Go client (gitlab.com/gitlab-org/api/client-go) against the sandbox's pipeline
// trigger endpoints: add, get, list, edit, delete, and a missing trigger. Prints one JSON object with
// what the client decoded, for test/sandbox/go-client.test.ts. Reads SANDBOX_URL and SANDBOX_TOKEN.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

func fail(step string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", step, err)
	os.Exit(1)
}

func main() {
	gl, err := gitlab.NewClient(os.Getenv("SANDBOX_TOKEN"), gitlab.WithBaseURL(os.Getenv("SANDBOX_URL")+"/api/v4"))
	if err != nil {
		fail("client", err)
	}
	out := map[string]any{}
	made, _, err := gl.PipelineTriggers.AddPipelineTrigger("acme/web", &gitlab.AddPipelineTriggerOptions{Description: gitlab.Ptr("from the Go client")})
	if err != nil {
		fail("add", err)
	}
	out["added"] = made
	got, _, err := gl.PipelineTriggers.GetPipelineTrigger("acme/web", made.ID)
	if err != nil {
		fail("get", err)
	}
	out["got"] = got
	edited, _, err := gl.PipelineTriggers.EditPipelineTrigger("acme/web", made.ID, &gitlab.EditPipelineTriggerOptions{Description: gitlab.Ptr("edited")})
	if err != nil {
		fail("edit", err)
	}
	out["editedDescription"] = edited.Description
	all, _, err := gl.PipelineTriggers.ListPipelineTriggers("acme/web", &gitlab.ListPipelineTriggersOptions{})
	if err != nil {
		fail("list", err)
	}
	ids := []int64{}
	for _, t := range all {
		ids = append(ids, t.ID)
	}
	out["listedIds"] = ids
	if _, err := gl.PipelineTriggers.DeletePipelineTrigger("acme/web", made.ID); err != nil {
		fail("delete", err)
	}
	_, resp, err := gl.PipelineTriggers.GetPipelineTrigger("acme/web", made.ID)
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		fail("get after delete", fmt.Errorf("expected a 404, got %v", err))
	}
	out["afterDelete"] = map[string]any{"status": resp.StatusCode, "notFound": errors.Is(err, gitlab.ErrNotFound)}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail("encode", err)
	}
}
