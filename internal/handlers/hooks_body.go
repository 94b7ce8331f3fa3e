package handlers

import (
	"bytes"
	"encoding/json"
	"strings"

	"ordercare/internal/intake"
	"ordercare/internal/omclient"
)

// parseHookBody returns the order ids of a hook body, or a message saying
// what is wrong with it.
func parseHookBody(body []byte) ([]string, string) {
	body = bytes.TrimSpace(body)
	var ids []string
	switch {
	case len(body) == 0:
		return nil, `empty body; send {"order_id": "..."}, {"order_ids": [...]} or a JSON list of ids`
	case body[0] == '[':
		var list []json.RawMessage
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, "not a JSON list"
		}
		for _, raw := range list {
			var s string
			var obj hookRequest
			switch {
			case json.Unmarshal(raw, &s) == nil:
				ids = append(ids, s)
			case json.Unmarshal(raw, &obj) == nil && obj.OrderID != "":
				ids = append(ids, obj.OrderID)
			default:
				return nil, "list items must be order ids (strings) or {\"order_id\": ...}"
			}
		}
	case body[0] == '{':
		var req hookRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, `not the expected JSON object; send {"order_id": "..."} or {"order_ids": [...]}`
		}
		if req.OrderID != "" {
			ids = append(ids, req.OrderID)
		}
		ids = append(ids, req.OrderIDs...)
	default:
		return nil, "body is not JSON"
	}
	if len(ids) == 0 {
		return nil, "no order id given"
	}
	if len(ids) > intake.MaxPush {
		return nil, "at most 500 order ids per request"
	}
	var bad []string
	for i, id := range ids {
		ids[i] = strings.TrimSpace(id)
		if !omclient.ValidOrderID(ids[i]) {
			bad = append(bad, ids[i])
		}
	}
	if len(bad) > 0 {
		if len(bad) > 5 {
			bad = append(bad[:5], "…")
		}
		return nil, "not order ids (UUIDs): " + strings.Join(bad, ", ")
	}
	return ids, ""
}
