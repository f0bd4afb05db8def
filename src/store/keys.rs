//! Tree names and key layouts. Ids are big-endian so that a range scan walks them in id order.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tr {
    Meta,
    Customers,
    Products,
    Orders,
    Deals,
    Tickets,
    Notes,
    CustomerByEmail,
    CustomerByExternal,
    ProductBySku,
    OrderByNumber,
    OrderByCustomer,
    DealByStage,
    DealByCustomer,
    TicketByStatus,
    TicketByCustomer,
    NoteByCustomer,
    Trash,
    Imports,
    ImportChanges,
    CustomerByName,
    Members,
    MemberByName,
    MemberByKey,
    Audit,
    AuditByRecord,
    Followups,
    FollowupByCustomer,
    Views,
    Accounts,
    AccountByName,
    AccountByDomain,
    CustomerByAccount,
}

impl Tr {
    pub const ALL: [Tr; 33] = [
        Tr::Meta,
        Tr::Customers,
        Tr::Products,
        Tr::Orders,
        Tr::Deals,
        Tr::Tickets,
        Tr::Notes,
        Tr::CustomerByEmail,
        Tr::CustomerByExternal,
        Tr::ProductBySku,
        Tr::OrderByNumber,
        Tr::OrderByCustomer,
        Tr::DealByStage,
        Tr::DealByCustomer,
        Tr::TicketByStatus,
        Tr::TicketByCustomer,
        Tr::NoteByCustomer,
        Tr::Trash,
        Tr::Imports,
        Tr::ImportChanges,
        Tr::CustomerByName,
        Tr::Members,
        Tr::MemberByName,
        Tr::MemberByKey,
        Tr::Audit,
        Tr::AuditByRecord,
        Tr::Followups,
        Tr::FollowupByCustomer,
        Tr::Views,
        Tr::Accounts,
        Tr::AccountByName,
        Tr::AccountByDomain,
        Tr::CustomerByAccount,
    ];

    /// The tree's name on disk; renaming one needs a migration.
    pub fn name(self) -> &'static str {
        match self {
            Tr::Meta => "meta",
            Tr::Customers => "customers",
            Tr::Products => "products",
            Tr::Orders => "orders",
            Tr::Deals => "deals",
            Tr::Tickets => "tickets",
            Tr::Notes => "notes",
            Tr::CustomerByEmail => "idx/customer/email",
            Tr::CustomerByExternal => "idx/customer/external_id",
            Tr::ProductBySku => "idx/product/sku",
            Tr::OrderByNumber => "idx/order/number",
            Tr::OrderByCustomer => "idx/order/customer",
            Tr::DealByStage => "idx/deal/stage",
            Tr::DealByCustomer => "idx/deal/customer",
            Tr::TicketByStatus => "idx/ticket/status",
            Tr::TicketByCustomer => "idx/ticket/customer",
            Tr::NoteByCustomer => "idx/note/customer",
            Tr::Trash => "trash",
            Tr::Imports => "imports",
            Tr::ImportChanges => "imports/changes",
            Tr::CustomerByName => "idx/customer/name",
            Tr::Members => "members",
            Tr::MemberByName => "idx/member/name",
            Tr::MemberByKey => "idx/member/key",
            Tr::Audit => "audit",
            // Not under idx/: it is kept with the log, not rebuilt from records.
            Tr::AuditByRecord => "audit/by_record",
            Tr::Followups => "followups",
            Tr::FollowupByCustomer => "idx/followup/customer",
            // Each person's saved views, by name: theirs, not the team's records.
            Tr::Views => "views",
            Tr::Accounts => "accounts",
            Tr::AccountByName => "idx/account/name",
            Tr::AccountByDomain => "idx/account/domain",
            Tr::CustomerByAccount => "idx/customer/account",
        }
    }

    /// The byte that names a record tree inside other keys (trash, import journal); fixed here so
    /// that reordering this enum cannot change stored keys.
    pub fn kind_byte(self) -> Option<u8> {
        Some(match self {
            Tr::Customers => 1,
            Tr::Products => 2,
            Tr::Orders => 3,
            Tr::Deals => 4,
            Tr::Tickets => 5,
            Tr::Notes => 6,
            Tr::Members => 7,
            Tr::Followups => 8,
            Tr::Accounts => 9,
            _ => return None,
        })
    }

    pub fn from_kind_byte(byte: u8) -> Option<Tr> {
        Tr::ALL.into_iter().find(|t| t.kind_byte() == Some(byte))
    }

    pub fn index(self) -> usize {
        Tr::ALL
            .iter()
            .position(|&t| t == self)
            .expect("every tree is in ALL")
    }

    pub fn is_index(self) -> bool {
        self.name().starts_with("idx/")
    }
}

pub fn id_key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

pub fn id_from_key(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// A non-unique index entry: the grouping value, then the record id, so one prefix scan lists a group.
pub fn group_key(group: &[u8], id: u64) -> Vec<u8> {
    let mut key = Vec::with_capacity(group.len() + 8);
    key.extend_from_slice(group);
    key.extend_from_slice(&id.to_be_bytes());
    key
}

/// Meta keys.
pub const SCHEMA_VERSION: &[u8] = b"schema_version";
pub const DATA_VERSION: &[u8] = b"data_version";
/// Set while `rapport demo` fills the database, so a killed run is started over, not refused.
pub const DEMO_UNFINISHED: &[u8] = b"demo_unfinished";

/// A record's key outside its own tree: its kind byte, then its id.
pub fn record_key(tree: Tr, id: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = tree.kind_byte().expect("a record tree");
    key[1..].copy_from_slice(&id.to_be_bytes());
    key
}

pub fn next_id_key(tree: Tr) -> Vec<u8> {
    format!("next_id/{}", tree.name()).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_numerically_and_come_back() {
        assert!(id_key(2) < id_key(10));
        assert!(group_key(&id_key(1), 300) < group_key(&id_key(2), 1));
        assert_eq!(id_from_key(&group_key(b"won", 42)), Some(42));
        assert_eq!(id_from_key(b"short"), None);
    }

    #[test]
    fn tree_names_are_unique() {
        let mut names: Vec<_> = Tr::ALL.iter().map(|t| t.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Tr::ALL.len());
    }
}
