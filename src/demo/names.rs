//! Word lists the demo data is built from.

pub const FIRST: &[&str] = &[
    "Ada", "Alan", "Amara", "Ben", "Bianca", "Carlos", "Chloe", "Dev", "Diana", "Emeka", "Elena",
    "Farah", "Finn", "Grace", "Hamid", "Hannah", "Igor", "Isla", "Jamal", "Jane", "Kai", "Keiko",
    "Liam", "Lucia", "Maya", "Mateo", "Nadia", "Noah", "Olga", "Omar", "Priya", "Pedro", "Quinn",
    "Rosa", "Ravi", "Sara", "Sven", "Tariq", "Tessa", "Uma", "Victor", "Wen", "Xavier", "Yara",
    "Yusuf", "Zoe", "Aoife", "Bruno", "Ciara", "Dmitri", "Esther", "Felix", "Gita", "Hugo",
];

pub const LAST: &[&str] = &[
    "Adeyemi",
    "Andersen",
    "Becker",
    "Brennan",
    "Castro",
    "Chen",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Gupta",
    "Haddad",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kaur",
    "Kowalski",
    "Larsen",
    "Lopez",
    "Mahmoud",
    "Martin",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Patel",
    "Petrov",
    "Quinn",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Sato",
    "Taylor",
    "Tanaka",
    "Vargas",
    "Wagner",
    "Walsh",
    "Wilson",
    "Young",
    "Zhang",
    "Zielinski",
];

pub const COMPANY_HEAD: &[&str] = &[
    "Acme",
    "Northwind",
    "Bluebell",
    "Harbour",
    "Juniper",
    "Kestrel",
    "Larch",
    "Meridian",
    "Oakridge",
    "Pennant",
    "Quayside",
    "Riverside",
    "Saffron",
    "Thistle",
    "Upland",
    "Willow",
    "Copper Kettle",
    "Fox & Hound",
    "Old Mill",
    "Corner",
    "Hilltop",
    "Seaview",
    "Greenway",
];

pub const COMPANY_TAIL: &[&str] = &[
    "Ltd",
    "Trading",
    "Stores",
    "& Co",
    "Gifts",
    "Café",
    "Deli",
    "Interiors",
    "Supplies",
    "Hotel",
    "Florist",
    "Bakery",
    "Emporium",
    "Market",
];

pub const FREEMAIL: &[&str] = &["mail.example.com", "post.example.net", "inbox.example.org"];

pub const COUNTRIES: &[(&str, u32)] = &[
    ("United Kingdom", 60),
    ("Ireland", 6),
    ("France", 6),
    ("Germany", 7),
    ("Netherlands", 4),
    ("Spain", 4),
    ("Belgium", 3),
    ("Norway", 2),
    ("Portugal", 2),
    ("Australia", 3),
    ("United States", 3),
];

pub const OWNERS: &[&str] = &["alex", "bea", "chen", "dara", "eli", "fern"];

pub const TAGS: &[&str] = &[
    "wholesale",
    "retail",
    "vip",
    "newsletter",
    "trade-show",
    "referral",
    "online",
    "hospitality",
];

/// Categories with their price range (in pence) and the nouns their products are made from.
pub struct Category {
    pub name: &'static str,
    pub price: (i64, i64),
    pub nouns: &'static [&'static str],
    /// Where its buyers also shop: rules and suggestions should find these pairs.
    pub partner: usize,
}

