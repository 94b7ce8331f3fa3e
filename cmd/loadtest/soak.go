package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// The soak (not in CI): the back office with its built-in sandbox
// under a steady request rate for a long time, watching for growth of
// goroutines, open files and memory. It replaces a bash/curl loop that
// could not keep 20 requests/s on this machine (7-14/s).

type soakFlags struct {
	seconds   int
	rate      int
	maxG      int
	maxFDs    int
	maxRSSKB  int64
	addr      string
	debugAddr string
	dir       string
	keep      bool
	timeout   time.Duration
}

func (f *soakFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.seconds, "seconds", 600, "how long to send requests")
	fs.IntVar(&f.rate, "rate", 20, "requests per second (open loop: a slow answer does not slow the schedule)")
	fs.IntVar(&f.maxG, "max-goroutines", 50, "fail when goroutines grow by more than this after warm-up")
	fs.IntVar(&f.maxFDs, "max-fds", 20, "fail when open files grow by more than this after warm-up")
	fs.Int64Var(&f.maxRSSKB, "max-rss-kb", 65536, "fail when RSS grows by more than this many KiB after warm-up")
	fs.StringVar(&f.addr, "addr", "", "address for the back office (empty: a free loopback port)")
	fs.StringVar(&f.debugAddr, "debug-addr", "", "loopback address of the soak server's goroutine counter (empty: a free port)")
	fs.StringVar(&f.dir, "dir", "", "parent of the work folder (empty: the system temp folder)")
	fs.BoolVar(&f.keep, "keep", false, "keep the work folder (databases, server.log) afterwards")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "timeout of each request")
}

func soakCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest soak", flag.ContinueOnError)
	var f soakFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.seconds < 1 || f.rate < 1 {
		return errors.New("-seconds and -rate must be at least 1")
	}
	return runSoak(ctx, f, out)
}

// soakKind is one kind of request of the mix.
type soakKind int

const (
	kindChange soakKind = iota // merchant references form: GET the form, then POST it (two requests)
	kindOrder                  // an order page (a provider read)
	kindSearch                 // a search by text
	kindFilter                 // a search by status
	kindStart                  // the start page
	kindHealth                 // /healthz
)

var kindNames = []string{"change", "order page", "search", "status filter", "start page", "healthz"}

// soakCycle is 20 requests: 2 changes (a form GET and its POST each), 8
// order pages, 3 searches, 2 start pages and 3 /healthz, spread so each
// half second has some of each. At -rate 20 it is one second.
var soakCycle = []soakKind{
	kindChange, kindOrder, kindOrder, kindSearch, kindOrder, kindHealth, kindOrder, kindStart, kindFilter,
	kindChange, kindOrder, kindOrder, kindSearch, kindOrder, kindHealth, kindOrder, kindStart, kindHealth,
}

// requests a kind sends.
func (k soakKind) requests() int {
	if k == kindChange {
		return 2
	}
	return 1
}

type soakSample struct {
	at                   time.Duration // since the schedule's start, wall clock
	due                  time.Duration // the schedule's time of the sample (the end: the run's length)
	goroutines, openFDs  int
	rssKB                int64
	inFlight, answered   int64
	goroutineErr, fdsErr error
}

func (s soakSample) String() string {
	return fmt.Sprintf("%5.0fs  goroutines %5d  open files %4d  RSS %7d KiB  (requests in flight %d, answered %d)",
		s.at.Seconds(), s.goroutines, s.openFDs, s.rssKB, s.inFlight, s.answered)
}

type soakRun struct {
	f       soakFlags
	base    string
	client  *http.Client
	ids     []string
	changes atomic.Int64

	mu       sync.Mutex
	statuses map[int]int // 0: no answer (timeout, connection error)
	byKind   [6][]time.Duration
	firstBad string

	inFlight, answered atomic.Int64
}

