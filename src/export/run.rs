//! The export command: which records, which filters, where to.

use super::rows::*;
use super::{Format, Sink};
use crate::domain::{
    Account, AccountId, Customer, CustomerId, Deal, DealStage, Followup, Lifecycle, Note, Order,
    Product, ProductId, Ticket, TicketStatus, Timestamp,
};
use crate::store::Records;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// Businesses, each with how many people it has
    Accounts,
    Customers,
    Products,
    Orders,
    OrderLines,
    Deals,
    Tickets,
    Notes,
    /// Follow-ups, open and done (--since/--until: due)
    Followups,
    /// Each buyer's RFM scores, segment and cluster
    Segments,
    /// Association rules over orders at support 0.01, confidence 0.5, lift 1 (`rapport rules` for others)
    Rules,
    /// Every buyer's top 10 suggestions, with reasons
    Suggestions,
}

#[derive(Debug, Default, Clone, clap::Args)]
pub struct Filters {
    /// Only records owned by this rep (customers, deals)
    #[arg(long)]
    pub owner: Option<String>,
    /// Only this stage: a lifecycle for customers (lead, prospect, customer, churned), a pipeline stage for deals
    #[arg(long)]
    pub stage: Option<String>,
    /// Only this ticket status (open, pending, resolved, closed)
    #[arg(long)]
    pub status: Option<String>,
    /// From this day on (YYYY-MM-DD): created for customers, deals, tickets; placed for orders; taken for notes
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Up to and including this day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub until: Option<NaiveDate>,
    /// Only customers in this country (for orders and order lines: their customer's)
    #[arg(long)]
    pub country: Option<String>,
    /// Only customers in this RFM segment, e.g. champions or "at risk"
    #[arg(long)]
    pub segment: Option<String>,
}

/// A filter that does not apply to what is exported, or a value it cannot take.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);

fn refuse(flag: &str, what: What) -> FilterError {
    FilterError(format!(
        "--{flag} does not apply to {}",
        format!("{what:?}").to_lowercase()
    ))
}

impl Filters {
    fn check(&self, what: What) -> Result<(), FilterError> {
        let applies = |flag: &str, ok: bool| if ok { Ok(()) } else { Err(refuse(flag, what)) };
        if self.owner.is_some() {
            applies(
                "owner",
                matches!(
                    what,
                    What::Accounts | What::Customers | What::Deals | What::Followups
                ),
            )?;
        }
        if self.stage.is_some() {
            applies("stage", matches!(what, What::Customers | What::Deals))?;
        }
        if self.status.is_some() {
            applies("status", what == What::Tickets)?;
        }
        if self.country.is_some() {
            applies(
                "country",
                matches!(what, What::Customers | What::Orders | What::OrderLines),
            )?;
        }
        if self.segment.is_some() {
            applies(
                "segment",
                matches!(what, What::Customers | What::Segments | What::Suggestions),
            )?;
        }
        if self.since.is_some() || self.until.is_some() {
            applies(
                "since/--until",
                !matches!(
                    what,
                    What::Products | What::Segments | What::Rules | What::Suggestions
                ),
            )?;
        }
        Ok(())
    }

    fn in_range(&self, t: Timestamp) -> bool {
        let day = t.date_naive();
        self.since.is_none_or(|s| day >= s) && self.until.is_none_or(|u| day <= u)
    }

    fn owner_is(&self, owner: &Option<String>) -> bool {
        self.owner
            .as_ref()
            .is_none_or(|want| owner.as_ref().is_some_and(|o| o.eq_ignore_ascii_case(want)))
    }
}

/// Streams the records out; returns how many rows were written.
pub fn export(
    store: &Records,
    what: What,
    format: Format,
    ids_only: bool,
    filters: &Filters,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    filters.check(what)?;
    // Ids only: one per line, whatever the format, for piping into xargs and friends.
    let mut rows = Rows {
        sink: Sink::new(if ids_only { Format::Ndjson } else { format }, out),
        ids_only,
    };
    if !ids_only {
        use super::rows::*;
        let sink = &mut rows.sink;
        match what {
            What::Accounts => sink.columns_of::<AccountRow>(),
            What::Customers => sink.columns_of::<CustomerRow>(),
            What::Products => sink.columns_of::<ProductRow>(),
            What::Orders => sink.columns_of::<OrderRow>(),
            What::OrderLines => sink.columns_of::<OrderLineRow>(),
            What::Deals => sink.columns_of::<DealRow>(),
            What::Tickets => sink.columns_of::<TicketRow>(),
            What::Notes => sink.columns_of::<NoteRow>(),
            What::Followups => sink.columns_of::<FollowupRow>(),
            What::Segments => sink.columns_of::<SegmentRow>(),
            What::Rules => sink.columns_of::<RuleRow>(),
            What::Suggestions => sink.columns_of::<SuggestionRow>(),
        }
    }
    match what {
        What::Accounts => accounts(store, filters, &mut rows)?,
        What::Customers => customers(store, filters, &mut rows)?,
        What::Products => products(store, &mut rows)?,
        What::Orders | What::OrderLines => orders(store, what, filters, &mut rows)?,
        What::Deals => deals(store, filters, &mut rows)?,
        What::Tickets => tickets(store, filters, &mut rows)?,
        What::Notes => notes(store, filters, &mut rows)?,
        What::Followups => followups(store, filters, &mut rows)?,
        What::Segments | What::Rules | What::Suggestions => {
            insights(store, what, filters, &mut rows)?
        }
    }
    rows.sink.finish()
}

