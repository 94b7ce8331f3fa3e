package gzipbody

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// New returns the response compression middleware, sharing a fixed set
// of that many gzip writers (one per core is enough: see below).
func New(writers int) echo.MiddlewareFunc {
	return gzipBody(newCompressPool(writers, gzipLevel))
}

// Response compression. echo's Gzip middleware takes a gzip writer (about
// 1 MB of compressor state at the default level) from a sync.Pool when a
// request starts and returns it when the request ends, so every request in
// flight holds one while it waits on the provider or SQLite: 50 slow order
// pages held 50 MB, and the pool, emptied by each collection, allocated
// them again and again (RSS 112 MB after the closed-loop benchmark).
//
// gzipBody instead buffers the body while the handler runs (an order page
// is about 12 kB) and compresses it in one go at the end, with a writer
// from a fixed set of compressPool's size: compressing is a short burst of
// CPU, so more writers than cores would only wait for a core. A body that
// grows past streamAfter (an audit CSV export) is compressed as it is
// written instead, with a writer of its own, as echo's middleware did.

const (
	// gzipMinLength: smaller bodies are sent as they are (the gzip header
	// and trailer would eat most of the gain).
	gzipMinLength = 1024
	// gzipLevel is for a body compressed in one go (a page).
	// klauspost/compress's stateless mode (the standard library's API)
	// hashes into a 16 kB table on the stack: on the 12.5 kB order page,
	// 3.6 kB in 26 µs with the CPU's caches cold, against 46 µs for its
	// level 2 (a 512 kB table, 3.5 kB) and 75 µs for the standard
	// library's level 1 (3.5 kB). A page is compressed between other
	// work, so its caches are cold (docs/PERFORMANCE.md, section 1).
	gzipLevel = gzip.StatelessCompression
	// streamLevel is for a body compressed as it is written (an audit
	// export): stateless mode would compress each write on its own.
	streamLevel = 2
	// streamAfter bounds the body buffered per request.
	streamAfter = 256 << 10
	// maxPooledBuffer: a buffer grown past it is left to the collector.
	maxPooledBuffer = 1 << 20
)

// compressPool is a fixed set of gzip writers. A slot holds nil until its
// writer is first needed, so an idle server holds none.
type compressPool struct {
	level int
	slots chan *gzip.Writer
}

func newCompressPool(size, level int) *compressPool {
	p := &compressPool{level: level, slots: make(chan *gzip.Writer, size)}
	for range size {
		p.slots <- nil
	}
	return p
}

// get waits for a free writer.
func (p *compressPool) get() *gzip.Writer {
	w := <-p.slots
	if w == nil {
		w, _ = gzip.NewWriterLevel(io.Discard, p.level) // the level is a valid constant
	}
	return w
}

func (p *compressPool) put(w *gzip.Writer) {
	w.Reset(io.Discard) // drop the reference to the response
	p.slots <- w
}

var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Buffer lends an empty buffer from the pool the middleware buffers
// bodies in, so a page rendered before it is sent (the handlers render
// into one) shares the same few grown buffers; give it back with Release.
func Buffer() *bytes.Buffer {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	return buf
}

// Release returns a buffer from Buffer, unless it grew past
// maxPooledBuffer (then the collector takes it).
func Release(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuffer {
		bodyBuffers.Put(buf)
	}
}

// gzipBody compresses response bodies of gzipMinLength bytes and more for
// clients that accept gzip, using writers from pool.
func gzipBody(pool *compressPool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			res.Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
			if !acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
				return next(c)
			}
			buf := Buffer()
			gw := &gzipWriter{rw: res.Writer, buf: buf, pool: pool}
			res.Writer = gw
			defer func() {
				if p := recover(); p != nil {
					// Recover (outside) renders the 500: drop what was
					// buffered, which never reached the client, so the
					// error page goes out instead of an empty answer.
					res.Writer = gw.rw
					if !gw.stream {
						res.Committed, res.Size, res.Status = false, 0, http.StatusOK
					} else if gw.own != nil {
						_ = gw.own.Close()
					}
					panic(p)
				}
			}()
			err := next(c)
			res.Writer = gw.rw
			if ferr := gw.finish(); err == nil {
				err = ferr
			}
			Release(buf)
			return err
		}
	}
}

