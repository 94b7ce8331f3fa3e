package witness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/audit"
)

// Client talks to a witness for the back office.
type Client struct {
	URL  string
	HTTP *http.Client
	// Log verifies the log's own signature on the witness's notes.
	Log note.Verifier
	// Fleet is set for an instance of several sharing one log
	// (ORDERCARE_DATABASE_URL): each hands over the checkpoints it signed,
	// so one may come after a newer one another instance handed over
	// first. Such an older checkpoint is not sent: the witness holds a
	// newer one, checked as an extension of what it held, that covers it.
	// A single instance never signs one older than the witness holds
	// unless its log was rolled back, which its refusal reports.
	Fleet bool
}

// Latest returns the newest checkpoint the witness co-signed, and its
// note (zero and nil before the first).
func (c Client) Latest(ctx context.Context) (audit.Checkpoint, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.URL, "/")+"/checkpoint", nil)
	if err != nil {
		return audit.Checkpoint{}, nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return audit.Checkpoint{}, nil, fmt.Errorf("witness: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return audit.Checkpoint{}, nil, fmt.Errorf("witness: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusNotFound:
		return audit.Checkpoint{}, nil, nil
	case http.StatusOK:
	default:
		return audit.Checkpoint{}, nil, fmt.Errorf("witness: %s", resp.Status)
	}
	cp, err := audit.OpenCheckpoint(b, c.Log)
	if err != nil {
		return audit.Checkpoint{}, nil, fmt.Errorf("witness: its checkpoint: %w", err)
	}
	return cp, b, nil
}

// Add hands the signed checkpoint cp (note msg) of l to the witness with
// the consistency proof from the size the witness holds, and returns the
// co-signed note (nil, and no error, for an older one a Fleet client
// does not send).
func (c Client) Add(ctx context.Context, l *audit.Log, cp audit.Checkpoint, msg []byte) ([]byte, error) {
	held, _, err := c.Latest(ctx)
	if err != nil {
		return nil, err
	}
	if c.Fleet && held.Count > cp.Count {
		return nil, nil
	}
	var proof []string
	if held.Count > 0 && held.Count < cp.Count {
		if proof, err = l.ConsistencyProof(ctx, cp.Count, held.Count); err != nil {
			return nil, err
		}
	}
	body, err := json.Marshal(AddRequest{OldSize: held.Count, Proof: proof, Checkpoint: string(msg)})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.URL, "/")+"/add-checkpoint", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New("witness refused the checkpoint of " + fmt.Sprint(cp.Count) + " events: " + resp.Status)
	}
	return b, nil
}
