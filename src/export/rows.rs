//! One flat row per record, in the column order the README documents.

use crate::domain::{
    Account, AccountId, Customer, Deal, Followup, Money, Note, Order, OrderKind, OrderLine,
    Product, Ticket, Timestamp,
};
use crate::store::Records;
use serde::Serialize;

/// ISO 8601, UTC, to the second: `2010-12-01T08:26:00Z`.
pub fn iso(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Serialize, Default)]
pub struct CustomerRow {
    pub id: u64,
    pub external_id: Option<String>,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub tags: String,
    pub owner: Option<String>,
    pub stage: &'static str,
    pub created: String,
    pub updated: String,
    pub street: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub region: Option<String>,
    pub account_id: Option<u64>,
}

impl From<&Customer> for CustomerRow {
    fn from(c: &Customer) -> Self {
        CustomerRow {
            id: c.id.0,
            external_id: c.external_id.clone(),
            name: c.name.clone(),
            company: c.company.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            country: c.country.clone(),
            tags: c.tags.join(";"),
            owner: c.owner.clone(),
            stage: c.stage.name(),
            created: iso(c.created),
            updated: iso(c.updated),
            street: c.address.street.clone(),
            city: c.address.city.clone(),
            postcode: c.address.postcode.clone(),
            region: c.address.region.clone(),
            account_id: c.account.map(|a| a.0),
        }
    }
}

#[derive(Serialize, Default)]
pub struct AccountRow {
    pub id: u64,
    pub name: String,
    pub domain: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub tags: String,
    pub owner: Option<String>,
    pub created: String,
    pub updated: String,
    pub street: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub region: Option<String>,
    /// How many people it has.
    pub contacts: usize,
}

impl AccountRow {
    pub fn new(a: &Account, contacts: usize) -> Self {
        AccountRow {
            id: a.id.0,
            name: a.name.clone(),
            domain: a.domain.clone(),
            phone: a.phone.clone(),
            country: a.country.clone(),
            tags: a.tags.join(";"),
            owner: a.owner.clone(),
            created: iso(a.created),
            updated: iso(a.updated),
            street: a.address.street.clone(),
            city: a.address.city.clone(),
            postcode: a.address.postcode.clone(),
            region: a.address.region.clone(),
            contacts,
        }
    }
}

#[derive(Serialize, Default)]
pub struct ProductRow {
    pub id: u64,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub unit_price: String,
    pub merchandise: bool,
}

impl From<&Product> for ProductRow {
    fn from(p: &Product) -> Self {
        ProductRow {
            id: p.id.0,
            sku: p.sku.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            unit_price: p.unit_price.exact(),
            merchandise: p.merchandise,
        }
    }
}

fn kind(k: OrderKind) -> &'static str {
    match k {
        OrderKind::Purchase => "purchase",
        OrderKind::Cancellation => "cancellation",
    }
}

#[derive(Serialize, Default)]
pub struct OrderRow {
    pub id: u64,
    pub number: String,
    pub customer_id: Option<u64>,
    pub placed: String,
    pub kind: &'static str,
    pub lines: usize,
    pub total: String,
}

impl From<&Order> for OrderRow {
    fn from(o: &Order) -> Self {
        OrderRow {
            id: o.id.0,
            number: o.number.clone(),
            customer_id: o.customer.map(|c| c.0),
            placed: iso(o.placed),
            kind: kind(o.kind),
            lines: o.lines.len(),
            total: o.total().exact(),
        }
    }
}

#[derive(Serialize, Default)]
/// Borrows what it can: a million of these are written per second, and each field copied was a
/// fifth of an export's time.
pub struct OrderLineRow<'a> {
    pub order_id: u64,
    pub order_number: &'a str,
    pub line_no: u32,
    pub customer_id: Option<u64>,
    pub placed: &'a str,
    pub sku: &'a str,
    pub quantity: i32,
    pub unit_price: ExactMoney,
    pub amount: ExactMoney,
    pub kind: &'static str,
}

