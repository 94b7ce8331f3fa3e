package orders

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"ordercare/internal/audit"
)

// steps records, in order, the audit log's commits and syncs to disk
// (audit.Observer, audit.SyncObserver) and the completed hook's call.
type steps struct {
	mu   sync.Mutex
	seen []string
}

func (s *steps) add(step string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, step)
}

func (s *steps) Appended(time.Duration, error) {}
func (s *steps) Committed(_ int, _ time.Duration, err error) {
	if err == nil {
		s.add("commit")
	}
}
func (s *steps) Synced(_ time.Duration, err error) {
	if err == nil {
		s.add("sync")
	}
}

// With outbound events on, the hook announces the outcome outside the
// back office: the completed event must be on disk by then, not only
// committed, or a power loss could leave an announced outcome the log no
// longer holds. Without a hook the agent's answer does not wait for it.
func TestCompletedIsOnDiskBeforeTheHookAnnouncesIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.newOrder(t)
	var s steps
	e.log.SetObserver(&s)
	e.svc.OnCompleted(func(context.Context, audit.Event) { s.add("hook") })
	if _, err := e.svc.Apply(context.Background(), agent, capture(id, 1000)); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	seen := slices.Clone(s.seen)
	s.mu.Unlock()
	hook := slices.Index(seen, "hook")
	lastCommit := -1
	for i, step := range seen[:max(hook, 0)] {
		if step == "commit" {
			lastCommit = i
		}
	}
	if hook < 0 || lastCommit < 0 || !slices.Contains(seen[lastCommit:hook], "sync") {
		t.Fatalf("steps %v: the hook ran before the completed event's commit was synced", seen)
	}
}
