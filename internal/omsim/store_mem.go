package omsim

import (
	"context"
	"sort"
	"sync"
	"time"
)

// memStore keeps everything in maps behind one mutex. Documents are stored
// encoded, exactly as in SQLite, so a caller can never alias stored state.
type memStore struct {
	mu     sync.Mutex
	closed bool
	docs   map[string]memDoc
	idem   map[[2]string]savedResponse
	// staged writes of the running tx, applied when fn succeeds.
	stagedDocs map[string]memDoc
	stagedIdem map[[2]string]savedResponse
}

type memDoc struct {
	createdAt time.Time
	doc       []byte
}

func newMemStore() *memStore {
	return &memStore{docs: map[string]memDoc{}, idem: map[[2]string]savedResponse{}}
}

func (m *memStore) load(_ context.Context, id string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, false, errStoreClosed
	}
	d, ok := m.docs[id]
	return d.doc, ok, nil
}

func (m *memStore) list(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errStoreClosed
	}
	ids := make([]string, 0, len(m.docs))
	for id := range m.docs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := m.docs[ids[i]].createdAt, m.docs[ids[j]].createdAt
		if !a.Equal(b) {
			return a.After(b)
		}
		return ids[i] < ids[j]
	})
	return ids, nil
}

func (m *memStore) count(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, errStoreClosed
	}
	return len(m.docs), nil
}

func (m *memStore) tx(_ context.Context, fn func(t txn) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errStoreClosed
	}
	m.stagedDocs = map[string]memDoc{}
	m.stagedIdem = map[[2]string]savedResponse{}
	defer func() { m.stagedDocs, m.stagedIdem = nil, nil }()
	if err := fn(memTxn{m}); err != nil {
		return err
	}
	for id, d := range m.stagedDocs {
		m.docs[id] = d
	}
	for k, s := range m.stagedIdem {
		m.idem[k] = s
	}
	return nil
}

func (m *memStore) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

type memTxn struct{ m *memStore }

func (t memTxn) load(id string) ([]byte, bool, error) {
	if d, ok := t.m.stagedDocs[id]; ok {
		return d.doc, true, nil
	}
	d, ok := t.m.docs[id]
	return d.doc, ok, nil
}

func (t memTxn) save(id string, createdAt time.Time, doc []byte) error {
	t.m.stagedDocs[id] = memDoc{createdAt: createdAt, doc: append([]byte(nil), doc...)}
	return nil
}

func (t memTxn) idemGet(scope, key string, notBefore time.Time) (*savedResponse, bool, error) {
	k := [2]string{scope, key}
	s, ok := t.m.stagedIdem[k]
	if !ok {
		s, ok = t.m.idem[k]
	}
	if !ok || s.At.Before(notBefore) {
		return nil, false, nil
	}
	return &s, true, nil
}

func (t memTxn) idemPut(scope, key string, s savedResponse) error {
	t.m.stagedIdem[[2]string{scope, key}] = s
	return nil
}