// acceptsGzip reads an Accept-Encoding header: gzip listed and not refused
// with q=0.
func acceptsGzip(h string) bool {
	for part := range strings.SplitSeq(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// gzipWriter buffers the body until the handler ends (or the body passes
// streamAfter, or the handler flushes), then decides: compressed or not.
type gzipWriter struct {
	rw          http.ResponseWriter
	buf         *bytes.Buffer
	pool        *compressPool
	code        int
	wroteHeader bool
	// stream is set once the body goes out as it is written: compressed
	// through own (a writer of this response alone), or plain.
	stream bool
	own    *gzip.Writer
}

func (w *gzipWriter) Header() http.Header { return w.rw.Header() }

func (w *gzipWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader, w.code = true, code
	if code < 200 || code == http.StatusSwitchingProtocols {
		// Informational answers (103 Early Hints) go out at once.
		w.wroteHeader = false
		w.rw.WriteHeader(code)
	}
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.Header().Get(echo.HeaderContentType) == "" {
		w.Header().Set(echo.HeaderContentType, http.DetectContentType(b))
	}
	if w.stream {
		return w.streamWrite(b)
	}
	n, _ := w.buf.Write(b)
	if w.buf.Len() > streamAfter {
		if err := w.startStream(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (w *gzipWriter) streamWrite(b []byte) (int, error) {
	if w.own != nil {
		return w.own.Write(b)
	}
	return w.rw.Write(b)
}

// compressible says whether the response, as its headers stand, may be
// compressed: a body that is big enough, not already encoded, not a range.
func (w *gzipWriter) compressible(size int) bool {
	h := w.Header()
	return size >= gzipMinLength && h.Get(echo.HeaderContentEncoding) == "" &&
		w.code != http.StatusPartialContent && h.Get("Content-Range") == "" &&
		w.code != http.StatusNoContent && w.code != http.StatusNotModified
}

// startStream sends the headers and what is buffered, and from then on
// passes writes through (compressed when the response qualifies).
func (w *gzipWriter) startStream() error {
	w.stream = true
	if w.compressible(gzipMinLength) {
		w.Header().Set(echo.HeaderContentEncoding, "gzip")
		w.Header().Del(echo.HeaderContentLength)
		w.own, _ = gzip.NewWriterLevel(w.rw, streamLevel) // the level is a valid constant
	}
	w.rw.WriteHeader(w.code)
	_, err := w.streamWrite(w.buf.Bytes())
	w.buf.Reset()
	return err
}

// Flush sends what is written so far: a handler that flushes wants the
// client to see it now, so the response streams from here on.
func (w *gzipWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.stream {
		if err := w.startStream(); err != nil {
			return
		}
	}
	if w.own != nil {
		_ = w.own.Flush()
	}
	_ = http.NewResponseController(w.rw).Flush()
}

// finish writes the response after the handler returned.
func (w *gzipWriter) finish() error {
	if w.stream {
		if w.own != nil {
			return w.own.Close()
		}
		return nil
	}
	if !w.wroteHeader {
		return nil // nothing written: the error handler answers
	}
	if !w.compressible(w.buf.Len()) {
		w.rw.WriteHeader(w.code)
		_, err := w.buf.WriteTo(w.rw)
		return err
	}
	// Compressed into a second buffer, sent with its length and flushed:
	// written through to the connection, the last bytes stayed in the
	// server's buffer until the response ended, after the middleware
	// outside this one (the access log's write among them). The page is
	// finished here, so it leaves here. (The overhead benchmark did not
	// move measurably: a fraction of a millisecond, within its spread.)
	out := Buffer()
	defer Release(out)
	zw := w.pool.get()
	zw.Reset(out)
	_, err := zw.Write(w.buf.Bytes())
	if err == nil {
		err = zw.Close()
	}
	w.pool.put(zw)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set(echo.HeaderContentEncoding, "gzip")
	h.Set(echo.HeaderContentLength, strconv.Itoa(out.Len()))
	w.rw.WriteHeader(w.code)
	if _, err := out.WriteTo(w.rw); err != nil {
		return err
	}
	if err := http.NewResponseController(w.rw).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// Unwrap lets http.ResponseController reach the connection.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.rw }

// Hijack hands the connection over (nothing of this response is sent).
func (w *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.rw).Hijack()
}