/// Where the rows go: whole, or only their ids.
struct Rows<'a> {
    sink: Sink<&'a mut dyn Write>,
    ids_only: bool,
}

impl Rows<'_> {
    fn emit(&mut self, id: &dyn std::fmt::Display, row: &dyn erased::Row) -> anyhow::Result<()> {
        // The id is formatted only when it is what is written.
        if self.ids_only {
            self.sink.raw_line(&id.to_string())
        } else {
            row.write(&mut self.sink)
        }
    }
}

fn country_of(store: &Records) -> anyhow::Result<HashMap<CustomerId, Option<String>>> {
    Ok(store
        .iter::<Customer>()
        .map(|c| c.map(|c| (c.id, c.country)))
        .collect::<Result<_, _>>()?)
}

/// Each customer's account, for the deals and tickets that belong to it through them.
fn account_of(store: &Records) -> anyhow::Result<HashMap<CustomerId, AccountId>> {
    let mut out = HashMap::new();
    for c in store.iter::<Customer>() {
        let c = c?;
        if let Some(account) = c.account {
            out.insert(c.id, account);
        }
    }
    Ok(out)
}

fn accounts(store: &Records, filters: &Filters, out: &mut Rows) -> anyhow::Result<()> {
    let mut contacts: HashMap<AccountId, usize> = HashMap::new();
    for account in account_of(store)?.into_values() {
        *contacts.entry(account).or_default() += 1;
    }
    for a in store.iter_ahead::<Account>() {
        let a = a?;
        if filters.owner_is(&a.owner) && filters.in_range(a.created) {
            let n = contacts.get(&a.id).copied().unwrap_or(0);
            out.emit(&a.id, &AccountRow::new(&a, n))?;
        }
    }
    Ok(())
}

fn customers(store: &Records, filters: &Filters, out: &mut Rows) -> anyhow::Result<()> {
    let stage = filters
        .stage
        .as_deref()
        .map(str::parse::<Lifecycle>)
        .transpose()
        .map_err(FilterError)?;
    let segment_of = match &filters.segment {
        None => None,
        Some(name) => {
            let wanted = crate::insights::Segment::parse(name).ok_or_else(|| {
                FilterError(format!(
                    "'{name}' is not a segment (champions, loyal, new, …)"
                ))
            })?;
            let snapshot = crate::insights::Snapshot::load(store)?;
            let members: std::collections::HashSet<CustomerId> =
                crate::insights::rfm(&snapshot, None)
                    .into_iter()
                    .filter(|r| r.segment == wanted)
                    .map(|r| r.customer)
                    .collect();
            Some(members)
        }
    };
    for c in store.iter_ahead::<Customer>() {
        let c = c?;
        let keep = filters.owner_is(&c.owner)
            && stage.is_none_or(|s| c.stage == s)
            && filters.in_range(c.created)
            && filters.country.as_ref().is_none_or(|want| {
                c.country
                    .as_ref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(want))
            })
            && segment_of.as_ref().is_none_or(|m| m.contains(&c.id));
        if keep {
            out.emit(&c.id, &CustomerRow::from(&c))?;
        }
    }
    Ok(())
}

fn products(store: &Records, out: &mut Rows) -> anyhow::Result<()> {
    for p in store.iter_ahead::<Product>() {
        let p = p?;
        out.emit(&p.id, &ProductRow::from(&p))?;
    }
    Ok(())
}

fn orders(store: &Records, what: What, filters: &Filters, out: &mut Rows) -> anyhow::Result<()> {
    let countries = if filters.country.is_some() {
        Some(country_of(store)?)
    } else {
        None
    };
    let skus: HashMap<ProductId, String> = if what == What::OrderLines {
        store
            .iter::<Product>()
            .map(|p| p.map(|p| (p.id, p.sku)))
            .collect::<Result<_, _>>()?
    } else {
        HashMap::new()
    };
    for o in store.iter_ahead::<Order>() {
        let o = o?;
        let country_ok = match (&filters.country, &countries) {
            (Some(want), Some(map)) => o
                .customer
                .and_then(|c| map.get(&c).cloned().flatten())
                .is_some_and(|x| x.eq_ignore_ascii_case(want)),
            _ => true,
        };
        if !country_ok || !filters.in_range(o.placed) {
            continue;
        }
        if what == What::Orders {
            out.emit(&o.id, &OrderRow::from(&o))?;
        } else {
            let placed = iso(o.placed);
            for line in &o.lines {
                let sku = skus.get(&line.product).map_or("", String::as_str);
                out.emit(
                    &format_args!("{}:{}", o.id, line.line_no),
                    &OrderLineRow::new(&o, &placed, line, sku),
                )?;
            }
        }
    }
    Ok(())
}

