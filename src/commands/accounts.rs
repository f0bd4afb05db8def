//! `rapport account …`: businesses and their people from the command line.

use super::records::acting;
use super::{UsageError, find_customer};
use crate::cli::{AccountCommand, AccountFields};
use crate::domain::{Account, AccountId, Customer, CustomerId, normal_domain};
use crate::model::AccountPage;
use crate::ops::{Ops, Record, Write as Change};
use crate::text::{safe, thousands};
use std::collections::HashMap;
use std::io::Write;

pub fn account(ops: &Ops, command: &AccountCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    match command {
        AccountCommand::Add { name, fields } => {
            let mut account = Account::new(name.trim(), now);
            fill(&mut account, fields)?;
            let namesakes = ops.records().accounts_named(&account.name_key())?;
            let done = acting(ops, None).apply(Change::Create(Record::Account(account)))?;
            let Record::Account(a) = done.record() else {
                unreachable!("an account was written");
            };
            writeln!(out, "account {} {}", a.id, safe(&a.name))?;
            if let Some(other) = namesakes.first() {
                // Two shops of one name are two businesses; but it may be the same one.
                writeln!(
                    out,
                    "note: account {} is called {} too",
                    other.id,
                    safe(&other.name)
                )?;
            }
        }
        AccountCommand::Edit {
            account,
            name,
            fields,
        } => {
            let old = find_account(ops, account)?;
            let mut new = old.clone();
            if let Some(name) = name {
                new.name = name.trim().to_string();
            }
            fill(&mut new, fields)?;
            new.updated = now;
            acting(ops, None).apply(Change::Update {
                old: Record::Account(old),
                new: Record::Account(new.clone()),
            })?;
            writeln!(out, "account {} {}", new.id, safe(&new.name))?;
        }
        AccountCommand::List { owner } => list(ops, owner.as_deref(), out)?,
        AccountCommand::Show { account, lines } => {
            let id = find_account(ops, account)?.id;
            let page = ops
                .account_page(id)?
                .ok_or_else(|| anyhow::anyhow!("account {id} is gone"))?;
            show(&page, *lines, out)?;
        }
        AccountCommand::Link { customer, account } => {
            let account = find_account(ops, account)?;
            let person = find_customer(ops, customer)?;
            let id = person.id;
            relink(ops, person, Some(account.id), now)?;
            writeln!(
                out,
                "customer {id} is one of {}'s people (account {})",
                safe(&account.name),
                account.id
            )?;
        }
        AccountCommand::Unlink { customer } => {
            let person = find_customer(ops, customer)?;
            let id = person.id;
            relink(ops, person, None, now)?;
            writeln!(out, "customer {id} is on their own")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The fields given on the command line, checked as the account keeps them.
fn fill(account: &mut Account, fields: &AccountFields) -> anyhow::Result<()> {
    if let Some(domain) = &fields.domain {
        account.domain = match domain.trim() {
            "" => None,
            d => Some(normal_domain(d).ok_or_else(|| {
                UsageError(format!("'{}' is not a domain like example.com", safe(d)))
            })?),
        };
    }
    let text = |v: &Option<String>, old: &mut Option<String>| {
        if let Some(v) = v {
            *old = (!v.trim().is_empty()).then(|| v.trim().to_string());
        }
    };
    text(&fields.phone, &mut account.phone);
    text(&fields.country, &mut account.country);
    text(&fields.owner, &mut account.owner);
    if !fields.tags.is_empty() {
        account.tags = fields.tags.iter().map(|t| t.trim().to_string()).collect();
    }
    Ok(())
}

fn relink(
    ops: &Ops,
    person: Customer,
    account: Option<AccountId>,
    now: crate::domain::Timestamp,
) -> anyhow::Result<()> {
    let mut new = person.clone();
    new.account = account;
    new.updated = now;
    acting(ops, None).apply(Change::Update {
        old: Record::Customer(person),
        new: Record::Customer(new),
    })?;
    Ok(())
}

/// An account as people name it: its id (`42` or `account:42`), its domain, or its name (folded
/// as accounts are matched), where only one has it.
pub fn find_account(ops: &Ops, text: &str) -> anyhow::Result<Account> {
    let text = text.trim();
    let id = text.strip_prefix("account:").unwrap_or(text);
    if let Ok(id) = id.parse::<u64>() {
        return ops
            .records()
            .get::<Account>(id)?
            .ok_or_else(|| anyhow::anyhow!("no account has id {id}"));
    }
    let mut found = match normal_domain(text) {
        Some(domain) if text.contains('.') => ops.records().accounts_at(&domain)?,
        _ => Vec::new(),
    };
    if found.is_empty() {
        found = ops.records().accounts_named(&crate::text::company(text))?;
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => anyhow::bail!("no account with id, domain or name '{}'", safe(text)),
        _ => {
            let ids: Vec<String> = found.iter().take(5).map(|a| a.id.to_string()).collect();
            anyhow::bail!(
                "{} accounts are called '{}': give the id ({})",
                found.len(),
                safe(text),
                ids.join(", ")
            )
        }
    }
}

fn list(ops: &Ops, owner: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = ops.records();
    let summaries = crate::model::summary::summaries(store)?;
    let mut rolled: HashMap<AccountId, (usize, crate::model::Summary)> = HashMap::new();
    for c in store.iter::<Customer>() {
        let c = c?;
        if let Some(account) = c.account {
            let (people, summary) = rolled.entry(account).or_default();
            *people += 1;
            summary.add(&summaries.get(&c.id).copied().unwrap_or_default());
        }
    }
    writeln!(
        out,
        "{:>6}  {:<32} {:<28} {:<8} {:>6} {:>5} {:>12}",
        "id", "name", "domain", "owner", "people", "deals", "revenue"
    )?;
    let mut n = 0;
    for a in store.iter::<Account>() {
        let a = a?;
        let theirs = a.owner.as_deref();
        if owner.is_some_and(|o| theirs.is_none_or(|t| !t.eq_ignore_ascii_case(o))) {
            continue;
        }
        let (people, s) = rolled.get(&a.id).copied().unwrap_or_default();
        writeln!(
            out,
            "{:>6}  {:<32} {:<28} {:<8} {:>6} {:>5} {:>12}",
            a.id.0,
            crate::text::fit(&safe(&a.name), 32),
            crate::text::fit(&safe(a.domain.as_deref().unwrap_or("")), 28),
            crate::text::fit(&safe(theirs.unwrap_or("")), 8),
            people,
            s.open_deals,
            s.lifetime_value.to_string(),
        )?;
        n += 1;
    }
    writeln!(out, "{} accounts", thousands(n))?;
    Ok(())
}

fn show(page: &AccountPage, lines: usize, out: &mut dyn Write) -> anyhow::Result<()> {
    let a = &page.account;
    let s = &page.summary;
    writeln!(out, "account {} · {}", a.id, safe(&a.name))?;
    let facts = [
        ("domain", a.domain.clone()),
        ("phone", a.phone.clone()),
        ("country", a.country.clone()),
        ("owner", a.owner.clone()),
        ("tags", (!a.tags.is_empty()).then(|| a.tags.join(", "))),
    ];
    for (label, value) in facts {
        if let Some(value) = value {
            writeln!(out, "  {label:<8} {}", safe(&value))?;
        }
    }
    writeln!(
        out,
        "  {} orders · revenue {} · {} open deals · {} open tickets",
        s.orders, s.lifetime_value, s.open_deals, s.open_tickets
    )?;
    writeln!(out, "people ({})", page.contacts.len())?;
    for c in &page.contacts {
        let p = &c.customer;
        writeln!(
            out,
            "  {:>6}  {:<28} {:<36} {:>4} orders {:>12}",
            p.id.0,
            crate::text::fit(&safe(&p.name), 28),
            crate::text::fit(&safe(p.email.as_deref().unwrap_or("")), 36),
            c.summary.orders,
            c.summary.lifetime_value.to_string()
        )?;
    }
    let open: Vec<_> = page.deals.iter().filter(|d| d.stage.is_open()).collect();
    writeln!(out, "open deals ({})", open.len())?;
    for d in open {
        let close = d
            .expected_close
            .map_or(String::new(), |c| format!(" · closes {c}"));
        writeln!(
            out,
            "  {:>6}  {} · {} {} · {}{close}",
            d.id.0,
            safe(&d.title),
            d.value,
            d.currency,
            d.stage
        )?;
    }
    let active: Vec<_> = (page.tickets.iter())
        .filter(|t| t.status.is_active())
        .collect();
    writeln!(out, "open tickets ({})", active.len())?;
    for t in active {
        writeln!(
            out,
            "  {:>6}  {} · {} · {}",
            t.id.0,
            safe(&t.subject),
            t.status,
            t.priority
        )?;
    }
    writeln!(out, "follow-ups ({})", page.followups.len())?;
    for f in &page.followups {
        writeln!(
            out,
            "  {:>6}  {} · {}",
            f.id.0,
            f.due.format("%Y-%m-%d %H:%M"),
            safe(&f.text)
        )?;
    }
    let shown = match lines {
        0 => page.timeline.len(),
        n => n.min(page.timeline.len()),
    };
    writeln!(out, "timeline ({shown} of {})", page.timeline.len())?;
    for item in &page.timeline[..shown] {
        writeln!(
            out,
            "  {}  {:<7} {}",
            item.at.format("%Y-%m-%d"),
            item.kind,
            safe(&item.text)
        )?;
    }
    Ok(())
}

/// Each person in an account taken for the account (its id standing for a buyer's), for the
/// insights `--by account`.
pub(super) fn account_groups(ops: &Ops) -> anyhow::Result<HashMap<CustomerId, CustomerId>> {
    let mut out = HashMap::new();
    for c in ops.records().iter_sound::<Customer>() {
        let c = c?;
        if let Some(account) = c.account {
            out.insert(c.id, CustomerId(account.0));
        }
    }
    Ok(out)
}

/// How the insights name a buyer: a customer's export id and name, or an account's
/// (`account:12`) when they are by account.
pub(super) fn buyer(
    ops: &Ops,
    whom: crate::cli::Whom,
    id: CustomerId,
) -> anyhow::Result<(String, String)> {
    Ok(match whom {
        crate::cli::Whom::Customer => match ops.records().get::<Customer>(id.0)? {
            Some(c) => (c.export_id(), c.name),
            None => (id.to_string(), String::new()),
        },
        crate::cli::Whom::Account => {
            let name = ops.records().get::<Account>(id.0)?.map(|a| a.name);
            (format!("account:{id}"), name.unwrap_or_default())
        }
    })
}
