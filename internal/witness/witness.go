// Package witness is a small checkpoint witness for ordercare's audit log,
// modelled on C2SP tlog-witness (https://c2sp.org/tlog-witness), kept
// simple: it follows one log, identified by its verifier key, stores the
// newest checkpoint it co-signed in a file of its own, and co-signs a new
// checkpoint only when it is a consistent extension of that one (an RFC
// 6962 consistency proof, golang.org/x/mod/sumdb/tlog). Run it where the
// back office's data folder is not (`admin witness`, on another machine):
// whoever holds that folder can then no longer roll the log back or fork
// it below what the witness saw without the witness's copy showing it.
//
// HTTP:
//
//	GET  /checkpoint      the newest co-signed checkpoint (404 before the first)
//	POST /add-checkpoint  JSON {"old_size": N, "proof": [base64...], "checkpoint": "<signed note>"}
//	                      200 with the co-signed note; 409 with the newest
//	                      co-signed note when the checkpoint is older, forks,
//	                      or old_size is not the size the witness holds
//	                      (the log then proves from that size and retries)
package witness

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"ordercare/internal/audit"
)

// StateFileName is the witness's copy of the newest checkpoint it co-signed.
const StateFileName = "witness.checkpoint"

// AddRequest is the body of POST /add-checkpoint.
type AddRequest struct {
	// OldSize is the size of the checkpoint the witness holds (as the
	// log read it from GET /checkpoint), 0 before the first.
	OldSize int64 `json:"old_size"`
	// Proof is the consistency proof from OldSize to the new checkpoint's
	// size (tlog.TreeProof, base64 hashes).
	Proof []string `json:"proof"`
	// Checkpoint is the log's signed checkpoint note.
	Checkpoint string `json:"checkpoint"`
}

// Witness is the HTTP handler.
type Witness struct {
	dir    string
	log    note.Verifier
	signer note.Signer
	mu     sync.Mutex
}

// New returns a witness that follows the log whose checkpoints logKey
// verifies, co-signs with signer and keeps its state in dir.
func New(dir string, logKey note.Verifier, signer note.Signer) *Witness {
	return &Witness{dir: dir, log: logKey, signer: signer}
}

func (w *Witness) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/checkpoint" && r.Method == http.MethodGet:
		w.mu.Lock()
		b, err := os.ReadFile(w.path())
		w.mu.Unlock()
		if errors.Is(err, os.ErrNotExist) {
			http.Error(rw, "no checkpoint yet", http.StatusNotFound)
			return
		}
		if err != nil {
			http.Error(rw, "witness state unreadable", http.StatusInternalServerError)
			return
		}
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = rw.Write(b)
	case r.URL.Path == "/add-checkpoint" && r.Method == http.MethodPost:
		var req AddRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
			http.Error(rw, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		cosigned, status, err := w.add(req)
		if err != nil {
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			rw.WriteHeader(status)
			_, _ = rw.Write(cosigned) // the newest co-signed note, so the log can prove from it
			return
		}
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = rw.Write(cosigned)
	default:
		http.NotFound(rw, r)
	}
}

func (w *Witness) path() string { return filepath.Join(w.dir, StateFileName) }

// add checks req against the held checkpoint and co-signs it; on refusal
// it returns the held note and the status.
func (w *Witness) add(req AddRequest) ([]byte, int, error) {
	n, err := note.Open([]byte(req.Checkpoint), note.VerifierList(w.log))
	if err != nil {
		return nil, http.StatusForbidden, fmt.Errorf("not signed by the log's key: %w", err)
	}
	cp, err := audit.OpenCheckpoint([]byte(req.Checkpoint), w.log)
	if err != nil || cp.Root == "" {
		return nil, http.StatusBadRequest, errors.New("not a checkpoint with a Merkle root")
	}
	root, err := tlog.ParseHash(cp.Root)
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	held, err := os.ReadFile(w.path())
	switch {
	case errors.Is(err, os.ErrNotExist):
		if req.OldSize != 0 {
			return nil, http.StatusConflict, errors.New("old size does not match")
		}
	case err != nil:
		return nil, http.StatusInternalServerError, err
	default:
		old, err := audit.OpenCheckpoint(held, w.log)
		if err != nil {
			return nil, http.StatusInternalServerError, fmt.Errorf("held checkpoint: %w", err)
		}
		if err := consistent(old, cp, root, req); err != nil {
			return held, http.StatusConflict, err
		}
	}
	msg, err := note.Sign(n, w.signer)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	tmp := w.path() + ".new"
	if err := os.WriteFile(tmp, msg, 0o600); err != nil {
		return nil, http.StatusInternalServerError, err
	}
	if err := os.Rename(tmp, w.path()); err != nil {
		return nil, http.StatusInternalServerError, err
	}
	return msg, http.StatusOK, nil
}

// consistent reports whether cp (with root) extends old, given req's proof.
func consistent(old, cp audit.Checkpoint, root tlog.Hash, req AddRequest) error {
	if req.OldSize != old.Count {
		return errors.New("old size does not match")
	}
	if cp.Count < old.Count {
		return errors.New("older than the checkpoint the witness holds")
	}
	oldRoot, err := tlog.ParseHash(old.Root)
	if err != nil {
		return err
	}
	if cp.Count == old.Count {
		if root != oldRoot {
			return errors.New("a fork: same size, another root")
		}
		return nil
	}
	if old.Count == 0 {
		return nil // the empty log is a prefix of every log
	}
	var p tlog.TreeProof
	for _, s := range req.Proof {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return err
		}
		p = append(p, h)
	}
	if err := tlog.CheckTree(p, cp.Count, root, old.Count, oldRoot); err != nil {
		return fmt.Errorf("not an extension of the held checkpoint: %w", err)
	}
	return nil
}