fn deals(store: &Records, filters: &Filters, out: &mut Rows) -> anyhow::Result<()> {
    let stage = filters
        .stage
        .as_deref()
        .map(str::parse::<DealStage>)
        .transpose()
        .map_err(FilterError)?;
    let account = account_of(store)?;
    for d in store.iter_ahead::<Deal>() {
        let d = d?;
        if filters.owner_is(&d.owner)
            && stage.is_none_or(|s| d.stage == s)
            && filters.in_range(d.created)
        {
            out.emit(&d.id, &DealRow::new(&d, account.get(&d.customer).copied()))?;
        }
    }
    Ok(())
}

fn tickets(store: &Records, filters: &Filters, out: &mut Rows) -> anyhow::Result<()> {
    let status = filters
        .status
        .as_deref()
        .map(str::parse::<TicketStatus>)
        .transpose()
        .map_err(FilterError)?;
    let account = account_of(store)?;
    for t in store.iter_ahead::<Ticket>() {
        let t = t?;
        if status.is_none_or(|s| t.status == s) && filters.in_range(t.created) {
            out.emit(
                &t.id,
                &TicketRow::new(&t, account.get(&t.customer).copied()),
            )?;
        }
    }
    Ok(())
}

fn notes(store: &Records, filters: &Filters, out: &mut Rows) -> anyhow::Result<()> {
    for n in store.iter_ahead::<Note>() {
        let n = n?;
        if filters.in_range(n.at) {
            out.emit(&n.id, &NoteRow::from(&n))?;
        }
    }
    Ok(())
}

fn followups(store: &Records, filters: &Filters, out: &mut Rows) -> anyhow::Result<()> {
    for f in store.iter_ahead::<Followup>() {
        let f = f?;
        if filters.in_range(f.due) && filters.owner_is(&f.owner) {
            out.emit(&f.id, &FollowupRow::from(&f))?;
        }
    }
    Ok(())
}

/// Segments, rules and suggestions: computed from the orders, then written as rows.
fn insights(store: &Records, what: What, filters: &Filters, out: &mut Rows) -> anyhow::Result<()> {
    let snapshot = crate::insights::Snapshot::load(store)?;
    let wanted = filters
        .segment
        .as_deref()
        .map(|name| {
            crate::insights::Segment::parse(name).ok_or_else(|| {
                FilterError(format!(
                    "'{name}' is not a segment (champions, loyal, new, …)"
                ))
            })
        })
        .transpose()?;
    match what {
        What::Rules => {
            let options = crate::insights::RuleOptions::default();
            let (_, rules) = crate::insights::rules(&snapshot.order_baskets(), &options)?;
            for (i, r) in rules.iter().enumerate() {
                out.emit(&(i + 1), &rule_row(&snapshot, r))?;
            }
        }
        What::Segments => {
            let report = crate::insights::segments(
                &snapshot,
                None,
                crate::insights::cluster::ClusterCount::Auto,
                7,
            )?;
            for row in segment_rows(store, &report)? {
                if wanted.is_none_or(|w| row.segment == w.name()) {
                    out.emit(&row.customer_id, &row)?;
                }
            }
        }
        _ => {
            let model = crate::insights::suggest::Model::build(&snapshot);
            let members: Option<std::collections::HashSet<CustomerId>> = wanted.map(|w| {
                crate::insights::rfm(&snapshot, None)
                    .into_iter()
                    .filter(|r| r.segment == w)
                    .map(|r| r.customer)
                    .collect()
            });
            let mut ids: Vec<CustomerId> = model
                .customers()
                .filter(|c| members.as_ref().is_none_or(|m| m.contains(c)))
                .collect();
            ids.sort();
            for id in ids {
                let Some(customer) = store.get::<Customer>(id.0)? else {
                    continue;
                };
                for row in suggestion_rows(&snapshot, &model, std::slice::from_ref(&customer), 10) {
                    out.emit(&format_args!("{}:{}", row.customer_id, row.rank), &row)?;
                }
            }
        }
    }
    Ok(())
}

/// Lets one loop write any of the row types.
mod erased {
    use super::super::Sink;
    use std::io::Write;

    pub trait Row {
        fn write(&self, sink: &mut Sink<&mut dyn Write>) -> anyhow::Result<()>;
    }

    impl<T: serde::Serialize> Row for T {
        fn write(&self, sink: &mut Sink<&mut dyn Write>) -> anyhow::Result<()> {
            sink.row(self)
        }
    }
}
