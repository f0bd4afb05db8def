//! The demo dataset: a small company's customers, catalogue, order history, pipeline, support queue
//! and notes, generated deterministically from a seed, a size and the day the history ends.

mod accounts;
mod duplicates;
mod names;
mod places;

pub use duplicates::{Labelled, inject};
pub use names::OWNERS;

use crate::domain::{
    Account, Customer, Deal, DealStage, Followup, Lifecycle, Message, Money, Note, NoteKind, Order,
    OrderId, OrderKind, OrderLine, Priority, Product, Ticket, TicketStatus, Timestamp,
};
use crate::store::{Store, StoreError};
use crate::text::thousands;
use chrono::{Duration, NaiveDate};
use names::*;
use rand::distr::weighted::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use std::fmt;

/// What a newcomer, whose name owns nothing in the demo, is told when it opens (one line at 80
/// columns): whose records there are to see, and that Today (0) shows the team's day on m.
pub fn newcomer_hint() -> String {
    format!(
        "the demo's reps are {}: try --as {}, or 0 then m",
        OWNERS.join(", "),
        OWNERS[1]
    )
}

/// A few thousand customers: what a small company's CRM holds.
pub const DEFAULT_CUSTOMERS: usize = 3_000;

pub struct DemoSpec {
    pub customers: usize,
    pub seed: u64,
    /// The last day of the history; orders, deals and tickets are dated up to it.
    pub as_of: NaiveDate,
}

