package omclient

import "strings"

// idSlot stands for every id in an operation's path template.
const idSlot = "-"

// opTemplates maps "METHOD /ordermanagement/v1/orders/-/..." to its
// operation, built from opSpecs so the two cannot drift apart.
var opTemplates = func() map[string]Operation {
	m := make(map[string]Operation, len(opSpecs))
	for op, spec := range opSpecs {
		m[spec.method+" "+opPath(spec, idSlot, idSlot)] = op
	}
	return m
}()

// OperationOf names the Order Management API operation of a request from
// its method and URL path, for metrics: the path holds order, capture and
// refund ids, which must never become a label. ok is false for a path
// that is not one of the API's operations.
func OperationOf(method, path string) (op Operation, ok bool) {
	i := strings.Index(path, apiPrefix+"/")
	if i < 0 {
		return "", false
	}
	segs := strings.Split(path[i+1:], "/")
	for j := 1; j < len(segs); j++ {
		switch segs[j-1] {
		case "orders", "captures", "refunds":
			segs[j] = idSlot
		}
	}
	op, ok = opTemplates[method+" /"+strings.Join(segs, "/")]
	return op, ok
}