func runSoak(ctx context.Context, f soakFlags, out io.Writer) (err error) {
	dir, err := os.MkdirTemp(f.dir, "ordercare-soak-")
	if err != nil {
		return fmt.Errorf("work folder: %w", err)
	}
	defer func() {
		if f.keep {
			fmt.Fprintf(out, "soak: work folder kept: %s\n", dir)
			return
		}
		_ = os.RemoveAll(dir)
	}()
	bin := filepath.Join(dir, "soakserver")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "ordercare/scripts/soakserver") // #nosec G204 -- the go tool building this module's own soak server
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build soakserver: %w", err)
	}
	for _, a := range []*string{&f.addr, &f.debugAddr} {
		if *a == "" {
			if *a, err = freeAddr(); err != nil {
				return err
			}
		}
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log")) // #nosec G304 -- a fixed name in the work folder this program made
	if err != nil {
		return err
	}
	password := "soak-" + randomHex(12) // the demo accounts' password of this run
	bo, err := startProcess(ctx, bin, logFile, "http://"+f.addr, nil, "ORDERCARE_DB="+filepath.Join(dir, "data", "admin.db"),
		"ORDERCARE_ADDR="+f.addr, "ORDERCARE_DEMO_PASSWORD="+password, "SOAK_DEBUG_ADDR="+f.debugAddr, "ORDERCARE_MFA=off")
	if err != nil {
		return fmt.Errorf("soak server: %w", err)
	}
	defer func() { err = errors.Join(err, bo.stop()) }()

	ag := newAgent(bo.url)
	// Requests overlap: enough idle connections that a burst does not
	// open (and leave in TIME_WAIT) a connection per request.
	ag.client.Transport = &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}
	ag.client.Timeout = f.timeout
	if err := ag.signIn(ctx, "agent@example.com", password); err != nil {
		return err
	}
	r := &soakRun{f: f, base: bo.url, client: ag.client, statuses: map[int]int{}}
	if r.ids, err = r.authorizedOrders(ctx); err != nil {
		return err
	}
	debug := &http.Client{Timeout: 5 * time.Second}
	sample := func(at, due time.Duration) soakSample {
		s := soakSample{at: at, due: due, inFlight: r.inFlight.Load(), answered: r.answered.Load()}
		s.goroutines, s.goroutineErr = goroutinesOf(ctx, debug, "http://"+f.debugAddr+"/goroutines")
		if s.goroutineErr != nil {
			s.goroutines = -1
		}
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", bo.pid))
		s.openFDs, s.fdsErr = len(fds), err
		if m, err := readProcMem(bo.pid); err == nil {
			s.rssKB = m.rssKB
		}
		fmt.Fprintln(out, s)
		return s
	}

	fmt.Fprintf(out, "soak: %d s at %d requests/s against pid %d (%d authorized orders); %s\n",
		f.seconds, f.rate, bo.pid, len(r.ids), machineLoad())
	// Open loop on a fixed schedule: request slot k is due at
	// t0 + k/rate and starts then in its own goroutine, whatever the
	// earlier ones are doing; a change (form + submit) takes two slots.
	step := time.Second / time.Duration(f.rate)
	dur := time.Duration(f.seconds) * time.Second
	t0 := time.Now()
	var samples []soakSample
	var wg sync.WaitGroup
	var late time.Duration // how far behind its schedule the last request started
	nextSample := time.Duration(0)
	sent := 0
	for k, c := 0, 0; ; c++ {
		due := time.Duration(k) * step
		if due >= dur || ctx.Err() != nil {
			break
		}
		if due >= nextSample {
			samples = append(samples, sample(time.Since(t0), nextSample))
			nextSample += 10 * time.Second
		}
		if wait := time.Until(t0.Add(due)); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
		late = max(late, time.Since(t0.Add(due)))
		kind := soakCycle[c%len(soakCycle)]
		wg.Go(func() { r.one(ctx, kind) })
		k += kind.requests()
		sent += kind.requests()
	}
	sending := time.Since(t0)
	wg.Wait() // each request ends within its timeout
	final := sample(time.Since(t0), dur)
	samples = append(samples, final)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	fmt.Fprintf(out, "soak: %d requests sent in %.1f s = %.1f requests/s achieved (asked %d); the latest start was %s ms behind its schedule; %s\n",
		sent, sending.Seconds(), float64(sent)/sending.Seconds(), f.rate, ms(late), machineLoad())
	r.report(out)

	// Growth from the sample after warm-up (60 s; half the run when it is
	// shorter than two minutes) to the last one, after every request ended.
	warm := min(60*time.Second, dur/2)
	i := slices.IndexFunc(samples, func(s soakSample) bool { return s.due >= warm })
	from := samples[max(i, 0)]
	dg, df, dr := final.goroutines-from.goroutines, final.openFDs-from.openFDs, final.rssKB-from.rssKB
	fmt.Fprintf(out, "soak: growth from the %.0f s sample to the end: goroutines %+d (bound %d), open files %+d (bound %d), RSS %+d KiB (bound %d KiB)\n",
		from.at.Seconds(), dg, f.maxG, df, f.maxFDs, dr, f.maxRSSKB)
	var fails []error
	for _, s := range samples {
		if s.goroutineErr != nil || s.fdsErr != nil {
			fails = append(fails, fmt.Errorf("sample at %.0f s incomplete: %w", s.at.Seconds(), errors.Join(s.goroutineErr, s.fdsErr)))
			break
		}
	}
	if dg > f.maxG {
		fails = append(fails, fmt.Errorf("goroutines grew by %d", dg))
	}
	if df > f.maxFDs {
		fails = append(fails, fmt.Errorf("open files grew by %d", df))
	}
	if dr > f.maxRSSKB {
		fails = append(fails, fmt.Errorf("RSS grew by %d KiB", dr))
	}
	if bad := r.bad(); bad > 0 {
		fails = append(fails, fmt.Errorf("%d answers other than 200/303, first: %s", bad, r.firstBad))
	}
	if len(fails) > 0 {
		return fmt.Errorf("soak FAILED: %w", errors.Join(fails...))
	}
	fmt.Fprintln(out, "soak: passed")
	return nil
}