impl<'a> OrderLineRow<'a> {
    /// `placed` is the order's time as text, formatted once for all its lines.
    pub fn new(o: &'a Order, placed: &'a str, line: &OrderLine, sku: &'a str) -> Self {
        OrderLineRow {
            order_id: o.id.0,
            order_number: &o.number,
            line_no: line.line_no,
            customer_id: o.customer.map(|c| c.0),
            placed,
            sku,
            quantity: line.quantity,
            unit_price: ExactMoney(line.unit_price),
            amount: ExactMoney(line.amount()),
            kind: if o.kind == OrderKind::Cancellation || line.is_return() {
                "return"
            } else {
                "purchase"
            },
        }
    }
}

/// An amount written as `Money::exact` writes it, without a String per field.
#[derive(Default)]
pub struct ExactMoney(pub Money);

impl Serialize for ExactMoney {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = ShortText::default();
        self.0
            .write_exact(&mut text)
            .map_err(|_| serde::ser::Error::custom("amount too long to write"))?;
        serializer.serialize_str(text.as_str())
    }
}

/// Room for any i64 amount with its sign, point and four decimals.
#[derive(Default)]
struct ShortText {
    bytes: [u8; 32],
    len: usize,
}

impl ShortText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).expect("only str was written")
    }
}

impl std::fmt::Write for ShortText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[derive(Serialize, Default)]
pub struct DealRow {
    pub id: u64,
    pub title: String,
    pub customer_id: u64,
    pub value: String,
    pub currency: String,
    pub stage: &'static str,
    pub probability: u8,
    pub expected_close: Option<String>,
    pub owner: Option<String>,
    pub created: String,
    pub updated: String,
    pub closed: Option<String>,
    pub lost_reason: Option<String>,
    /// Its contact's account: a deal is the business's.
    pub account_id: Option<u64>,
}

impl DealRow {
    pub fn new(d: &Deal, account: Option<AccountId>) -> Self {
        DealRow {
            id: d.id.0,
            title: d.title.clone(),
            customer_id: d.customer.0,
            value: d.value.exact(),
            currency: d.currency.clone(),
            stage: d.stage.name(),
            probability: d.probability,
            expected_close: d.expected_close.map(|c| c.to_string()),
            owner: d.owner.clone(),
            created: iso(d.created),
            updated: iso(d.updated),
            closed: d.closed.map(iso),
            lost_reason: d.lost_reason.clone(),
            account_id: account.map(|a| a.0),
        }
    }
}

#[derive(Serialize, Default)]
pub struct TicketRow {
    pub id: u64,
    pub subject: String,
    pub customer_id: u64,
    pub status: &'static str,
    pub priority: &'static str,
    pub created: String,
    pub due: Option<String>,
    pub updated: String,
    pub messages: usize,
    pub last_message: Option<String>,
    pub account_id: Option<u64>,
}

impl TicketRow {
    pub fn new(t: &Ticket, account: Option<AccountId>) -> Self {
        TicketRow {
            id: t.id.0,
            subject: t.subject.clone(),
            customer_id: t.customer.0,
            status: t.status.name(),
            priority: t.priority.name(),
            created: iso(t.created),
            due: t.due.map(iso),
            updated: iso(t.updated),
            messages: t.messages.len(),
            last_message: t.messages.last().map(|m| m.body.clone()),
            account_id: account.map(|a| a.0),
        }
    }
}

#[derive(Serialize, Default)]
pub struct NoteRow {
    pub id: u64,
    pub customer_id: u64,
    pub kind: &'static str,
    pub at: String,
    pub author: Option<String>,
    pub text: String,
    pub deal_id: Option<u64>,
}

impl From<&Note> for NoteRow {
    fn from(n: &Note) -> Self {
        NoteRow {
            id: n.id.0,
            customer_id: n.customer.0,
            kind: n.kind.name(),
            at: iso(n.at),
            author: n.author.clone(),
            text: n.text.clone(),
            deal_id: n.deal.map(|d| d.0),
        }
    }
}

#[derive(Serialize, Default)]
pub struct FollowupRow {
    pub id: u64,
    pub customer_id: u64,
    pub deal_id: Option<u64>,
    pub ticket_id: Option<u64>,
    pub due: String,
    pub owner: Option<String>,
    pub text: String,
    pub done: Option<String>,
    pub outcome: Option<String>,
    pub created: String,
}

