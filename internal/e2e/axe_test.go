package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axe-core is fetched from the npm registry by npm's own client (npm pack),
// pinned to one version and checked against the registry's sha512
// integrity recorded here, then cached under the user's cache folder.
const (
	axeVersion   = "4.13.0"
	axeIntegrity = "sha512-UzGt8zg7Ny8djbYMhxl2zuEevVa7r2gJjYY5Lwr1xM7+XU2nd6CkIWFTVcCIbAP63vSz71NaVyyuSk9lHKcy0A=="
)

var axeSource struct {
	once sync.Once
	js   string
	err  error
}

// axeScript returns axe.min.js. Without npm or the registry the check is
// skipped with a message, except under CI=true where it fails the test.
func axeScript(t *testing.T) string {
	t.Helper()
	axeSource.once.Do(func() { axeSource.js, axeSource.err = fetchAxe() })
	if axeSource.err != nil {
		msg := "axe-core " + axeVersion + " is not available: " + axeSource.err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + ": skipping the accessibility check")
	}
	return axeSource.js
}

func fetchAxe() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "ordercare", "npm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tgz := filepath.Join(dir, "axe-core-"+axeVersion+".tgz")
	data, err := os.ReadFile(tgz)
	if err != nil || checkIntegrity(data) != nil {
		if data, err = npmPack(dir, tgz); err != nil {
			return "", err
		}
	}
	if err := checkIntegrity(data); err != nil {
		_ = os.Remove(tgz)
		return "", err
	}
	return fileFromTarball(data, "package/axe.min.js")
}

// npmPack downloads the package tarball with npm, which reports the
// registry's integrity for it; both it and the file must match the pin.
func npmPack(dir, tgz string) ([]byte, error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return nil, errors.New("npm is not installed (Debian package npm)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "pack", "axe-core@"+axeVersion, "--json", "--pack-destination", dir)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("npm pack axe-core@%s: %w: %s", axeVersion, err, lastLine(stderr.String()))
	}
	var packed []struct {
		Integrity string `json:"integrity"`
		Filename  string `json:"filename"`
	}
	if err := json.Unmarshal(out, &packed); err != nil || len(packed) != 1 {
		return nil, fmt.Errorf("npm pack: unexpected output: %w", err)
	}
	if packed[0].Integrity != axeIntegrity {
		return nil, fmt.Errorf("npm reports integrity %s for axe-core@%s, want %s", packed[0].Integrity, axeVersion, axeIntegrity)
	}
	if got := filepath.Join(dir, filepath.Base(packed[0].Filename)); got != tgz {
		return nil, fmt.Errorf("npm pack wrote %s, want %s", got, tgz)
	}
	return os.ReadFile(tgz)
}

func checkIntegrity(data []byte) error {
	sum := sha512.Sum512(data)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != axeIntegrity {
		return fmt.Errorf("axe-core tarball has %s, want %s", got, axeIntegrity)
	}
	return nil
}

func fileFromTarball(data []byte, name string) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return "", fmt.Errorf("%s not in the axe-core tarball: %w", name, err)
		}
		if h.Name == name {
			b, err := io.ReadAll(io.LimitReader(tr, 16<<20))
			return string(b), err
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// axeViolation is one failed axe rule with the elements it failed on.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
		HTML    string `json:"html"`
	} `json:"nodes"`
}

// checkAxe runs axe-core on the page as it is now, in the light and the
// dark colour scheme, and fails the test on any serious or critical
// violation, listing the rule, the elements and axe's explanation.
func (p *page) checkAxe(what string) {
	p.t.Helper()
	src := axeScript(p.t)
	for _, scheme := range []string{"light", "dark"} {
		p.colorScheme(scheme)
		if !eval[bool](p, `typeof window.axe === "object"`) {
			eval[chromedp.Void](p, src)
		}
		ctx, cancel := context.WithTimeout(p.ctx, 2*waitTimeout)
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			p.t.Fatalf("%s: axe on %s: %v", p.name, what, err)
		}
		var vs []axeViolation
		if err := json.Unmarshal(raw, &vs); err != nil {
			p.t.Fatalf("%s: axe result: %v", p.name, err)
		}
		for _, v := range vs {
			if v.Impact != "serious" && v.Impact != "critical" {
				p.t.Logf("axe on %s (%s scheme): %s (%s): %s on %d elements", what, scheme, v.ID, v.Impact, v.Help, len(v.Nodes))
				continue
			}
			var b strings.Builder
			for i, n := range v.Nodes {
				if i == 5 {
					fmt.Fprintf(&b, "\n    … and %d more", len(v.Nodes)-5)
					break
				}
				fmt.Fprintf(&b, "\n    %v %s\n      %s", n.Target, shorten(n.HTML), strings.ReplaceAll(n.Summary, "\n", " "))
			}
			p.t.Errorf("axe on %s (%s scheme): %s violation %q: %s%s", what, scheme, v.Impact, v.ID, v.Help, b.String())
		}
	}
	p.colorScheme("light")
}

// colorScheme emulates the system's light or dark setting.
func (p *page) colorScheme(scheme string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	if err != nil {
		p.t.Fatalf("%s: emulating the %s colour scheme: %v", p.name, scheme, err)
	}
}
