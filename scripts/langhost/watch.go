package main

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
)

// The host must not outlive the engine that started it: a killed `pulumi up` (a cancelled CI job,
// a lost runner) would otherwise leave the program running and registering resources with nobody
// to record them. The host watches its parent process and health-checks the engine's RPC address;
// when either is gone it kills every process it started and exits. The children it starts die with
// it (Pdeathsig), so they never outlive it either.

const (
	parentCheckInterval = 200 * time.Millisecond
	engineCheckInterval = time.Second
	// exitEngineGone is the host's exit code when it stopped because the engine was gone.
	exitEngineGone = 70
)

var children = struct {
	sync.Mutex
	set map[*exec.Cmd]struct{}
}{set: map[*exec.Cmd]struct{}{}}

// ownGroup ties a child's life to the host's: the kernel kills it when the host dies, however
// the host dies (the engine's SIGKILL at the end of a run included). It stays in the host's
// process group, so whatever signals the group (the engine, a terminal) reaches it too.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// track records a started child until it ends; call the returned function when it has.
func track(cmd *exec.Cmd) func() {
	children.Lock()
	children.set[cmd] = struct{}{}
	children.Unlock()
	return func() {
		children.Lock()
		delete(children.set, cmd)
		children.Unlock()
	}
}

// killChildren sends SIGKILL to every process the host started, and to their process groups.
func killChildren() {
	children.Lock()
	for cmd := range children.set {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
	}
	children.Unlock()
}

func stopEverything() {
	killChildren()
	os.Exit(exitEngineGone)
}

var engineWatch sync.Once

// watchParent stops everything when the process that started the host (the engine) is gone.
func watchParent() {
	parent := os.Getppid()
	go func() {
		for range time.Tick(parentCheckInterval) {
			if os.Getppid() != parent {
				stopEverything()
			}
		}
	}()
}

// watchEngine health-checks the engine's RPC address (given on the command line by older engines,
// in Handshake by newer ones) and stops everything when it stops answering. Once per process.
func watchEngine(engineAddress string) {
	if engineAddress == "" {
		return
	}
	engineWatch.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		if err := rpcutil.Healthcheck(ctx, engineAddress, engineCheckInterval, cancel); err != nil {
			return
		}
		go func() {
			<-ctx.Done()
			stopEverything()
		}()
	})
}
