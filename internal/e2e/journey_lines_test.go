package e2e

import (
	"strconv"
	"testing"

	"ordercare/internal/omclient"
)

// Journey 3: an agent edits the order lines (removes one, changes a
// quantity), sees the totals update as they type, submits, and the order
// amount is reduced.
func TestJourney3EditOrderLines(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.newThreeLineOrder(t, "E2E-LINES-3")
	if order.OrderAmount != 6000 {
		t.Fatalf("new order amount %d, want 6000", order.OrderAmount)
	}

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.markWindow()
	agent.openAction("update_authorization")
	if n := agent.count(`#order-form [data-testid="edit-line"]`); n != 3 {
		t.Fatalf("the line editor shows %d lines, want 3", n)
	}

	// Remove the spoons (line 3).
	agent.click(`#order-form [data-testid="edit-line"][data-index="2"] [data-testid="remove-line"]`)
	agent.waitFor("the editor with two lines", `document.querySelectorAll('#order-form [data-testid="edit-line"]').length === 2`)
	// One mug instead of two: the line total and the sum update as typed.
	agent.fill(`#order-form [name="order_lines[0].quantity"]`, "1")
	agent.waitFor("the first line's total to become 10,00", `document.querySelector('#order-form [data-testid="edit-line"][data-index="0"] [data-testid="edit-line-total"]').innerText.includes("10,00")`)
	agent.waitFor("the lines to add up to 35,00", `(() => {
		const el = document.querySelector('#order-form [data-testid="preview-lines-total"]');
		return el && el.dataset.minor === "3500";
	})()`)
	agent.waitFor("the effect to show the new order amount", `(() => {
		const r = document.querySelector('#order-form [data-testid="effect-order"] [data-testid="after"]');
		return r && r.dataset.minor === "3500";
	})()`)
	if applied := srv.applied(t, order.OrderID); applied != 0 {
		t.Fatalf("editing the form applied %d changes before submitting", applied)
	}

	agent.choose(`#order-form [name="reason"]`, "out_of_stock")
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFlash("the confirmation of the new amount")
	agent.waitFor("the order amount on the page", `document.querySelector('[data-testid="amount-current"]').dataset.minor === "3500"`)
	if !agent.windowMarked() {
		t.Error("the change reloaded the whole page")
	}
	got := srv.sandboxOrder(t, order.OrderID)
	if got.OrderAmount != 3500 || len(got.OrderLines) != 2 || got.OrderLines[0].Quantity != 1 {
		t.Fatalf("sandbox order amount %d with %d lines (first quantity %s), want 3500 with 2 lines, one mug",
			got.OrderAmount, len(got.OrderLines), firstQuantity(got))
	}
	if n := agent.count(`#order-lines [data-testid="line"]`); n != 2 {
		t.Errorf("the order page lists %d lines, want 2", n)
	}
	checkOneSucceeded(t, srv, order.OrderID, omclient.OpUpdateAuthorization)
}

func firstQuantity(o *omclient.Order) string {
	if len(o.OrderLines) == 0 {
		return "none"
	}
	return strconv.FormatInt(o.OrderLines[0].Quantity, 10)
}