pub const CATEGORIES: &[Category] = &[
    Category {
        name: "Coffee",
        price: (450, 1800),
        partner: 1,
        nouns: &[
            "Espresso Beans",
            "Filter Coffee",
            "Decaf Blend",
            "Cold Brew",
            "Single Origin Beans",
            "Instant Coffee",
        ],
    },
    Category {
        name: "Brewing",
        price: (900, 9000),
        partner: 0,
        nouns: &[
            "Cafetière",
            "Pour-over Cone",
            "Burr Grinder",
            "Milk Frother",
            "Paper Filters",
            "Moka Pot",
        ],
    },
    Category {
        name: "Tea",
        price: (300, 1500),
        partner: 3,
        nouns: &[
            "Earl Grey",
            "Green Tea",
            "Chai Blend",
            "Peppermint Tea",
            "Breakfast Tea",
            "Rooibos",
        ],
    },
    Category {
        name: "Bakery",
        price: (150, 900),
        partner: 2,
        nouns: &[
            "Shortbread",
            "Flapjack",
            "Sourdough Loaf",
            "Scones",
            "Biscotti",
            "Lemon Drizzle",
        ],
    },
    Category {
        name: "Stationery",
        price: (120, 2500),
        partner: 4,
        nouns: &[
            "Notebook",
            "Fountain Pen",
            "Greeting Cards",
            "Wrapping Paper",
            "Desk Planner",
            "Gift Tags",
        ],
    },
    Category {
        name: "Candles",
        price: (500, 3500),
        partner: 6,
        nouns: &[
            "Scented Candle",
            "Tea Lights",
            "Reed Diffuser",
            "Candle Holder",
            "Pillar Candle",
            "Matches",
        ],
    },
    Category {
        name: "Home",
        price: (800, 6000),
        partner: 5,
        nouns: &[
            "Cushion Cover",
            "Throw Blanket",
            "Photo Frame",
            "Vase",
            "Wall Clock",
            "Doorstop",
        ],
    },
    Category {
        name: "Kitchen",
        price: (300, 4500),
        partner: 8,
        nouns: &[
            "Tea Towel",
            "Apron",
            "Storage Jar",
            "Chopping Board",
            "Oven Glove",
            "Lunch Box",
        ],
    },
    Category {
        name: "Cleaning",
        price: (200, 1500),
        partner: 7,
        nouns: &[
            "Dish Brush",
            "Washing-up Liquid",
            "Beeswax Wraps",
            "Cloths",
            "Surface Spray",
            "Soap Bar",
        ],
    },
    Category {
        name: "Garden",
        price: (250, 5000),
        partner: 10,
        nouns: &[
            "Seed Packet",
            "Plant Pot",
            "Watering Can",
            "Gardening Gloves",
            "Bird Feeder",
            "Herb Kit",
        ],
    },
    Category {
        name: "Outdoor",
        price: (600, 8000),
        partner: 9,
        nouns: &[
            "Picnic Blanket",
            "Lantern",
            "Flask",
            "Hammock",
            "Parasol",
            "Cool Bag",
        ],
    },
    Category {
        name: "Toys",
        price: (300, 4000),
        partner: 4,
        nouns: &[
            "Wooden Puzzle",
            "Kite",
            "Skipping Rope",
            "Card Game",
            "Spinning Top",
            "Marbles",
        ],
    },
];

pub const VARIANTS: &[&str] = &[
    "Classic", "Vintage", "Organic", "Deluxe", "Mini", "Large", "Blue", "Red", "Rose", "Sage",
    "Charcoal", "Heritage", "Nordic", "Spotted", "Striped", "Gold",
];

pub const DEAL_TITLES: &[&str] = &[
    "{c} restock",
    "Annual {c} contract",
    "Seasonal {c} order",
    "{c} for new branch",
    "Christmas {c} range",
    "Trial order: {c}",
    "{c} display stand",
];

pub const TICKET_SUBJECTS: &[&str] = &[
    "Order arrived damaged",
    "Invoice query",
    "Change delivery address",
    "Item out of stock?",
    "Refund not received",
    "Cannot log in to trade portal",
    "Wrong item sent",
    "Delivery is late",
    "Request for samples",
    "Question about bulk pricing",
];

pub const NOTE_TEXTS: &[&str] = &[
    "Called about {p}; wants a quote for {n} units.",
    "Sent the {c} catalogue.",
    "Met at the trade show; interested in {c}.",
    "Asked to be called back after the holidays.",
    "Happy with the last delivery of {p}.",
    "Complained about delivery times; offered free shipping on next order.",
    "Budget approved for {c} next quarter.",
];
