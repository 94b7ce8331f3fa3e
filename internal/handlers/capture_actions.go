package handlers

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// Actions on one capture (/orders/:id/captures/:capture_id/...): add
// shipping info to it, and on Klarna only (Kustom lacks the calls; the
// routes answer 404 there) resend the invoice and extend the due date.

func (h *Handlers) showCaptureShippingInfoForm(c echo.Context) error {
	return h.shippingInfoForm(c, omclient.OpAddCaptureShippingInfo, false)
}

func (h *Handlers) submitCaptureShippingInfo(c echo.Context) error {
	return h.shippingInfoForm(c, omclient.OpAddCaptureShippingInfo, true)
}

var sendOutClick = oneClick{
	op:     omclient.OpTriggerSendOut,
	submit: "Resend the invoice",
	confirm: func(h *Handlers, c echo.Context, cf *changeForm) view.ConfirmForm {
		return view.ConfirmForm{
			Question: "Send the customer the invoice of capture " + captureRef(cf.Capture) + " again?",
			Explain:  "The provider e-mails the customer the invoice or payment instructions for this capture (" + h.orderMoney(c, cf.Order, cf.Capture.CapturedAmount) + ") once more. Nothing else changes.",
		}
	},
	flash: func(h *Handlers, c echo.Context, cf *changeForm, res orders.Result) string {
		return "Invoice of capture " + captureRef(cf.Capture) + " sent to the customer again."
	},
}

func (h *Handlers) showSendOutForm(c echo.Context) error {
	return h.oneClickForm(c, sendOutClick, false)
}
func (h *Handlers) submitSendOut(c echo.Context) error { return h.oneClickForm(c, sendOutClick, true) }

func (h *Handlers) showDueDateForm(c echo.Context) error { return h.dueDateForm(c, false) }
func (h *Handlers) submitDueDate(c echo.Context) error   { return h.dueDateForm(c, true) }

// dueDateForm offers the extensions the provider lists for the capture
// (read fresh for every GET and POST: the POST accepts only a number of
// days still on offer) and sends the chosen one.
func (h *Handlers) dueDateForm(c echo.Context, post bool) error {
	cf, ok, err := h.openForm(c, omclient.OpExtendDueDate)
	if !ok {
		return err
	}
	cf.Form.Title += " of capture " + captureRef(cf.Capture)
	f := &cf.Form
	f.Labels[view.FieldDays] = "Extend by"
	f.SetValue(view.FieldDays, "")

	ctx, cancel := h.withTimeout(c)
	opts, err := h.Orders.GetExtendDueDateOptions(ctx, cf.Order.OrderID, cf.Capture.CaptureID)
	cancel()
	v := view.DueDateForm{CaptureRef: captureRef(cf.Capture)}
	if err != nil {
		if c.Request().Context().Err() != nil {
			return err
		}
		pe := view.FromProviderError(omclient.FailureOf(err), cf.Order.OrderID, h.Provider)
		f.Disallowed = "The extensions on offer could not be read from " + view.ProviderName(h.Provider) + ": " + pe.Message
		if pe.Code != "" {
			f.Disallowed += " (" + pe.Code
			if pe.CorrelationID != "" {
				f.Disallowed += ", correlation id " + pe.CorrelationID
			}
			f.Disallowed += ")"
		}
		v.Form = *f
		return h.renderForm(c, http.StatusBadGateway, v.Form, templates.DueDateFormPanel(v))
	}
	cur := opts.Currency.String()
	if cur == "" {
		cur = cf.Order.PurchaseCurrency.String()
	}
	for _, o := range opts.Options {
		v.Options = append(v.Options, view.DueDateChoice{Days: o.NumberOfDays, Value: strconv.FormatInt(o.NumberOfDays, 10),
			Label: strconv.FormatInt(o.NumberOfDays, 10) + " days, fee " + money.Show(o.Amount, cur, h.orderNumbers(c, cf.Order))})
	}
	if len(v.Options) == 0 {
		f.Disallowed = "Extend due date: not possible, " + view.ProviderName(h.Provider) + " offers no extension for this capture (it may have been extended already or be fully refunded)."
	}
	render := func(status int) error {
		v.Form = cf.Form
		return h.renderForm(c, status, v.Form, templates.DueDateFormPanel(v))
	}
	if !post || f.Disallowed != "" {
		status := http.StatusOK
		if f.Disallowed != "" {
			status = http.StatusConflict
		}
		return render(status)
	}

	ch, ok := cf.readCommon(c)
	cf.readValues(c, view.FieldDays)
	days, perr := strconv.ParseInt(f.Value(view.FieldDays), 10, 64)
	i := slices.IndexFunc(v.Options, func(o view.DueDateChoice) bool { return o.Days == days })
	switch {
	case f.Value(view.FieldDays) == "":
		f.AddError(view.FieldDays, "Choose how many days to extend by")
	case perr != nil || i < 0:
		f.AddError(view.FieldDays, "Choose one of the extensions on offer")
	}
	if !ok || f.HasErrors() {
		return render(http.StatusUnprocessableEntity)
	}
	choice := v.Options[i]
	ch.Body = &omclient.ExtendDueDateRequest{NumberOfDays: days}
	flash := func(orders.Result) string {
		return "Due date of capture " + captureRef(cf.Capture) + " extended by " + choice.Label + "."
	}
	return h.submitChange(c, cf, ch, flash, render)
}
