package view

// ShopConnectView is the admin's page that connects the shop platform.
type ShopConnectView struct {
	Platform  string
	Connected bool
	Expires   string // when the stored authorization lapses
	Problem   string
	CSRF      string
}
