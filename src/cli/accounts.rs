//! Businesses and the people who work for them.

use super::*;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account (prints its id once it is on disk)
    Add {
        /// The business's name
        name: String,
        #[command(flatten)]
        fields: AccountFields,
    },
    /// Change an account's fields; those not given stay
    Edit {
        /// The account: id, domain or name
        account: String,
        /// Its new name
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: AccountFields,
    },
    /// Every account, with its people, open deals and revenue
    List {
        /// Only this rep's
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
    },
    /// An account's page: its people, open deals, tickets, orders and revenue, follow-ups and a
    /// timeline of all of it
    Show {
        /// The account: id, domain or name
        account: String,
        /// Timeline lines to show (0: all)
        #[arg(long, default_value_t = 20, value_name = "N")]
        lines: usize,
    },
    /// Make a customer one of an account's people (a person belongs to at most one)
    Link {
        /// The customer: external id, id, or email
        customer: String,
        /// The account: id, domain or name
        account: String,
    },
    /// Take a customer out of their account: they stay, on their own
    Unlink {
        /// The customer: external id, id, or email
        customer: String,
    },
}

#[derive(Debug, Default, Args)]
pub struct AccountFields {
    /// Its web or mail domain (example.com): imports link people by their email's
    #[arg(long)]
    pub domain: Option<String>,
    #[arg(long, help = "Its switchboard number")]
    pub phone: Option<String>,
    #[arg(long, help = "The country it is in")]
    pub country: Option<String>,
    /// The rep it belongs to
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// A tag (repeat for several); on edit, the tags it has from now on
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
}
