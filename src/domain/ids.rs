use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),+) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub u64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )+};
}

id_type!(
    CustomerId, ProductId, OrderId, DealId, TicketId, NoteId, MemberId, FollowupId, AccountId
);
