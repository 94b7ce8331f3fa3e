package e2e

import (
	"strconv"
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

// Journey: a refund moves what the agent typed. On a captured demo order
// with several captured lines the agent opens Refund, leaves the "What to
// refund" choice alone, types a quantity of 1 on one line and submits:
// typing chose "Chosen lines", the button named the line's amount, and
// only that line is refunded (the form once preselected "Everything
// refundable" and refunded every line). Without JavaScript the server
// reads the same intent from the typed quantity.
func TestJourneyRefundTypedQuantityRefundsThatLine(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	refundable := func(skip string) func(o *omclient.Order) bool {
		return func(o *omclient.Order) bool {
			return o.OrderID != skip && o.Status == omclient.StatusCaptured && o.PurchaseCurrency == "EUR" && o.RefundedAmount == 0 &&
				o.FraudStatus == omclient.FraudAccepted && len(o.Captures) == 1 && len(o.Captures[0].OrderLines) >= 2
		}
	}
	order := srv.orderWhere(t, "a captured EUR order whose capture has two lines or more", refundable(""))

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.openAction("create_refund")
	if eval[bool](agent, `!!document.querySelector('#order-form [name="mode"]:checked')`) {
		t.Fatal("a mode is preselected on the refund form")
	}
	if got := agent.text(`#order-form [data-testid="submit"]`); got != "Refund" {
		t.Errorf("button %q before anything is typed, want Refund", got)
	}
	// The first line with something open; type 1 of it.
	row := eval[string](agent, `document.querySelector('#order-form [data-testid="pick-line"]:not([data-open="0"])').dataset.index`)
	qty := `#order-form [name="order_lines[` + row + `].quantity"]`
	agent.fill(qty, "1")
	agent.choose(`#order-form [name="reason"]`, "goods_returned")
	agent.waitFor("typing to choose Chosen lines", `document.querySelector('#order-form [name="mode"][value="lines"]').checked`)
	agent.waitFor("the preview of one line", `(() => {
		const s = document.querySelector('#order-form [data-testid="effect-summary"]');
		return s && s.innerText.includes(", 1 line");
	})()`)
	after := eval[string](agent, `document.querySelector('#order-form [data-testid="effect-refunded"] [data-testid="after"]').dataset.minor`)
	lineTotal := agent.text(`#order-form [data-testid="pick-line"][data-index="` + row + `"] [data-testid="pick-total"]`)
	agent.waitFor("the button naming the line's amount", `document.querySelector('#order-form [data-testid="submit"]').innerText.trim() === `+js("Refund "+lineTotal))
	agent.click(`#order-form [data-testid="submit"]`)
	if flash := agent.waitFlash("the confirmation of the refund"); !strings.HasPrefix(flash, "Refunded "+lineTotal) {
		t.Errorf("confirmation %q, want Refunded %s…", flash, lineTotal)
	}

	got := srv.sandboxOrder(t, order.OrderID)
	if len(got.Refunds) != 1 || len(got.Refunds[0].OrderLines) != 1 || got.Refunds[0].OrderLines[0].Quantity != 1 {
		t.Fatalf("sandbox: %d refunds, refunded %d of %d captured; want one refund of one line, quantity 1",
			len(got.Refunds), got.RefundedAmount, got.CapturedAmount)
	}
	if strings.TrimSpace(after) == "" || after != strconv.FormatInt(got.RefundedAmount, 10) || got.RefundedAmount >= got.CapturedAmount {
		t.Fatalf("refunded %d (preview said %s, captured %d): not the one line typed", got.RefundedAmount, after, got.CapturedAmount)
	}
	checkOneSucceeded(t, srv, order.OrderID, "create_refund")

	// Without JavaScript: nothing ticks the choice; the typed quantity
	// alone decides, and only that line is refunded.
	second := srv.orderWhere(t, "a second captured EUR order with two captured lines", refundable(order.OrderID))
	plain := b.newPage("agent-without-js")
	plain.disableJavaScript()
	plain.open("/orders/" + second.OrderID + "/refund")
	plain.signIn(agentEmail)
	plain.visible(`[data-testid="change-form"]`)
	row = eval[string](plain, `document.querySelector('[data-testid="pick-line"]:not([data-open="0"])').dataset.index`)
	plain.fill(`[name="order_lines[`+row+`].quantity"]`, "1")
	plain.choose(`[name="reason"]`, "goods_returned")
	plain.markWindow()
	plain.click(`[data-testid="submit"]`)
	plain.waitNewDocument("the order page after the refund")
	plain.visible(`[data-testid="order-page"]`)
	got = srv.sandboxOrder(t, second.OrderID)
	if len(got.Refunds) != 1 || len(got.Refunds[0].OrderLines) != 1 || got.Refunds[0].OrderLines[0].Quantity != 1 || got.RefundedAmount >= got.CapturedAmount {
		t.Fatalf("without JavaScript: %d refunds, refunded %d of %d; want one line, quantity 1", len(got.Refunds), got.RefundedAmount, got.CapturedAmount)
	}
}