impl From<&Followup> for FollowupRow {
    fn from(f: &Followup) -> Self {
        FollowupRow {
            id: f.id.0,
            customer_id: f.customer.0,
            deal_id: f.deal.map(|d| d.0),
            ticket_id: f.ticket.map(|t| t.0),
            due: iso(f.due),
            owner: f.owner.clone(),
            text: f.text.clone(),
            done: f.done.map(iso),
            outcome: f.outcome.clone(),
            created: iso(f.created),
        }
    }
}

#[derive(serde::Serialize, Default)]
pub struct SegmentRow {
    pub customer_id: String,
    pub name: String,
    pub recency_days: i64,
    pub frequency: u32,
    pub monetary: String,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: &'static str,
    pub cluster: Option<usize>,
    pub cluster_description: String,
}

pub fn segment_rows(
    store: &Records,
    report: &crate::insights::SegmentReport,
) -> anyhow::Result<Vec<SegmentRow>> {
    report
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let customer = store.get::<Customer>(r.customer.0)?;
            let cluster = report.cluster_of(i);
            Ok(SegmentRow {
                customer_id: customer
                    .as_ref()
                    .map_or_else(|| r.customer.to_string(), Customer::export_id),
                name: customer.map(|c| c.name).unwrap_or_default(),
                recency_days: r.recency_days,
                frequency: r.frequency,
                monetary: r.monetary.exact(),
                r: r.r,
                f: r.f,
                m: r.m,
                segment: r.segment.name(),
                cluster,
                cluster_description: cluster
                    .and_then(|c| {
                        report
                            .clustering
                            .as_ref()
                            .map(|k| k.clusters[c].description.clone())
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

#[derive(serde::Serialize, Default)]
pub struct SuggestionRow {
    pub customer_id: String,
    pub rank: usize,
    pub stock_code: String,
    pub score: String,
    pub reason: String,
}

/// Each customer's top suggestions, ranked; the customer id is the imported external id where there is one.
pub fn suggestion_rows(
    snapshot: &crate::insights::Snapshot,
    model: &crate::insights::suggest::Model,
    customers: &[Customer],
    top: usize,
) -> Vec<SuggestionRow> {
    let mut rows = Vec::new();
    for customer in customers {
        let customer_id = customer.export_id();
        for (rank, s) in model.suggest(customer.id, top).into_iter().enumerate() {
            rows.push(SuggestionRow {
                customer_id: customer_id.clone(),
                rank: rank + 1,
                stock_code: snapshot.products[s.item as usize].sku.clone(),
                score: format!("{:.4}", s.score),
                reason: s.reason,
            });
        }
    }
    rows
}

#[derive(Serialize, Default)]
pub struct RuleRow {
    pub antecedent: String,
    pub consequent: String,
    pub antecedent_skus: String,
    pub consequent_sku: String,
    pub support: String,
    pub confidence: String,
    pub lift: String,
    pub leverage: String,
    pub conviction: String,
    pub count: u64,
}

pub fn rule_row(snapshot: &crate::insights::Snapshot, r: &crate::insights::Rule) -> RuleRow {
    let names: Vec<&str> = r
        .antecedent
        .iter()
        .map(|&i| snapshot.item_name(i))
        .collect();
    let skus: Vec<&str> = r
        .antecedent
        .iter()
        .map(|&i| snapshot.products[i as usize].sku.as_str())
        .collect();
    RuleRow {
        antecedent: names.join("; "),
        consequent: snapshot.item_name(r.consequent).to_string(),
        antecedent_skus: skus.join("; "),
        consequent_sku: snapshot.products[r.consequent as usize].sku.clone(),
        support: format!("{:.6}", r.support),
        confidence: format!("{:.6}", r.confidence),
        lift: format!("{:.6}", r.lift),
        leverage: format!("{:.6}", r.leverage),
        conviction: if r.conviction.is_finite() {
            format!("{:.6}", r.conviction)
        } else {
            "inf".into()
        },
        count: r.count,
    }
}