#[derive(Debug, Default)]
pub struct DemoSummary {
    pub customers: usize,
    pub products: usize,
    pub orders: usize,
    pub order_lines: usize,
    pub deals: usize,
    pub tickets: usize,
    pub notes: usize,
    pub followups: usize,
    pub accounts: usize,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = thousands;
        write!(
            f,
            "demo data: {} customers, {} products, {} orders ({} lines), {} deals, {} tickets, {} notes, {} follow-ups, {} accounts",
            n(self.customers),
            n(self.products),
            n(self.orders),
            n(self.order_lines),
            n(self.deals),
            n(self.tickets),
            n(self.notes),
            n(self.followups),
            n(self.accounts)
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds data; demo data goes into a new one (choose it with --db)")]
    NotEmpty,
    #[error("--customers must be at least 1")]
    NoCustomers,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How a customer buys: this is what spreads them over the RFM range.
#[derive(Clone, Copy)]
enum Habit {
    Champion,
    Regular,
    New,
    Lapsed,
    OneOff,
    BigSpender,
    Lead,
}

const HABITS: &[(Habit, u32)] = &[
    (Habit::Champion, 13),
    (Habit::Regular, 24),
    (Habit::New, 13),
    (Habit::Lapsed, 20),
    (Habit::OneOff, 14),
    (Habit::BigSpender, 8),
    (Habit::Lead, 8),
];

struct Catalogue {
    products: Vec<Product>,
    /// Product indexes by category, most popular first.
    by_category: Vec<Vec<usize>>,
    /// For each product, what its buyers tend to add: one in its category, one in the partner's.
    companions: Vec<[usize; 2]>,
}

/// Records per write transaction.
const BATCH: usize = 1_000;

pub fn generate(store: &Store, spec: &DemoSpec) -> Result<DemoSummary, DemoError> {
    // Invented history: the audit log is for what people did.
    let store = &store.unaudited();
    if spec.customers == 0 {
        return Err(DemoError::NoCustomers);
    }
    if store.demo_unfinished()? {
        store.clear_unfinished_demo()?;
    } else if store.count::<Customer>() > 0
        || store.count::<Product>() > 0
        || store.count::<Order>() > 0
    {
        return Err(DemoError::NotEmpty);
    }
    store.mark_demo_unfinished(true)?;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let end = end_of(spec.as_of);
    let bar = crate::import::progress_bar(5, "demo");

    let catalogue = catalogue(&mut rng, catalogue_size(spec.customers));
    let products = write_all(store, catalogue.products.clone())?;
    bar.inc(1);

    let (habits, people, accounts) = draw_people(&mut rng, spec.customers, spec.seed, end);
    let (accounts, customers) = accounts::write(store, accounts, people)?;
    bar.inc(1);

    let mut orders = Vec::new();
    for (customer, habit) in customers.iter().zip(&habits) {
        history(
            &mut rng,
            &catalogue,
            &products,
            customer,
            *habit,
            end,
            &mut orders,
        );
    }
    orders.sort_by_key(|o: &Order| o.placed);
    for (i, order) in orders.iter_mut().enumerate() {
        order.number = format!("D{:07}", i + 1);
    }
    let order_lines = orders.iter().map(|o| o.lines.len()).sum();
    let order_count = orders.len();
    write_all(store, orders)?;
    bar.inc(1);

    let mut deals = Vec::new();
    let mut tickets = Vec::new();
    for c in &customers {
        if rng.random_bool(0.2) {
            deals.push(deal(&mut rng, c, end));
        }
        if rng.random_bool(0.3) {
            tickets.push(ticket(&mut rng, &catalogue, c, end));
        }
    }
    let (deal_count, ticket_count) = (deals.len(), tickets.len());
    write_all(store, tickets)?;
    bar.inc(1);

    let mut notes = Vec::new();
    for c in &customers {
        for _ in 0..rng.random_range(0..=2) {
            notes.push(note(&mut rng, &catalogue, c, end));
        }
    }
    let note_count = notes.len();
    write_all(store, notes)?;
    // Drawn last, so the records above are what they were before follow-ups existed.
    let mut followups = Vec::new();
    for c in customers.iter().filter(|c| c.owner.is_some()) {
        if rng.random_bool(0.15) {
            followups.push(followup(&mut rng, c, end));
        }
    }
    let followup_count = followups.len();
    write_all(store, followups)?;
    for deal in deals.iter_mut().filter(|d| d.stage == DealStage::Lost) {
        if rng.random_bool(0.8) {
            deal.lost_reason = Some(pick(&mut rng, crate::domain::LOSS_REASONS).to_string());
        }
    }
    write_all(store, deals)?;
    store.mark_demo_unfinished(false)?;
    bar.finish_and_clear();

    Ok(DemoSummary {
        customers: customers.len(),
        products: products.len(),
        orders: order_count,
        order_lines,
        deals: deal_count,
        tickets: ticket_count,
        notes: note_count,
        followups: followup_count,
        accounts: accounts.len(),
    })
}

fn end_of(day: NaiveDate) -> Timestamp {
    day.and_hms_opt(18, 0, 0).expect("valid time").and_utc()
}

fn catalogue_size(customers: usize) -> usize {
    (customers / 20).clamp(150, 5_000)
}

/// The customers, each with their habit, and the businesses some of them work for (each person's
/// `account` is the business's place in that list until it is written).
fn draw_people(
    rng: &mut ChaCha8Rng,
    customers: usize,
    seed: u64,
    end: Timestamp,
) -> (Vec<Habit>, Vec<Customer>, Vec<Account>) {
    let habit_pick = WeightedIndex::new(HABITS.iter().map(|(_, w)| *w)).expect("weights");
    let habits: Vec<Habit> = (0..customers)
        .map(|_| HABITS[habit_pick.sample(rng)].0)
        .collect();
    let mut people: Vec<Customer> = habits
        .iter()
        .enumerate()
        .map(|(i, habit)| person(rng, i, *habit, end))
        .collect();
    give_addresses(&mut people, seed);
    let accounts = accounts::give(&mut people, seed);
    (habits, people, accounts)
}

/// The customers a demo of this size and seed holds, as `generate` writes them (ids unset),
/// without the rest of the database.
pub fn people(customers: usize, seed: u64, as_of: NaiveDate) -> Vec<Customer> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    catalogue(&mut rng, catalogue_size(customers));
    draw_people(&mut rng, customers, seed, end_of(as_of)).1
}

fn write_all<E: crate::store::Entity>(
    store: &Store,
    records: Vec<E>,
) -> Result<Vec<E>, StoreError> {
    let mut written = Vec::with_capacity(records.len());
    for batch in records.chunks(BATCH) {
        written.extend(store.write(|tx| {
            batch
                .iter()
                .map(|r| tx.create(r.clone()))
                .collect::<Result<Vec<_>, _>>()
        })?);
    }
    Ok(written)
}

fn catalogue(rng: &mut ChaCha8Rng, size: usize) -> Catalogue {
    let mut products = Vec::with_capacity(size);
    let mut by_category = vec![Vec::new(); CATEGORIES.len()];
    for i in 0..size {
        let c = i % CATEGORIES.len();
        let category = &CATEGORIES[c];
        let nth = i / CATEGORIES.len();
        let noun = category.nouns[nth % category.nouns.len()];
        let variant = VARIANTS[(nth / category.nouns.len()) % VARIANTS.len()];
        let edition = nth / (category.nouns.len() * VARIANTS.len());
        let name = if edition == 0 {
            format!("{variant} {noun}")
        } else {
            format!("{variant} {noun} No. {}", edition + 1)
        };
        let pence = rng.random_range(category.price.0..=category.price.1) / 5 * 5 - 1;
        let mut product = Product::new(
            format!("{}-{:04}", &category.name[..3].to_uppercase(), nth + 1),
            name,
            Money::from_cents(pence),
        );
        product.category = Some(category.name.to_string());
        by_category[c].push(products.len());
        products.push(product);
    }
    let companions = (0..products.len())
        .map(|p| {
            let c = p % CATEGORIES.len();
            let same = &by_category[c];
            let partner = &by_category[CATEGORIES[c].partner];
            let mut sibling = same[rng.random_range(0..same.len())];
            if sibling == p {
                sibling = same[(same.iter().position(|&x| x == p).unwrap_or(0) + 1) % same.len()];
            }
            [sibling, partner[rng.random_range(0..partner.len().min(12))]]
        })
        .collect();
    Catalogue {
        products,
        by_category,
        companions,
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Skewed towards the front, like real sales: a few products sell most.
fn popular(rng: &mut ChaCha8Rng, len: usize) -> usize {
    let u: f64 = rng.random();
    ((u * u * u) * len as f64) as usize % len
}

fn person(rng: &mut ChaCha8Rng, i: usize, habit: Habit, end: Timestamp) -> Customer {
    let first = *pick(rng, FIRST);
    let last = *pick(rng, LAST);
    let mut c = Customer::new(format!("{first} {last}"), end);
    let company = rng
        .random_bool(0.7)
        .then(|| format!("{} {}", pick(rng, COMPANY_HEAD), pick(rng, COMPANY_TAIL)));
    let domain = match &company {
        Some(name) => accounts::mail_domain(name),
        None => pick(rng, FREEMAIL).to_string(),
    };
    let local: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    c.email = Some(format!("{local}{}@{domain}", i + 1));
    c.company = company;
    if rng.random_bool(0.8) {
        c.phone = Some(format!(
            "+44 {:03} {:03} {:04}",
            rng.random_range(100..999),
            rng.random_range(100..999),
            rng.random_range(0..9999)
        ));
    }
    let weights = WeightedIndex::new(COUNTRIES.iter().map(|(_, w)| *w)).expect("weights");
    c.country = Some(COUNTRIES[weights.sample(rng)].0.to_string());
    c.owner = Some(pick(rng, OWNERS).to_string());
    for tag in TAGS {
        if rng.random_bool(0.12) {
            c.tags.push(tag.to_string());
        }
    }
    c.stage = match habit {
        Habit::Lead => *pick(rng, &[Lifecycle::Lead, Lifecycle::Prospect]),
        Habit::OneOff | Habit::Lapsed if rng.random_bool(0.4) => Lifecycle::Churned,
        _ => Lifecycle::Customer,
    };
    c.created = end - Duration::days(rng.random_range(30..900));
    c.updated = c.created;
    c
}

/// Addresses come from a stream of their own, so every other record is what it was before customers
/// had addresses. Some people share a home (or an office) with someone written before them.
fn give_addresses(people: &mut [Customer], seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0add_0e55);
    for i in 0..people.len() {
        let country = people[i].country.clone().unwrap_or_default();
        let shared = rng.random_bool(0.05).then(|| {
            (i.saturating_sub(30)..i).rev().find(|&j| {
                people[j].country.as_deref() == Some(country.as_str())
                    && people[j].name != people[i].name
            })
        });
        people[i].address = match shared.flatten() {
            Some(j) => people[j].address.clone(),
            None => places::address(&mut rng, &country),
        };
    }
    // The phones' first digits were any three, which the UK's plan mostly does not have: they
    // become London numbers (020 3, 7 or 8 and seven digits), so `rapport check` finds real ones.
    for c in people.iter_mut() {
        if let Some(rest) = c.phone.as_deref().and_then(|p| p.strip_prefix("+44 ")) {
            let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
            let lead = ['3', '7', '8'][rng.random_range(0..3)];
            c.phone = Some(format!("+44 20 {lead}{} {}", &digits[3..6], &digits[6..]));
        }
    }
}

/// One customer's orders and returns in time order, drawn from one random stream in a fixed order
/// that every seeded demo, and the tests on it, depend on.
#[allow(clippy::too_many_arguments)]
fn history(
    rng: &mut ChaCha8Rng,
    catalogue: &Catalogue,
    products: &[Product],
    customer: &Customer,
    habit: Habit,
    end: Timestamp,
    out: &mut Vec<Order>,
) {
    let Some((count, first, last, quantity)) = pattern(rng, habit) else {
        return;
    };
    let last = last.min(first);
    // Each customer leans towards one or two categories.
    let favourite = rng.random_range(0..CATEGORIES.len());
    let second = CATEGORIES[favourite].partner;
    for k in 0..count {
        let days_ago = if count == 1 {
            first
        } else {
            first - (first - last) * k / (count - 1)
        };
        let placed =
            end - Duration::days(days_ago as i64) - Duration::minutes(rng.random_range(0..600));
        let category = if rng.random_bool(0.7) {
            favourite
        } else if rng.random_bool(0.6) {
            second
        } else {
            rng.random_range(0..CATEGORIES.len())
        };
        let lines = basket(rng, catalogue, products, category, quantity);
        out.push(Order {
            id: OrderId(0),
            number: String::new(),
            customer: Some(customer.id),
            placed,
            kind: OrderKind::Purchase,
            lines: lines.clone(),
        });
        // Now and then something comes back.
        if rng.random_bool(0.04) {
            let back = &lines[0];
            out.push(Order {
                id: OrderId(0),
                number: String::new(),
                customer: Some(customer.id),
                placed: placed + Duration::days(rng.random_range(2..20)).min(end - placed),
                kind: OrderKind::Cancellation,
                lines: vec![OrderLine {
                    line_no: 1,
                    quantity: -back.quantity.max(1),
                    ..back.clone()
                }],
            });
        }
    }
}

/// How a habit buys: how many orders, the first and last how many days ago, and how many of a
/// product at a time; a lead buys nothing.
fn pattern(rng: &mut ChaCha8Rng, habit: Habit) -> Option<(usize, usize, usize, (i32, i32))> {
    Some(match habit {
        Habit::Lead => return None,
        Habit::Champion => (
            rng.random_range(8..=20),
            rng.random_range(360..720),
            rng.random_range(0..30),
            (1, 4),
        ),
        Habit::Regular => (
            rng.random_range(3..=8),
            rng.random_range(180..540),
            rng.random_range(0..90),
            (1, 3),
        ),
        Habit::New => (rng.random_range(1..=2), rng.random_range(5..45), 0, (1, 3)),
        Habit::Lapsed => (
            rng.random_range(2..=6),
            rng.random_range(400..720),
            rng.random_range(180..540),
            (1, 3),
        ),
        Habit::OneOff => (1, rng.random_range(200..720), 0, (1, 2)),
        Habit::BigSpender => (
            rng.random_range(3..=8),
            rng.random_range(200..600),
            rng.random_range(0..60),
            (10, 50),
        ),
    })
}

/// One order's lines from a category: a popular product, often what goes with it.
fn basket(
    rng: &mut ChaCha8Rng,
    catalogue: &Catalogue,
    products: &[Product],
    category: usize,
    quantity: (i32, i32),
) -> Vec<OrderLine> {
    let shelf = &catalogue.by_category[category];
    let anchor = shelf[popular(rng, shelf.len())];
    let mut picked = vec![anchor];
    let [sibling, partner] = catalogue.companions[anchor];
    if rng.random_bool(0.55) {
        picked.push(partner);
    }
    if rng.random_bool(0.3) {
        picked.push(sibling);
    }
    if rng.random_bool(0.3) {
        picked.push(shelf[popular(rng, shelf.len())]);
    }
    picked.dedup();
    let mut lines: Vec<OrderLine> = Vec::with_capacity(picked.len());
    for p in picked {
        if lines.iter().any(|l| l.product == products[p].id) {
            continue;
        }
        lines.push(OrderLine {
            line_no: lines.len() as u32 + 1,
            product: products[p].id,
            quantity: rng.random_range(quantity.0..=quantity.1),
            unit_price: products[p].unit_price,
        });
    }
    lines
}

fn deal(rng: &mut ChaCha8Rng, customer: &Customer, end: Timestamp) -> Deal {
    let stage = *pick(
        rng,
        &[
            DealStage::Lead,
            DealStage::Lead,
            DealStage::Lead,
            DealStage::Qualified,
            DealStage::Qualified,
            DealStage::Proposal,
            DealStage::Proposal,
            DealStage::Negotiation,
            DealStage::Won,
            DealStage::Won,
            DealStage::Lost,
        ],
    );
    let category = pick(rng, CATEGORIES).name;
    let title = pick(rng, DEAL_TITLES).replace("{c}", category);
    let value = Money::from_units(rng.random_range(5..400) * 100);
    let created = end - Duration::days(rng.random_range(1..240));
    let mut deal = Deal::new(title, customer.id, value, created);
    deal.stage = stage;
    deal.probability = stage.default_probability();
    deal.owner = customer.owner.clone();
    let close = if stage.is_open() {
        end + Duration::days(rng.random_range(-10..120))
    } else {
        created + Duration::days(rng.random_range(5..60)).min(end - created)
    };
    deal.expected_close = Some(close.date_naive());
    deal.updated = created.max(end - Duration::days(rng.random_range(0..30)));
    deal.closed = (!stage.is_open()).then_some(deal.updated);
    deal
}

fn ticket(
    rng: &mut ChaCha8Rng,
    catalogue: &Catalogue,
    customer: &Customer,
    end: Timestamp,
) -> Ticket {
    let created = end - Duration::hours(rng.random_range(1..24 * 120));
    let mut t = Ticket::new(*pick(rng, TICKET_SUBJECTS), customer.id, created);
    // Support keeps up, mostly: old tickets are settled, a few linger past their due date.
    let age_days = (end - created).num_days();
    let settled = match age_days {
        0..=2 => 0.1,
        3..=13 => 0.5,
        _ => 0.92,
    };
    t.status = if rng.random_bool(settled) {
        *pick(
            rng,
            &[
                TicketStatus::Resolved,
                TicketStatus::Closed,
                TicketStatus::Closed,
            ],
        )
    } else {
        *pick(
            rng,
            &[
                TicketStatus::Open,
                TicketStatus::Open,
                TicketStatus::Pending,
            ],
        )
    };
    t.priority = *pick(
        rng,
        &[
            Priority::Low,
            Priority::Normal,
            Priority::Normal,
            Priority::Normal,
            Priority::High,
            Priority::High,
            Priority::Urgent,
        ],
    );
    t.due = Some(created + Duration::days(rng.random_range(1..6)));
    let product = &catalogue.products[rng.random_range(0..catalogue.products.len())].name;
    let mut at = created;
    for k in 0..rng.random_range(1..=4) {
        let (author, body) = if k % 2 == 0 {
            (
                customer.name.clone(),
                format!("{} — about the {product}.", t.subject),
            )
        } else {
            (
                customer.owner.clone().unwrap_or_else(|| "support".into()),
                "Thanks, looking into it now.".to_string(),
            )
        };
        t.messages.push(Message { at, author, body });
        at += Duration::hours(rng.random_range(1..30));
    }
    t.updated = at.min(end);
    t
}

fn note(rng: &mut ChaCha8Rng, catalogue: &Catalogue, customer: &Customer, end: Timestamp) -> Note {
    let product = &catalogue.products[rng.random_range(0..catalogue.products.len())];
    let text = pick(rng, NOTE_TEXTS)
        .replace("{p}", &product.name)
        .replace("{c}", product.category.as_deref().unwrap_or("range"))
        .replace("{n}", &(rng.random_range(2..40) * 10).to_string());
    let kind = *pick(rng, NoteKind::ALL);
    let mut note = Note::new(
        customer.id,
        kind,
        text,
        end - Duration::hours(rng.random_range(1..24 * 300)),
    );
    note.author = customer.owner.clone();
    note
}

const FOLLOWUP_TEXTS: &[&str] = &[
    "Call back about the quote",
    "Send the new catalogue",
    "Check the delivery arrived",
    "Ask about the spring order",
    "Chase the unpaid invoice",
    "Confirm the meeting",
    "Follow up on the sample",
];

const OUTCOMES: &[&str] = &[
    "Spoke to them: ordering next week",
    "No answer; left a message",
    "Sent; they will reply by Friday",
    "Not interested for now",
];

/// Most are open, due from a few days ago to a fortnight on (so a rep's day has late ones and
/// today's); the rest were done, with what came of them.
fn followup(rng: &mut ChaCha8Rng, customer: &Customer, end: Timestamp) -> Followup {
    let text = *pick(rng, FOLLOWUP_TEXTS);
    let hour = rng.random_range(9..17);
    let day = rng.random_range(-4..15);
    let due = (end.date_naive() + Duration::days(day))
        .and_hms_opt(hour, 0, 0)
        .expect("valid time")
        .and_utc();
    let created = due.min(end) - Duration::days(rng.random_range(1..20));
    let mut f = Followup::new(customer.id, text, due, created);
    f.owner = customer.owner.clone();
    if day < 0 && rng.random_bool(0.5) {
        let outcome = pick(rng, OUTCOMES).to_string();
        f.complete(Some(outcome), due);
    }
    f
}

/// A demo database of `customers` customers (seed `seed`, history to 2026-06-01) in a fresh
/// folder, for unit tests.
#[cfg(test)]
pub(crate) fn test_store(customers: usize, seed: u64) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(&dir.path().join("db")).expect("a new database opens");
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date");
    generate(
        &store,
        &DemoSpec {
            customers,
            seed,
            as_of,
        },
    )
    .expect("the demo is written");
    (dir, store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_companions_in_reach() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let cat = catalogue(&mut rng, 150);
        assert_eq!(cat.products.len(), 150);
        let mut skus: Vec<&str> = cat.products.iter().map(|p| p.sku.as_str()).collect();
        skus.sort();
        skus.dedup();
        assert_eq!(skus.len(), 150, "skus are unique");
        for (p, [sibling, partner]) in cat.companions.iter().enumerate() {
            assert_ne!(p, *sibling);
            let c = p % CATEGORIES.len();
            assert_eq!(*sibling % CATEGORIES.len(), c);
            assert_eq!(*partner % CATEGORIES.len(), CATEGORIES[c].partner);
        }
        assert!(cat.products.iter().all(|p| p.validate().is_ok()));
    }

    #[test]
    fn demo_phones_are_numbers_the_plan_has() {
        let people = people(
            300,
            2,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        );
        let phones: Vec<&str> = people.iter().filter_map(|c| c.phone.as_deref()).collect();
        assert!(phones.len() > 200);
        for p in phones {
            assert!(crate::clean::normal::phone(p, None).is_ok(), "{p}");
        }
    }

    #[test]
    fn people_are_valid() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let end = chrono::Utc::now();
        for i in 0..500 {
            let c = person(&mut rng, i, Habit::Regular, end);
            c.validate().unwrap();
        }
    }
}
