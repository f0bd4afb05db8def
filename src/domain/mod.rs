//! The CRM's plain data: accounts, customers, products, orders, deals, tickets, notes, follow-ups, and the team.
//! No IO here; every type validates itself and names the field that is wrong.

mod account;
pub mod change;
mod customer;
mod deal;
mod field;
mod followup;
mod ids;
mod member;
mod money;
mod note;
mod order;
mod product;
mod record_ref;
mod ticket;
mod validate;
mod view;

pub use account::{Account, business_domain, is_free_mail, normal_domain};
pub use customer::{Address, Customer, Lifecycle, normalise_email};
pub use deal::{Deal, DealStage, LOSS_REASONS};
pub use field::FieldId;
pub use followup::{Followup, due_text, next_working_hour, parse_due};
pub use ids::{
    AccountId, CustomerId, DealId, FollowupId, MemberId, NoteId, OrderId, ProductId, TicketId,
};
pub use member::{MAX_MEMBER_KEYS, MAX_MEMBER_NAME, Member, MemberKey, Role, validate_member_name};
pub use money::{Money, MoneyError};
pub use note::{Note, NoteKind};
pub use order::{Order, OrderKind, OrderLine};
pub use product::{NON_MERCHANDISE_CODES, Product, is_non_merchandise};
pub use record_ref::{Kind, RecordRef};
pub use ticket::{Message, Priority, Ticket, TicketStatus};
pub use validate::{ValidationError, validate_email};
pub use view::{MAX_VIEW_NAME, View};

/// Every stored timestamp is UTC with millisecond precision.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Implements `Display` and `FromStr` for a field-less enum from one name table, so labels, parsing and
/// CLI help never disagree.
macro_rules! named_enum {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $ty::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| {
                        let names: Vec<&str> = $ty::ALL.iter().map(|v| v.name()).collect();
                        format!("'{wanted}' is not one of: {}", names.join(", "))
                    })
            }
        }
    };
}
pub(crate) use named_enum;
