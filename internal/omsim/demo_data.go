package omsim

// Tables for the demo generator (demo.go): markets with their people,
// addresses, payment methods and carriers, and a product catalogue. Names
// and companies are invented; addresses use real street and city names so
// that the demo looks like the provider's data.

type demoPerson struct {
	given, family, email, phone string
}

type demoAddress struct {
	street, street2, postal, city, region string
}

type demoMethod struct {
	typ, description string
	installments     int64
}

type demoCarrier struct {
	company, method, uriFormat, returnCompany string
	// number: "d20" = 20 digits, "gb" = Royal Mail style, "1z" = UPS style
	number string
}

type demoCompany struct {
	name, regID, vatID string
}

type demoMarket struct {
	country, currency, locale string
	taxRate                   int64 // basis points; 0 for US (sales tax line instead)
	// factor converts a catalogue price in euro cents to this currency's
	// minor units; step and minus shape it into a shop price
	// (round to step, then subtract minus: 999 kr, 49.95 €, 4,980 ¥).
	factor      float64
	step, minus int64
	shippingFee int64 // minor units, tax included
	people      []demoPerson
	addresses   []demoAddress
	methods     []demoMethod
	b2bMethod   string
	companies   []demoCompany
	carrier     demoCarrier
}

var demoMarkets = []demoMarket{
	{
		country: "SE", currency: "SEK", locale: "sv-SE", taxRate: 2500, factor: 11.5, step: 1000, minus: 100, shippingFee: 4900,
		people: []demoPerson{
			{"Anna", "Lindqvist", "anna.lindqvist@example.se", "+46701234567"},
			{"Erik", "Johansson", "erik.j@example.se", "+46739876543"},
			{"Lars-Göran", "Åkesson", "lg.akesson@example.se", "+46702223344"},
			{"Sofia", "Bergström", "sofia.bergstrom@example.se", "+46761112233"},
		},
		addresses: []demoAddress{
			{"Drottninggatan 53", "", "111 21", "Stockholm", ""},
			{"Kungsportsavenyen 12", "lgh 1102", "411 36", "Göteborg", ""},
			{"Stortorget 7", "", "211 22", "Malmö", ""},
		},
		methods: []demoMethod{
			{"INVOICE", "Pay later in 30 days", 0}, {"FIXED_AMOUNT", "Financing", 12}, {"DIRECT_DEBIT", "Pay now", 0},
			{"CARD", "Card", 0}, {"SWISH", "Swish", 0}, {"ACCOUNT", "Flexible account", 0}, {"PAY_LATER_IN_PARTS", "Pay in 3", 3},
		},
		b2bMethod: "INVOICE_BUSINESS",
		companies: []demoCompany{
			{"Nordljus Kontorsmöbler AB", "556677-8899", "SE556677889901"},
			{"Aktiebolaget Nordiska Kontorsmöbler och Inredningslösningar för Offentliga Miljöer i Västra Götalandsregionen", "559123-4567", "SE559123456701"},
		},
		carrier: demoCarrier{"PostNord SE", "PickUpPoint", "https://tracking.postnord.com/se/?id=%s", "PostNord SE", "d20"},
	},
	{
		country: "NO", currency: "NOK", locale: "nb-NO", taxRate: 2500, factor: 11.8, step: 1000, minus: 100, shippingFee: 6900,
		people: []demoPerson{
			{"Ingrid", "Solberg", "ingrid.solberg@example.no", "+4791234567"},
			{"Bjørn", "Østby", "bjorn.ostby@example.no", "+4798765432"},
			{"Kari", "Haugen", "kari.haugen@example.no", "+4740011223"},
		},
		addresses: []demoAddress{
			{"Karl Johans gate 25", "", "0159", "Oslo", ""},
			{"Bryggen 11", "", "5003", "Bergen", ""},
		},
		methods: []demoMethod{
			{"INVOICE", "Pay later in 14 days", 0}, {"FIXED_AMOUNT", "Financing", 24}, {"CARD", "Card", 0}, {"DIRECT_DEBIT", "Pay now", 0},
		},
		b2bMethod: "B2B_INVOICE",
		companies: []demoCompany{{"Fjordkraft Verksted AS", "912345678", "NO912345678MVA"}},
		carrier:   demoCarrier{"Posten Norge", "PickUpPoint", "https://sporing.posten.no/sporing/%s", "Posten Norge", "d20"},
	},
	{
		country: "DK", currency: "DKK", locale: "da-DK", taxRate: 2500, factor: 7.45, step: 1000, minus: 100, shippingFee: 3900,
		people: []demoPerson{
			{"Søren", "Kjær", "soren.kjaer@example.dk", "+4520123456"},
			{"Freja", "Mølgaard", "freja.molgaard@example.dk", "+4531234567"},
		},
		addresses: []demoAddress{
			{"Strøget 18", "2. tv.", "1160", "København K", ""},
			{"Åboulevarden 32", "", "8000", "Aarhus C", ""},
		},
		methods: []demoMethod{
			{"INVOICE", "Pay later in 30 days", 0}, {"CARD", "Card", 0}, {"MOBILEPAY", "MobilePay", 0}, {"FIXED_AMOUNT", "Financing", 6},
		},
		b2bMethod: "INVOICE_BUSINESS",
		companies: []demoCompany{{"Havnens Kaffebar ApS", "38123456", "DK38123456"}},
		carrier:   demoCarrier{"GLS DK", "PickUpPoint", "https://gls-group.com/DK/da/find-pakke?match=%s", "GLS DK", "d11"},
	},
	{
		country: "FI", currency: "EUR", locale: "fi-FI", taxRate: 2550, factor: 1, step: 100, minus: 5, shippingFee: 595,
		people: []demoPerson{
			{"Aino", "Virtanen", "aino.virtanen@example.fi", "+358401234567"},
			{"Mikko", "Järvinen", "mikko.jarvinen@example.fi", "+358501112233"},
		},
		addresses: []demoAddress{
			{"Aleksanterinkatu 52", "", "00100", "Helsinki", ""},
			{"Hämeenkatu 9", "B 14", "33100", "Tampere", ""},
		},
		methods: []demoMethod{
			{"INVOICE", "Pay later in 14 days", 0}, {"FIXED_AMOUNT", "Financing", 12}, {"BANK_TRANSFER", "Online bank payment", 0}, {"CARD", "Card", 0},
		},
		b2bMethod: "INVOICE_BUSINESS",
		companies: []demoCompany{{"Järvi Design Oy", "2345678-9", "FI23456789"}},
		carrier:   demoCarrier{"Posti FI", "PickUpPoint", "https://www.posti.fi/fi/seuranta#/lahetys/%s", "Posti FI", "d20"},
	},
	{
		country: "DE", currency: "EUR", locale: "de-DE", taxRate: 1900, factor: 1, step: 100, minus: 5, shippingFee: 495,
		people: []demoPerson{
			{"Lukas", "Müller", "lukas.mueller@example.de", "+4915112345678"},
			{"Hannah", "Schröder", "hannah.schroeder@example.de", "+4917298765432"},
			{"Maximilian Alexander Friedrich-Wilhelm", "von Hohenzollern-Sigmaringen zu Württemberg-Hechingen", "m.hohenzollern@example.de", "+4916033344455"},
			{"Дмитрий", "Иванов", "dmitrij.ivanov@example.de", "+4915755566677"},
		},
		addresses: []demoAddress{
			{"Friedrichstraße 123", "Hinterhaus, 3. OG", "10117", "Berlin", ""},
			{"Maximilianstraße 8", "", "80539", "München", ""},
			{"Königsallee 60", "", "40212", "Düsseldorf", ""},
		},
		methods: []demoMethod{
			{"INVOICE", "Rechnung", 0}, {"DIRECT_DEBIT", "Lastschrift", 0}, {"FIXED_AMOUNT", "Ratenkauf", 12},
			{"CARD", "Karte", 0}, {"BANK_TRANSFER", "Sofortüberweisung", 0}, {"ACCOUNT", "Flexibles Konto", 0},
		},
		b2bMethod: "B2B_INVOICE",
		companies: []demoCompany{{"Schneider & Söhne Werkzeugbau GmbH", "HRB 123456", "DE123456789"}},
		carrier:   demoCarrier{"DHL DE", "Home", "https://www.dhl.de/de/privatkunden/dhl-sendungsverfolgung.html?piececode=%s", "DHL DE", "d20"},
	},
	{
		country: "AT", currency: "EUR", locale: "de-AT", taxRate: 2000, factor: 1, step: 100, minus: 5, shippingFee: 595,
		people: []demoPerson{
			{"Katharina", "Gruber", "katharina.gruber@example.at", "+436641234567"},
			{"Florian", "Huber", "florian.huber@example.at", "+436769876543"},
		},
		addresses: []demoAddress{{"Mariahilfer Straße 77", "Top 12", "1060", "Wien", ""}, {"Getreidegasse 9", "", "5020", "Salzburg", ""}},
		methods:   []demoMethod{{"INVOICE", "Rechnung", 0}, {"FIXED_AMOUNT", "Ratenkauf", 6}, {"CARD", "Karte", 0}},
		carrier:   demoCarrier{"Österreichische Post", "Home", "https://www.post.at/s/sendungsdetails?snr=%s", "Österreichische Post", "d22"},
	},
	{
		country: "NL", currency: "EUR", locale: "nl-NL", taxRate: 2100, factor: 1, step: 100, minus: 5, shippingFee: 395,
		people: []demoPerson{
			{"Daan", "de Vries", "daan.devries@example.nl", "+31612345678"},
			{"Sanne", "van den Berg", "sanne.vandenberg@example.nl", "+31687654321"},
		},
		addresses: []demoAddress{{"Prinsengracht 263", "", "1016 GV", "Amsterdam", ""}, {"Oudegracht 158", "", "3511 AZ", "Utrecht", ""}},
		methods:   []demoMethod{{"INVOICE", "Achteraf betalen", 0}, {"PAY_LATER_IN_PARTS", "Betaal in 3 delen", 3}, {"BANK_TRANSFER", "iDEAL", 0}},
		b2bMethod: "B2B_INVOICE",
		companies: []demoCompany{{"Van Dijk Installatietechniek B.V.", "12345678", "NL123456789B01"}},
		carrier:   demoCarrier{"PostNL", "Home", "https://jouw.postnl.nl/track-and-trace/%s", "PostNL", "d13"},
	},
	{
		country: "FR", currency: "EUR", locale: "fr-FR", taxRate: 2000, factor: 1, step: 100, minus: 5, shippingFee: 490,
		people: []demoPerson{
			{"Camille", "Lefèvre", "camille.lefevre@example.fr", "+33612345678"},
			{"Théo", "Rousseau", "theo.rousseau@example.fr", "+33798765432"},
		},
		addresses: []demoAddress{{"12 rue de Rivoli", "Bâtiment B", "75004", "Paris", ""}, {"5 place Bellecour", "", "69002", "Lyon", ""}},
		methods:   []demoMethod{{"PAY_IN_X", "Payer en 3 fois", 3}, {"CARD", "Carte bancaire", 0}, {"FIXED_AMOUNT", "Financement", 10}},
		carrier:   demoCarrier{"Colissimo FR", "Home", "https://www.laposte.fr/outils/suivre-vos-envois?code=%s", "Colissimo FR", "d13"},
	},
	{
		country: "GR", currency: "EUR", locale: "el-GR", taxRate: 2400, factor: 1, step: 100, minus: 5, shippingFee: 350,
		people: []demoPerson{
			{"Γεώργιος", "Παπαδόπουλος", "g.papadopoulos@example.gr", "+306912345678"},
			{"Ελένη", "Οικονόμου", "eleni.oikonomou@example.gr", "+306987654321"},
		},
		addresses: []demoAddress{{"Οδός Ερμού 24", "", "105 63", "Αθήνα", ""}, {"Λεωφόρος Νίκης 15", "", "546 23", "Θεσσαλονίκη", ""}},
		methods:   []demoMethod{{"PAY_LATER_IN_PARTS", "Πληρωμή σε 3 δόσεις", 3}, {"CARD", "Κάρτα", 0}},
		carrier:   demoCarrier{"ACS Courier GR", "Home", "https://www.acscourier.net/en/track-and-trace/?trackingNumber=%s", "ACS Courier GR", "d10"},
	},
	{
		country: "GB", currency: "GBP", locale: "en-GB", taxRate: 2000, factor: 0.85, step: 100, minus: 1, shippingFee: 399,
		people: []demoPerson{
			{"Oliver", "Hughes", "oliver.hughes@example.co.uk", "+447700900123"},
			{"Amelia", "O'Connor", "amelia.oconnor@example.co.uk", "+447700900456"},
			{"Priya", "Raghunathan-Whitfield", "priya.rw@example.co.uk", "+447700900789"},
		},
		addresses: []demoAddress{{"221 Baker Street", "Flat 2", "NW1 6XE", "London", ""}, {"14 Deansgate", "", "M3 2BW", "Manchester", ""}},
		methods:   []demoMethod{{"PAY_LATER_IN_PARTS", "Pay in 3", 3}, {"INVOICE", "Pay in 30 days", 0}, {"CARD", "Card", 0}, {"FIXED_SUM_CREDIT", "Financing", 12}},
		b2bMethod: "B2B_INVOICE",
		companies: []demoCompany{{"Thames Valley Office Supplies Ltd", "01234567", "GB123456789"}},
		carrier:   demoCarrier{"Royal Mail GB", "Postal", "https://www.royalmail.com/track-your-item#/tracking-results/%s", "Royal Mail GB", "gb"},
	},
	{
		country: "US", currency: "USD", locale: "en-US", taxRate: 0, factor: 1.1, step: 100, minus: 1, shippingFee: 599,
		people: []demoPerson{
			{"Jordan", "Rivera", "jordan.rivera@example.com", "+12125550147"},
			{"Emily", "Chen", "emily.chen@example.com", "+14155550199"},
			{"Christopher", "Washington-Montgomery", "c.wm@example.com", "+13125550123"},
		},
		addresses: []demoAddress{
			{"350 Fifth Avenue", "Suite 4200", "10118", "New York", "NY"},
			{"1 Market Street", "", "94105", "San Francisco", "CA"},
			{"233 S Wacker Dr", "", "60606", "Chicago", "IL"},
		},
		methods: []demoMethod{
			{"PAY_LATER_IN_PARTS", "Pay in 4", 4}, {"DEFERRED_INTEREST", "Financing", 12}, {"FIXED_SUM_CREDIT", "Monthly financing", 24}, {"CARD", "Card", 0},
		},
		carrier: demoCarrier{"UPS US", "Home", "https://www.ups.com/track?tracknum=%s", "UPS US", "1z"},
	},
	{
		country: "PL", currency: "PLN", locale: "pl-PL", taxRate: 2300, factor: 4.3, step: 100, minus: 1, shippingFee: 1299,
		people: []demoPerson{
			{"Zofia", "Wiśniewska", "zofia.wisniewska@example.pl", "+48501234567"},
			{"Jakub", "Kowalczyk", "jakub.kowalczyk@example.pl", "+48609876543"},
			{"Олександра", "Шевченко", "oleksandra.shevchenko@example.pl", "+48795222223"},
		},
		addresses: []demoAddress{{"Ul. Górczewska 124", "m. 15", "01-460", "Warszawa", ""}, {"Ul. Floriańska 3", "", "31-019", "Kraków", ""}},
		methods:   []demoMethod{{"INVOICE", "Zapłać za 30 dni", 0}, {"PAY_LATER_IN_PARTS", "Zapłać w 3 ratach", 3}, {"BANK_TRANSFER", "Przelew online", 0}},
		carrier:   demoCarrier{"InPost PL", "PickUpPoint", "https://inpost.pl/sledzenie-przesylek?number=%s", "InPost PL", "d24"},
	},
	{
		country: "CH", currency: "CHF", locale: "de-CH", taxRate: 810, factor: 0.95, step: 100, minus: 10, shippingFee: 790,
		people: []demoPerson{
			{"Lea", "Brunner", "lea.brunner@example.ch", "+41791234567"},
			{"Noah", "Meier", "noah.meier@example.ch", "+41769876543"},
		},
		addresses: []demoAddress{{"Bahnhofstrasse 45", "", "8001", "Zürich", ""}, {"Marktgasse 20", "", "3011", "Bern", ""}},
		methods:   []demoMethod{{"INVOICE", "Rechnung", 0}, {"CARD", "Karte", 0}, {"DIRECT_DEBIT", "Sofort bezahlen", 0}},
		carrier:   demoCarrier{"Swiss Post CH", "Postal", "https://service.post.ch/ekp-web/ui/entry/shipment/%s", "Swiss Post CH", "d18"},
	},
	{
		country: "JP", currency: "JPY", locale: "ja-JP", taxRate: 1000, factor: 1.6, step: 100, minus: 20, shippingFee: 800,
		people: []demoPerson{
			{"太郎", "山田", "taro.yamada@example.jp", "+819012345678"},
			{"花子", "佐藤", "hanako.sato@example.jp", "+818098765432"},
		},
		addresses: []demoAddress{{"渋谷区神南1-2-3", "渋谷ビル5階", "150-0041", "東京都", "東京都"}, {"北区梅田3-1-1", "", "530-0001", "大阪市", "大阪府"}},
		methods:   []demoMethod{{"CARD", "カード", 0}, {"PAY_LATER_BY_CARD", "後払い", 0}},
		carrier:   demoCarrier{"Yamato Transport JP", "Home", "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number=%s", "Yamato Transport JP", "d12"},
	},
}

