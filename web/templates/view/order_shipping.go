package view

import (
	"strings"

	"ordercare/internal/omclient"
)

// ShippingInfoView is one shipment's tracking data. A tracking link is
// only ever set to an absolute http(s) URL; other values stay text.
type ShippingInfoView struct {
	Company              string
	Method               string
	MethodCode           string // the provider's code, for the tooltip
	TrackingNumber       string
	TrackingHref         string // safe link, or ""
	TrackingText         string // the URI as sent, shown when it is not a safe link
	ReturnCompany        string
	ReturnTrackingNumber string
	ReturnTrackingHref   string
	ReturnTrackingText   string
}

func shippingOptionFields(s *omclient.SelectedShippingOption, m func(int64) Money) []Field {
	if s == nil {
		return nil
	}
	var out []Field
	add := func(label, value string) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, Field{Label: label, Value: value})
		}
	}
	add("Option", string(s.Name))
	carrier := string(s.Carrier)
	if s.CarrierProduct != nil {
		carrier = joinNonEmpty(" · ", carrier, string(s.CarrierProduct.Name))
	}
	add("Carrier", carrier)
	add("Method", humanize(string(s.Method)))
	add("Price", m(s.Price).Text)
	if s.Location != nil {
		loc := string(s.Location.Name)
		if a := s.Location.Address; a != nil {
			loc = joinNonEmpty(", ", loc, string(a.StreetAddress), joinNonEmpty(" ", string(a.PostalCode), string(a.City)))
		}
		add("Pick-up point", loc)
	}
	if s.Timeslot != nil {
		add("Time slot", joinNonEmpty(" – ", string(s.Timeslot.Start), string(s.Timeslot.End)))
	}
	add("TMS reference", string(s.TMSReference))
	return out
}

func shippingInfoViews(infos []omclient.ShippingInfo) []ShippingInfoView {
	out := make([]ShippingInfoView, 0, len(infos))
	for _, s := range infos {
		v := ShippingInfoView{
			Company:              orDash(string(s.ShippingCompany)),
			Method:               orDash(shippingMethodName(string(s.ShippingMethod))),
			MethodCode:           string(s.ShippingMethod),
			TrackingNumber:       orDash(string(s.TrackingNumber)),
			ReturnCompany:        string(s.ReturnShippingCompany),
			ReturnTrackingNumber: string(s.ReturnTrackingNumber),
		}
		v.TrackingHref = safeHref(string(s.TrackingURI))
		if v.TrackingHref == "" {
			v.TrackingText = strings.TrimSpace(string(s.TrackingURI))
		}
		v.ReturnTrackingHref = safeHref(string(s.ReturnTrackingURI))
		if v.ReturnTrackingHref == "" {
			v.ReturnTrackingText = strings.TrimSpace(string(s.ReturnTrackingURI))
		}
		out = append(out, v)
	}
	return out
}
