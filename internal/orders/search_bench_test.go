package orders

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/omclient"
)

// benchOrders is the size of the search benchmark's index: a merchant
// with a few years of orders.
const benchOrders = 1_000_000

// benchDataVersion changes when the generated orders change, so that a
// cached index of older data is not reused.
const benchDataVersion = 1

// searchBenchCases are the query classes timed by BenchmarkOrderSearch:
// an exact reference, an e-mail prefix, a full name, short and
// one-letter prefixes, common names, and filters combined with a query.
var searchBenchCases = []struct {
	name string
	q    SearchQuery
}{
	{"exact_reference", SearchQuery{Q: "SO-0999990"}},
	{"email_prefix", SearchQuery{Q: "ingrid.berg5"}},
	{"full_name", SearchQuery{Q: "anna andersson"}},
	{"k12", SearchQuery{Q: "k12"}},
	{"ek", SearchQuery{Q: "ek"}},
	{"so-09", SearchQuery{Q: "so-09"}},
	{"common_name", SearchQuery{Q: "anna"}},
	{"one_letter_a", SearchQuery{Q: "a"}},
	{"one_letter_e", SearchQuery{Q: "e"}},
	{"name+status", SearchQuery{Q: "anna", Status: "CANCELLED"}},
	{"letter+status", SearchQuery{Q: "e", Status: "EXPIRED"}},
	{"rare_name+status", SearchQuery{Q: "lefevre", Status: "CAPTURED"}},
	{"status_only", SearchQuery{Status: "PART_CAPTURED"}},
	{"list_all", SearchQuery{}},
	// The order list's filters (no "before": they did not exist).
	{"name+currency", SearchQuery{Q: "anna", Currency: "EUR"}},
	{"letter+amount", SearchQuery{Q: "a", AmountMin: ptr(100_000), AmountMax: ptr(200_000)}},
	{"letter+month", SearchQuery{Q: "e", CreatedFrom: benchYearAgo, CreatedBefore: benchYearAgo.AddDate(0, 1, 0)}},
	{"rare_name+month", SearchQuery{Q: "lefevre", CreatedFrom: benchYearAgo, CreatedBefore: benchYearAgo.AddDate(0, 1, 0)}},
	{"name+currency+amount", SearchQuery{Q: "anna", Currency: "USD", AmountMin: ptr(290_000), AmountMax: ptr(300_000)}},
	{"list_currency+amount", SearchQuery{Currency: "GBP", AmountMin: ptr(290_000), AmountMax: ptr(300_000)}},
	{"list_month", SearchQuery{CreatedFrom: benchYearAgo, CreatedBefore: benchYearAgo.AddDate(0, 1, 0)}},
	{"list_expiring_21d", SearchQuery{Now: benchNow, ExpiringBy: benchNow.AddDate(0, 0, 21)}},
	{"list_unknown_outcome", SearchQuery{OrderIDs: []string{"00000000-0000-4000-8000-000000000000"}}},
}

// benchNow is the end of the generated orders' three years.
var (
	benchNow     = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	benchYearAgo = benchNow.AddDate(-1, 0, 0)
)

func ptr(n int64) *int64 { return &n }

// BenchmarkOrderSearch times Index.Search over 1,000,000 indexed orders,
// one sub-benchmark per database and query class, and reports the median
// and 99th percentile of the calls. The SQLite index is built once
// (several minutes) and kept in the OS temp folder, named for the schema
// and data version; the PostgreSQL one (search_bench_postgres_test.go)
// in a schema of the server named by ORDERCARE_TEST_DATABASE_URL, skipped
// without one.
//
//	go test -run '^$' -bench BenchmarkOrderSearch ./internal/orders
func BenchmarkOrderSearch(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { searchCases(b, openBenchIndex(b)) })
	b.Run("postgres", func(b *testing.B) { searchCases(b, openPGBenchIndex(b)) })
}

