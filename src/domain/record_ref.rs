//! A record named as people type it: `customer:42`.

use super::named_enum;

/// The kinds of record a user can name: `customer:42`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Customer,
    Product,
    Order,
    Deal,
    Ticket,
    Note,
    Followup,
    Account,
}

named_enum!(Kind {
    Customer => "customer",
    Product => "product",
    Order => "order",
    Deal => "deal",
    Ticket => "ticket",
    Note => "note",
    Followup => "followup",
    Account => "account",
});

/// `customer:42`, as users type and read a record's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RecordRef {
    pub kind: Kind,
    pub id: u64,
}

impl std::fmt::Display for RecordRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

impl std::str::FromStr for RecordRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, id) = s
            .split_once(':')
            .ok_or_else(|| format!("'{s}' is not KIND:ID, for example customer:42"))?;
        Ok(RecordRef {
            kind: kind.parse()?,
            id: id
                .trim()
                .parse()
                .map_err(|_| format!("'{id}' is not a record id"))?,
        })
    }
}
