package openapitest

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"go.yaml.in/yaml/v4"
)

// The Elastic Path Commerce Cloud documents (MIT licence, from the
// platform's public documentation repository) are read in place from
// shared/openapi like the payment API's, never copied into the repository.
const (
	epOrdersFile = "elasticpath-cartsorders.yaml"
	epAuthFile   = "elasticpath-authentication.yaml"
)

type loaded struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

var epDocs = map[string]*loaded{epOrdersFile: {}, epAuthFile: {}}

// ElasticPath loads the platform's carts-and-orders and authentication
// documents once per test binary and returns a router for each.
func ElasticPath(t testing.TB) (orders, auth routers.Router) {
	t.Helper()
	return loadEP(t, epOrdersFile), loadEP(t, epAuthFile)
}

func loadEP(t testing.TB, name string) routers.Router {
	t.Helper()
	path := findFile(t, name)
	l := epDocs[name]
	l.once.Do(func() {
		raw, err := os.ReadFile(path) // #nosec G304 -- a document of shared/openapi found above the test's folder
		if err != nil {
			l.err = err
			return
		}
		var tree any
		if err := yaml.Unmarshal(raw, &tree); err != nil {
			l.err = fmt.Errorf("reading %s: %w", path, err)
			return
		}
		repairEP(tree)
		data, err := json.Marshal(tree)
		if err != nil {
			l.err = fmt.Errorf("re-encoding %s: %w", path, err)
			return
		}
		doc, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			l.err = fmt.Errorf("loading %s: %w", path, err)
			return
		}
		// The servers name the platform's hosts; match on paths alone.
		doc.Servers = nil
		l.doc = doc
		// The document's examples contradict its schemas in places (a 401
		// body typed as an array, shown as an object): judge exchanges by
		// the schemas, not the examples.
		l.router, l.err = legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	})
	if l.err != nil {
		t.Fatal(l.err)
	}
	return l.router
}

// repairEP fixes the slips of the documents that stop them from loading
// or validating: `examples:` given as one string (a list in OpenAPI 3.1), a
// stray `required: false` among a request body's media types, and schemas
// with properties but no `type: object` (the token request's), which the
// form decoder cannot read.
func repairEP(node any) {
	switch n := node.(type) {
	case map[string]any:
		if _, ok := n["properties"].(map[string]any); ok && n["type"] == nil {
			n["type"] = "object"
		}
		for k, v := range n {
			if s, ok := v.(string); ok && k == "examples" {
				n[k] = []any{s}
				continue
			}
			if c, ok := v.(map[string]any); ok && k == "content" {
				if _, isBool := c["required"].(bool); isBool {
					delete(c, "required")
				}
			}
			repairEP(v)
		}
	case []any:
		for _, v := range n {
			repairEP(v)
		}
	}
}
