// Package proctest holds what the tests that run the back office's binary
// as a process share (the crash test, the fleet test): finding the
// module, building cmd/admin before any deadline starts, a free port, a
// clean environment, and a buffer for a child's output.
package proctest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// ModuleRoot walks up from the test's folder to the one holding go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test folder")
		}
		dir = parent
	}
}

// BuildAdmin builds cmd/admin into a temp folder with the toolchain
// running this test ("go" from PATH follows the inherited GOTOOLCHAIN).
// Call it before any deadline starts: a cold build on a busy machine
// takes minutes.
func BuildAdmin(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "admin")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/admin") // #nosec G204 -- fixed arguments
	cmd.Dir = ModuleRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building cmd/admin: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr finds a loopback port nobody listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// Environ is this process's environment without any ORDERCARE_ setting,
// plus kv: a child runs with the test's settings only.
func Environ(kv ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "ORDERCARE_") {
			env = append(env, e)
		}
	}
	return append(env, kv...)
}

// LockedBuffer collects a child process's output.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