type demoProduct struct {
	name, reference, category, brand string
	eurCents                         int64
	kind                             string // order line type
}

var demoProducts = []demoProduct{
	{"Merino wool sweater, charcoal, size M", "MW-2231-M", "Apparel > Knitwear > Sweaters", "Nordic Knit", 8900, "physical"},
	{"Trail running shoes Ridge 3, EU 42", "RS-0342-42", "Footwear > Running", "Fjällsteg", 12900, "physical"},
	{"Stainless steel water bottle 750 ml", "WB-750-SS", "Outdoor > Hydration", "Bäckström", 2490, "physical"},
	{"Wireless noise-cancelling headphones", "HP-NC700", "Electronics > Audio > Headphones", "Soundvik", 24900, "physical"},
	{"Organic cotton bed linen set 150x210", "BL-150-ORG", "Home > Bedroom > Bed linen", "Linnea", 6900, "physical"},
	{"Cast iron skillet 28 cm", "CI-28", "Home > Kitchen > Cookware", "Järnverket", 5400, "physical"},
	{"Down jacket Arctic Pro, navy, size L", "DJ-AP-L-NV", "Apparel > Outerwear > Jackets", "Polarhav", 29900, "physical"},
	{"Ceramic pour-over coffee set", "CF-PO-CER", "Home > Kitchen > Coffee", "Kaffekoppen", 3900, "physical"},
	{"Yoga mat natural rubber 4 mm", "YM-4-NR", "Sports > Yoga", "Asana Nord", 5900, "physical"},
	{"Kids' rain suit, yellow, 110/116", "RS-KID-110", "Apparel > Kids > Rainwear", "Pölhoppare", 4500, "physical"},
	{"LED desk lamp with USB-C charging", "DL-LED-C", "Home > Lighting > Desk lamps", "Ljusgården", 7900, "physical"},
	{"E-book: The Complete Guide to Sourdough", "EB-SOUR-01", "Books > Cooking", "Brödhuset", 1490, "digital"},
	{"Gift card", "GC-50", "Gift cards", "", 5000, "gift_card"},
	{"Linen shirt, white, size 39/40", "LS-WH-39", "Apparel > Shirts", "Linnea", 6400, "physical"},
	{"Leather weekend bag, cognac", "WB-LTH-CG", "Bags > Travel", "Sadelmakarn", 21900, "physical"},
}

// Japanese names for the JP market's products (same catalogue entries).
var demoProductNamesJA = map[string]string{
	"CF-PO-CER":  "セラミック ドリッパーセット",
	"CI-28":      "鋳鉄スキレット 28cm",
	"HP-NC700":   "ワイヤレス ノイズキャンセリング ヘッドホン",
	"WB-750-SS":  "ステンレス製ウォーターボトル 750ml",
	"YM-4-NR":    "天然ゴム ヨガマット 4mm",
	"DL-LED-C":   "USB-C充電付き LEDデスクライト",
	"MW-2231-M":  "メリノウール セーター チャコール M",
	"BL-150-ORG": "オーガニックコットン 寝具セット",
}
