// Package static embeds the stylesheet, script and vendored htmx, and serves
// each under a content-hashed name (/static/app.3f2a9c1d.css) so browsers
// may cache them for a year and a new build is fetched at once.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"
)

//go:embed app.css app.js draft.js passkey.js vendor/htmx.min.js
var files embed.FS

// Prefix is the URL path the assets are served under.
const Prefix = "/static/"

// Asset is one embedded file.
type Asset struct {
	Name        string // hashed name, e.g. "app.3f2a9c1d.css"
	ContentType string
	Body        []byte
}

type table struct {
	byHashed map[string]*Asset
	byPlain  map[string]string // "app.css" -> "/static/app.3f2a9c1d.css"
}

var load = sync.OnceValue(func() table {
	t := table{byHashed: map[string]*Asset{}, byPlain: map[string]string{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		t.byHashed[hashed] = &Asset{Name: hashed, ContentType: ct, Body: b}
		t.byPlain[p] = Prefix + hashed
		return nil
	})
	if err != nil {
		// The files are compiled in; failing to read them is a build defect.
		panic("static: " + err.Error())
	}
	return t
})

// Path returns the hashed URL of an embedded file ("app.css",
// "vendor/htmx.min.js"); it panics on a name that is not embedded, which
// the template tests catch.
func Path(name string) string {
	p, ok := load().byPlain[name]
	if !ok {
		panic("static: no embedded file " + name)
	}
	return p
}

// Lookup finds an asset by its hashed name (the URL path after Prefix).
func Lookup(hashed string) (*Asset, bool) {
	a, ok := load().byHashed[hashed]
	return a, ok
}
