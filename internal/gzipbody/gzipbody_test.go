package gzipbody

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// compressServer serves routes through gzipBody with a pool of size
// writers.
func compressServer(t *testing.T, size int, routes map[string]echo.HandlerFunc) *httptest.Server {
	t.Helper()
	e := echo.New()
	e.Use(gzipBody(newCompressPool(size, gzipLevel)))
	for path, h := range routes {
		e.GET(path, h)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// fetch GETs url with the Accept-Encoding given ("" sends none) and
// returns the response and its body, gunzipped when it says gzip.
func fetch(t *testing.T, url, acceptEncoding string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Set explicitly, so the transport neither adds it nor decodes for us.
	req.Header.Set("Accept-Encoding", acceptEncoding)
	if acceptEncoding == "" {
		req.Header["Accept-Encoding"] = nil
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var pageHTML = "<!doctype html><title>Order</title>" + strings.Repeat("<tr><td>Line</td><td>€ 12,00</td></tr>\n", 400)

func TestGzipBodyCompressesWhatQualifies(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("order-line,12.00,EUR\n", 20000) // past streamAfter
	srv := compressServer(t, 1, map[string]echo.HandlerFunc{
		"/page":  func(c echo.Context) error { return c.HTML(http.StatusOK, pageHTML) },
		"/small": func(c echo.Context) error { return c.HTML(http.StatusOK, "<p>ok</p>") },
		"/teapot": func(c echo.Context) error {
			return c.HTML(http.StatusTeapot, pageHTML)
		},
		"/encoded": func(c echo.Context) error {
			c.Response().Header().Set("Content-Encoding", "br")
			return c.Blob(http.StatusOK, "text/html", []byte(pageHTML))
		},
		"/range": func(c echo.Context) error {
			c.Response().Header().Set("Content-Range", "bytes 0-99/5000")
			return c.Blob(http.StatusPartialContent, "text/plain", []byte(pageHTML))
		},
		"/export": func(c echo.Context) error {
			c.Response().Header().Set("Content-Type", "text/csv")
			c.Response().WriteHeader(http.StatusOK)
			for i := 0; i < len(big); i += 4096 {
				if _, err := c.Response().Write([]byte(big[i:min(i+4096, len(big))])); err != nil {
					return err
				}
			}
			return nil
		},
		"/flush": func(c echo.Context) error {
			c.Response().Header().Set("Content-Type", "text/plain")
			_, _ = c.Response().Write([]byte("first "))
			c.Response().Flush()
			_, _ = c.Response().Write([]byte(pageHTML))
			return nil
		},
		"/fail": func(c echo.Context) error { return echo.NewHTTPError(http.StatusConflict, "taken") },
		"/empty": func(c echo.Context) error {
			return c.NoContent(http.StatusSeeOther)
		},
	})
	cases := []struct {
		path, accept string
		status       int
		gzipped      bool
		body         string
	}{
		{"/page", "gzip, deflate, br", http.StatusOK, true, pageHTML},
		{"/page", "br;q=1.0, GZIP;q=0.5", http.StatusOK, true, pageHTML},
		{"/page", "", http.StatusOK, false, pageHTML},
		{"/page", "gzip;q=0", http.StatusOK, false, pageHTML},
		{"/page", "deflate", http.StatusOK, false, pageHTML},
		{"/small", "gzip", http.StatusOK, false, "<p>ok</p>"},
		{"/teapot", "gzip", http.StatusTeapot, true, pageHTML},
		{"/encoded", "gzip", http.StatusOK, false, pageHTML}, // left as the handler encoded it
		{"/range", "gzip", http.StatusPartialContent, false, pageHTML},
		{"/export", "gzip", http.StatusOK, true, big},
		{"/flush", "gzip", http.StatusOK, true, "first " + pageHTML},
		{"/fail", "gzip", http.StatusConflict, false, `{"message":"taken"}` + "\n"},
		{"/empty", "gzip", http.StatusSeeOther, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.path+" "+tc.accept, func(t *testing.T) {
			t.Parallel()
			resp, body := fetch(t, srv.URL+tc.path, tc.accept)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tc.gzipped {
				t.Fatalf("gzipped %v, want %v (Content-Encoding %q)", got, tc.gzipped, resp.Header.Get("Content-Encoding"))
			}
			if body != tc.body {
				t.Fatalf("body of %d bytes differs from the %d sent", len(body), len(tc.body))
			}
			if tc.gzipped && resp.Header.Get("Content-Length") != "" && resp.ContentLength != -1 {
				// A Content-Length set by the server must be the compressed size.
				if resp.ContentLength >= int64(len(tc.body)) {
					t.Fatalf("Content-Length %d of the uncompressed body", resp.ContentLength)
				}
			}
			if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Fatalf("no Vary: Accept-Encoding: %v", resp.Header)
			}
		})
	}
}

// TestGzipBodySharesFewWritersAcrossManyRequests: a pool of one writer
// serves concurrent requests, each with its own body, without mixing them.
func TestGzipBodySharesFewWritersAcrossManyRequests(t *testing.T) {
	t.Parallel()
	srv := compressServer(t, 1, map[string]echo.HandlerFunc{
		"/p/:n": func(c echo.Context) error {
			return c.HTML(http.StatusOK, strings.Repeat(c.Param("n")+" ", 2000))
		},
	})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			n := string(rune('a' + i%26))
			resp, body := fetch(t, srv.URL+"/p/"+n, "gzip")
			if resp.Header.Get("Content-Encoding") != "gzip" || body != strings.Repeat(n+" ", 2000) {
				errs <- errors.New("request " + n + " got another body or no gzip")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkGzipBody is one order-sized page through the middleware:
// allocations per page (-benchmem) include no compressor once warm.
func BenchmarkGzipBody(b *testing.B) {
	e := echo.New()
	e.Use(gzipBody(newCompressPool(1, gzipLevel)))
	e.GET("/page", func(c echo.Context) error { return c.HTML(http.StatusOK, pageHTML) })
	req := httptest.NewRequest(http.MethodGet, "/page", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	var sink bytes.Buffer
	for b.Loop() {
		rec := httptest.NewRecorder()
		rec.Body = &sink
		sink.Reset()
		e.ServeHTTP(rec, req)
	}
}

// TestGzipBodyPanicAfterWritingStillAnswers500: what the handler wrote
// before panicking never left the buffer, so Recover's error answer does.
func TestGzipBodyPanicAfterWritingStillAnswers500(t *testing.T) {
	t.Parallel()
	e := echo.New()
	e.Use(middleware.Recover())
	e.Use(gzipBody(newCompressPool(1, gzipLevel)))
	e.GET("/panic", func(c echo.Context) error {
		_ = c.HTML(http.StatusOK, pageHTML)
		panic("kaboom")
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	resp, body := fetch(t, srv.URL+"/panic", "gzip")
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "<title>Order") {
		t.Fatalf("status %d, body %.80q", resp.StatusCode, body)
	}
}

// TestGzipBodyDeliversThePageBeforeOuterMiddlewareEnds: a compressed page
// is complete on the wire when compression ends, not when the middleware
// outside it (the access log) has finished: the middleware here waits
// until the client has read the whole body, and gives up after 10 s.
func TestGzipBodyDeliversThePageBeforeOuterMiddlewareEnds(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
			return err
		}
	})
	e.Use(gzipBody(newCompressPool(1, gzipLevel)))
	page := pageHTML + strings.Repeat("<p>more lines than one buffer holds</p>\n", 300)
	e.GET("/page", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)

	start := time.Now()
	resp, body := fetch(t, srv.URL+"/page", "gzip")
	close(release)
	if body != page || resp.Header.Get("Content-Encoding") != "gzip" || resp.ContentLength <= 0 {
		t.Fatalf("gzip %q, Content-Length %d, body intact %v", resp.Header.Get("Content-Encoding"), resp.ContentLength, body == page)
	}
	if waited := time.Since(start); waited >= 10*time.Second {
		t.Fatalf("the body arrived only when the outer middleware gave up (%v)", waited)
	}
}