func searchCases(b *testing.B, ix *Index) {
	ctx := context.Background()
	for _, tc := range searchBenchCases {
		b.Run(tc.name, func(b *testing.B) {
			var took []time.Duration
			rows := 0
			for b.Loop() {
				start := time.Now()
				page, err := ix.Search(ctx, tc.q)
				took = append(took, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				rows = len(page.Orders)
			}
			slices.Sort(took)
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
			b.ReportMetric(ms(took[min(len(took)-1, len(took)*99/100)]), "p99-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// openBenchIndex opens the cached benchmark index, building it first when
// it is missing.
func openBenchIndex(b *testing.B) *Index {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("ordercare-search-bench-m%d-d%d.db", len(indexMigrations), benchDataVersion))
	if _, err := os.Stat(path); err != nil {
		b.Logf("building %d orders into %s (once)", benchOrders, path)
		if err := buildBenchIndex(ctx, path); err != nil {
			b.Fatal(err)
		}
	}
	d, err := db.Open(ctx, path, db.SyncNormal)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	ix, err := OpenIndex(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ix.Close() })
	return ix
}

// buildBenchIndex writes benchOrders generated orders straight to the
// index tables (writeRow, the body of Upsert, in large transactions),
// runs ANALYZE, and moves the finished file into place.
func buildBenchIndex(ctx context.Context, path string) error {
	tmp := path + ".building"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		_ = os.Remove(f)
	}
	d, err := db.Open(ctx, tmp, db.SyncNormal)
	if err != nil {
		return err
	}
	if _, err := OpenIndex(ctx, d); err != nil {
		d.Close()
		return err
	}
	gen := newOrderGen()
	const batch = 20_000
	for start := 0; start < benchOrders; start += batch {
		if err := writeBatch(ctx, d, gen, start, min(batch, benchOrders-start)); err != nil {
			d.Close()
			return err
		}
	}
	if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		d.Close()
		return err
	}
	if err := d.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func writeBatch(ctx context.Context, d *db.DB, gen *orderGen, start, n int) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	st := &stmtTx{tx: tx, stmts: map[string]*sql.Stmt{}}
	defer st.close()
	for i := start; i < start+n; i++ {
		o := gen.order(i)
		if err := writeRow(ctx, wordsFor(d), st, o, o.CreatedAt.Add(time.Hour)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// stmtTx runs writeRow's statements prepared once per transaction rather
// than once per call: the build takes minutes instead of tens of minutes.
type stmtTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (s *stmtTx) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	st, ok := s.stmts[query]
	if !ok {
		var err error
		if st, err = s.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		s.stmts[query] = st
	}
	return st, nil
}

func (s *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (s *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return s.tx.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *stmtTx) close() {
	for _, st := range s.stmts {
		st.Close()
	}
}

// orderGen makes the benchmark's orders: names drawn with the skew of
// real customer lists (a few very common, a long tail), e-mails made of
// them, shop references in sequence, creation times over three years.
type orderGen struct {
	start time.Time
	step  time.Duration
}

func newOrderGen() *orderGen {
	start := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	return &orderGen{start: start, step: 3 * 365 * 24 * time.Hour / benchOrders}
}

var (
	benchGiven = []string{"Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Anders", "Kerstin", "Per",
		"Ingrid", "Karl", "Lena", "Mikael", "Emma", "Nils", "Sara", "Björn", "Åsa", "Jörgen", "Camille",
		"Søren", "Malin", "Oskar", "Elin", "Hanna", "Fredrik", "Linnéa", "Mette", "Jürgen", "Zoë", "Hélène",
		"Ole", "Ida", "Gustav", "Astrid", "Emil", "Frida", "Henrik", "Märta", "Agnes", "Ebba", "Olle",
		"Siv", "Tove", "Ulf", "Vera", "Wilma", "Yngve", "Élodie"}
	benchFamily = []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
		"Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
		"Berg", "Lindberg", "Lindqvist", "Ek", "Ekström", "Åkesson", "Lefèvre", "Müller", "Strauß",
		"Øvergaard", "Sjöberg", "Lundgren", "Holm", "Dahl", "Nyström", "Bergström", "Sandberg", "Ström",
		"Hedlund", "Engström", "Mäkinen", "Virtanen", "Dubois", "Moreau", "Schmidt", "Jensen", "Hansen",
		"Nielsen", "Kristiansen", "Fernández", "Rossi", "Novak", "Kowalski", "Brown", "Smith"}
	benchDomains    = []string{"example.com", "example.se", "example.fr", "example.de", "example.no", "mail.example", "example.dk"}
	benchCurrencies = []string{"SEK", "SEK", "SEK", "SEK", "SEK", "EUR", "EUR", "EUR", "NOK", "DKK", "GBP", "USD"}
)

// skewed draws an index below n, small indexes much more often.
func skewed(r *rand.Rand, n int) int {
	f := r.Float64()
	return int(float64(n) * f * f * f)
}

func (g *orderGen) order(i int) *omclient.Order {
	r := rand.New(rand.NewPCG(uint64(i), benchDataVersion))
	created := g.start.Add(time.Duration(i)*g.step + time.Duration(r.IntN(int(g.step))))
	given, family := benchGiven[skewed(r, len(benchGiven))], benchFamily[skewed(r, len(benchFamily))]
	email := fmt.Sprintf("%s.%s%d@%s", asciiLower(given), asciiLower(family), r.IntN(1000), benchDomains[r.IntN(len(benchDomains))])
	amount := int64(500 + r.IntN(300_000))
	o := &omclient.Order{
		OrderID:            benchUUID(r),
		OrderAmount:        amount,
		PurchaseCurrency:   omclient.Currency(benchCurrencies[r.IntN(len(benchCurrencies))]),
		MerchantReference1: omclient.Text(fmt.Sprintf("SO-%07d", i)),
		MerchantReference2: omclient.Text(fmt.Sprintf("CRM-%d", r.IntN(100_000))),
		KlarnaReference:    omclient.Text(benchKlarnaRef(r)),
		CreatedAt:          omclient.Time{Time: created},
		ExpiresAt:          omclient.Time{Time: created.Add(28 * 24 * time.Hour)},
		BillingAddress: &omclient.Address{GivenName: omclient.Text(given), FamilyName: omclient.Text(family),
			Email: omclient.Text(email),
			Phone: omclient.Text(fmt.Sprintf("+46 7%d %03d %02d %02d", r.IntN(10), r.IntN(1000), r.IntN(100), r.IntN(100)))},
	}
	recent := benchOrders-i < 10_000 // the last month or so
	switch p := r.IntN(100); {
	case recent && p < 40:
		o.Status, o.RemainingAuthorizedAmount = omclient.StatusAuthorized, amount
	case recent && p < 50:
		o.Status, o.RemainingAuthorizedAmount = omclient.StatusPartCaptured, amount/2
	case p < 80:
		o.Status = omclient.StatusCaptured
	case p < 90:
		o.Status = omclient.StatusCancelled
	case p < 95:
		o.Status = omclient.StatusExpired
	default:
		o.Status = omclient.StatusClosed
	}
	if o.Status == omclient.StatusCaptured || o.Status == omclient.StatusPartCaptured {
		o.Captures = []omclient.Capture{{CaptureID: benchUUID(r), CapturedAmount: amount - o.RemainingAuthorizedAmount,
			Reference: omclient.Text(fmt.Sprintf("DN-%06d", i)), CapturedAt: omclient.Time{Time: created.Add(24 * time.Hour)}}}
		if r.IntN(20) == 0 {
			o.Refunds = []omclient.Refund{{RefundID: benchUUID(r), RefundedAmount: amount / 4,
				Reference: omclient.Text(fmt.Sprintf("RF-%06d", i)), RefundedAt: omclient.Time{Time: created.Add(72 * time.Hour)}}}
		}
	}
	return o
}

func benchUUID(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, uint16(b>>48)&0xfff, b&0xffffffffffff)
}

func benchKlarnaRef(r *rand.Rand) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	var s strings.Builder
	for range 8 {
		s.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return s.String()
}

// asciiLower spells a name as it appears in an e-mail address.
func asciiLower(s string) string {
	return strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "ø", "o", "é", "e", "è", "e", "ü", "u", "ß", "ss", "ë", "e", "á", "a").
		Replace(strings.ToLower(s))
}