// authorizedOrders lists the order ids the status filter shows for
// AUTHORIZED: orders whose references can be changed.
func (r *soakRun) authorizedOrders(ctx context.Context) ([]string, error) {
	body, err := r.get(ctx, "/orders?status=AUTHORIZED")
	if err != nil {
		return nil, err
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	var ids []string
	doc.Find("[data-order-id]").Each(func(_ int, s *goquery.Selection) {
		if id := s.AttrOr("data-order-id", ""); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	})
	if len(ids) == 0 {
		return nil, errors.New("soak: no authorized orders found")
	}
	slices.Sort(ids)
	return ids, nil
}

// one sends the requests of one kind and records their answers.
func (r *soakRun) one(ctx context.Context, kind soakKind) {
	id := r.ids[rand.IntN(len(r.ids))] // #nosec G404 -- picks a demo order, not a secret
	switch kind {
	case kindChange:
		// Changes go round the orders, so two in flight never race for one.
		r.change(ctx, r.ids[int(r.changes.Add(1))%len(r.ids)])
	case kindOrder:
		r.record(ctx, kind, "/orders/"+id)
	case kindSearch:
		r.record(ctx, kind, "/orders?q=a")
	case kindFilter:
		r.record(ctx, kind, "/orders?status=AUTHORIZED")
	case kindStart:
		r.record(ctx, kind, "/")
	case kindHealth:
		r.record(ctx, kind, "/healthz")
	}
}

// change edits merchant reference 1 through the real form, as an agent's
// browser does: GET the form (its CSRF token, idempotency key and the
// values shown), then POST it.
func (r *soakRun) change(ctx context.Context, id string) {
	path := "/orders/" + id + "/references"
	body, ok := r.record(ctx, kindChange, path)
	if !ok {
		return
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		r.note(kindChange, 0, 0, "POST "+path+": the form did not parse")
		return
	}
	hidden := func(name string) string {
		return doc.Find(`input[name="`+name+`"]`).First().AttrOr("value", "")
	}
	form := url.Values{
		"_csrf":                     {hidden("_csrf")},
		"idempotency_key":           {hidden("idempotency_key")},
		"expected":                  {hidden("expected")},
		"shown_merchant_reference1": {hidden("shown_merchant_reference1")},
		"shown_merchant_reference2": {hidden("shown_merchant_reference2")},
		"merchant_reference1":       {"soak-" + strconv.FormatUint(rand.Uint64(), 36)}, // #nosec G404 -- a test reference
		"merchant_reference2":       {hidden("shown_merchant_reference2")},
		"reason":                    {"data_correction"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		r.note(kindChange, 0, 0, err.Error())
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.send(kindChange, req)
}

// record GETs path, records the answer and returns its body and whether
// it was a 200.
func (r *soakRun) record(ctx context.Context, kind soakKind, path string) (string, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+path, nil)
	if err != nil {
		r.note(kind, 0, 0, err.Error())
		return "", false
	}
	body, status := r.send(kind, req)
	return body, status == http.StatusOK
}

// send does req, records status and latency, and returns body and status
// (0 when there was no answer).
func (r *soakRun) send(kind soakKind, req *http.Request) (string, int) {
	r.inFlight.Add(1)
	defer r.inFlight.Add(-1)
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		r.note(kind, 0, time.Since(start), req.Method+" "+req.URL.Path+": "+err.Error())
		return "", 0
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	elapsed := time.Since(start)
	r.answered.Add(1)
	if err != nil {
		r.note(kind, 0, elapsed, req.Method+" "+req.URL.Path+": reading the body: "+err.Error())
		return "", 0
	}
	r.note(kind, resp.StatusCode, elapsed, fmt.Sprintf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode))
	return string(b), resp.StatusCode
}

// get is a GET for the set-up (not counted); any status but 200 is an error.
func (r *soakRun) get(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+path, nil)
	if err != nil {
		return "", err
	}
	b, err := do(r.client, req)
	return string(b), err
}

func (r *soakRun) note(kind soakKind, status int, elapsed time.Duration, what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses[status]++
	if status != 0 {
		r.byKind[kind] = append(r.byKind[kind], elapsed)
	}
	if status != http.StatusOK && status != http.StatusSeeOther && r.firstBad == "" {
		r.firstBad = what
	}
}

// bad is the number of answers other than 200 and 303 (and of requests
// that got none).
func (r *soakRun) bad() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for status, c := range r.statuses {
		if status != http.StatusOK && status != http.StatusSeeOther {
			n += c
		}
	}
	return n
}

func (r *soakRun) report(out io.Writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	codes := slices.Sorted(maps.Keys(r.statuses))
	var parts []string
	for _, s := range codes {
		name := strconv.Itoa(s)
		if s == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, r.statuses[s]))
	}
	fmt.Fprintf(out, "soak: answers by status: %s\n", strings.Join(parts, ", "))
	for k, lat := range r.byKind {
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		p := phase{samples: lat}
		fmt.Fprintf(out, "  %-13s %6d requests  p50 %s ms  p99 %s ms  max %s ms\n",
			kindNames[k], len(lat), ms(p.pct(0.5)), ms(p.pct(0.99)), ms(p.pct(1)))
	}
}

// goroutinesOf reads the soak server's goroutine counter.
func goroutinesOf(ctx context.Context, c *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	b, err := do(c, req)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}
