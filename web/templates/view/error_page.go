package view

// ErrorView is an error page's model.
type ErrorView struct {
	Status  int
	Heading string
	Message string
	// RequestID lets support find the server log line.
	RequestID string
}
