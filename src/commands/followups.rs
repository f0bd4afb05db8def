//! Follow-ups and the rep's day from the command line: `rapport followup …` and `rapport today`.

use super::{UsageError, find_customer};
use crate::cli::{AuditFormat, FollowupCommand, Me, StatsFormat, TodayArgs};
use crate::domain::{CustomerId, DealId, Followup, TicketId, Timestamp, due_text, parse_due};
use crate::export::{FollowupRow, Format, Sink, iso};
use crate::model::today::{Today, owned_by};
use crate::ops::{Actor, Ops, Record, Write as Change};

use crate::text::safe;
use std::io::Write;

fn me(me: &Me) -> anyhow::Result<String> {
    crate::config::me(me.as_name.as_deref())
}

/// The last second of the day `t` falls on: "by friday" takes in all of Friday.
fn end_of_day(t: Timestamp) -> Timestamp {
    let last = t.date_naive().and_hms_opt(23, 59, 59);
    last.expect("23:59:59 is a time").and_utc()
}

fn when(text: &str, now: Timestamp) -> anyhow::Result<Timestamp> {
    parse_due(text, now).map_err(|why| UsageError(safe(&why).into_owned()).into())
}

pub fn followup(ops: &Ops, command: &FollowupCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    match command {
        FollowupCommand::Add {
            customer,
            text,
            due,
            deal,
            ticket,
            owner,
            me: who,
        } => {
            let name = me(who)?;
            let customer = find_customer(ops, customer)?;
            let mut f = Followup::new(customer.id, text.clone(), when(due, now)?, now);
            (f.deal, f.ticket) = about(ops, customer.id, *deal, *ticket)?;
            f.owner = Some(owner.clone().unwrap_or_else(|| name.clone()));
            let done = ops
                .as_actor(Actor::named(name))
                .apply(Change::Create(Record::Followup(f)))?;
            let Record::Followup(f) = done.record() else {
                unreachable!("a follow-up was written");
            };
            writeln!(
                out,
                "follow-up {} on customer {}, due {}",
                f.id.0,
                f.customer,
                f.due.format("%Y-%m-%d %H:%M")
            )?;
        }
        FollowupCommand::List {
            mine,
            owner,
            all,
            due_by,
            format,
            me: who,
        } => {
            let owner = match (mine, owner) {
                (true, _) => Some(me(who)?),
                (false, owner) => owner.clone(),
            };
            let by = due_by.as_deref().map(|w| when(w, now)).transpose()?;
            let by = by.map(end_of_day);
            let mut rows: Vec<Followup> = ops
                .records()
                .all::<Followup>()?
                .into_iter()
                .filter(|f| *all || f.is_open())
                .filter(|f| by.is_none_or(|by| f.due <= by))
                .filter(|f| owned_by(f.owner.as_deref(), owner.as_deref()))
                .collect();
            rows.sort_by_key(|f| (f.due, f.id));
            list(ops, &rows, *format, now, out)?;
        }
        FollowupCommand::Done {
            id,
            outcome,
            next,
            next_text,
            me: who,
        } => {
            let ops = ops.as_actor(Actor::named(me(who)?));
            let next = match next {
                Some(next) => Some((when(next, now)?, next_text.clone())),
                None => None,
            };
            complete(&ops, *id, outcome.clone(), next, out)?;
        }
        FollowupCommand::Snooze { id, to, me: who } => {
            let ops = ops.as_actor(Actor::named(me(who)?));
            let old = get(&ops, *id)?;
            let mut new = old.clone();
            match to {
                Some(to) => {
                    new.due = when(to, now)?;
                    new.updated = now;
                }
                None => new.snooze(now),
            }
            let due = new.due;
            ops.apply(Change::Update {
                old: Record::Followup(old),
                new: Record::Followup(new),
            })?;
            writeln!(
                out,
                "follow-up {id} now due {}",
                due.format("%Y-%m-%d %H:%M")
            )?;
        }
    }
    Ok(())
}

/// The deal and ticket a new follow-up is about, each checked to be the customer's own.
fn about(
    ops: &Ops,
    customer: CustomerId,
    deal: Option<u64>,
    ticket: Option<u64>,
) -> anyhow::Result<(Option<DealId>, Option<TicketId>)> {
    let records = ops.records();
    let deal = match deal {
        Some(id) => {
            let of = records.get::<crate::domain::Deal>(id)?.map(|d| d.customer);
            Some(DealId(belongs("deal", id, of, customer)?))
        }
        None => None,
    };
    let ticket = match ticket {
        Some(id) => {
            let of = records
                .get::<crate::domain::Ticket>(id)?
                .map(|t| t.customer);
            Some(TicketId(belongs("ticket", id, of, customer)?))
        }
        None => None,
    };
    Ok((deal, ticket))
}

/// Marks a follow-up done with how it went, and schedules the next step (when, and its text if
/// not the same) when there is one.
fn complete(
    ops: &Ops,
    id: u64,
    outcome: Option<String>,
    next: Option<(Timestamp, Option<String>)>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let old = get(ops, id)?;
    if !old.is_open() {
        return Err(UsageError(format!("follow-up {id} is done already")).into());
    }
    let mut new = old.clone();
    new.complete(outcome, now);
    ops.apply(Change::Update {
        old: Record::Followup(old.clone()),
        new: Record::Followup(new),
    })?;
    writeln!(out, "follow-up {id} done")?;
    let Some((due, text)) = next else {
        return Ok(());
    };
    let mut f = Followup::new(old.customer, text.unwrap_or(old.text.clone()), due, now);
    (f.deal, f.ticket, f.owner) = (old.deal, old.ticket, old.owner.clone());
    let done = ops.apply(Change::Create(Record::Followup(f)))?;
    if let Record::Followup(f) = done.record() {
        writeln!(
            out,
            "follow-up {} next, due {}",
            f.id.0,
            f.due.format("%Y-%m-%d %H:%M")
        )?;
    }
    Ok(())
}

/// The row format of a list that also prints as a table.
fn rows_format(format: AuditFormat) -> Format {
    format.rows().unwrap_or(Format::Ndjson)
}

fn get(ops: &Ops, id: u64) -> anyhow::Result<Followup> {
    ops.records()
        .get::<Followup>(id)?
        .ok_or_else(|| anyhow::anyhow!("no follow-up {id}"))
}

/// A deal or ticket given with a follow-up must be the customer's own: `of` is whose it is.
fn belongs(
    what: &str,
    id: u64,
    of: Option<CustomerId>,
    customer: CustomerId,
) -> anyhow::Result<u64> {
    match of {
        Some(c) if c == customer => Ok(id),
        Some(c) => Err(UsageError(format!(
            "{what} {id} is customer {c}'s, not customer {customer}'s"
        ))
        .into()),
        None => Err(UsageError(format!("no {what} {id}")).into()),
    }
}

fn list(
    ops: &Ops,
    rows: &[Followup],
    format: AuditFormat,
    now: Timestamp,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let format = match format {
        AuditFormat::Table => {
            if rows.is_empty() {
                writeln!(out, "no follow-ups")?;
            }
            for f in rows {
                let name = ops
                    .records()
                    .get::<crate::domain::Customer>(f.customer.0)?
                    .map_or_else(|| "?".to_string(), |c| c.name);
                let due = match f.done {
                    Some(done) => format!("done {}", done.format("%Y-%m-%d")),
                    None => due_text(f.due, now),
                };
                writeln!(
                    out,
                    "{:>6}  {:<18}  {:<24}  {:<10}  {}",
                    f.id.0,
                    due,
                    safe(&crate::text::fit(&name, 24)),
                    safe(f.owner.as_deref().unwrap_or("-")),
                    safe(&f.text)
                )?;
            }
            return Ok(());
        }
        rows => rows_format(rows),
    };
    let mut sink = Sink::new(format, out);
    sink.columns_of::<FollowupRow>();
    for f in rows {
        sink.row(&FollowupRow::from(f))?;
    }
    sink.finish()?;
    Ok(())
}

pub fn today(ops: &Ops, args: &TodayArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let me = match args.everyone {
        true => None,
        false => Some(me(&args.me)?),
    };
    let model = ops.clone().into_model();
    let records = model.load()?;
    let insights = match args.no_calls {
        true => None,
        false => Some(crate::insights::Insights::cached(ops.records())?),
    };
    let day = Today::build(&records, insights.as_ref(), me.as_deref(), now);
    match args.format {
        StatsFormat::Json => today_json(out, &day, &records, me.as_deref(), now),
        StatsFormat::Text => today_text(out, &day, &records, me.as_deref(), args.no_calls, now),
    }
}

fn today_json(
    out: &mut dyn Write,
    day: &Today,
    records: &crate::model::Snapshot,
    me: Option<&str>,
    now: Timestamp,
) -> anyhow::Result<()> {
    let customer = |id: CustomerId| {
        records.customer(id).map_or(
            serde_json::json!({ "id": id.0 }),
            |c| serde_json::json!({ "id": id.0, "name": c.name(), "phone": c.phone(), "email": c.email() }),
        )
    };
    let followups = |list: &[Followup]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|f| {
                let mut row = serde_json::to_value(FollowupRow::from(f)).expect("plain data");
                row["customer"] = customer(f.customer);
                row["late"] = f.is_overdue(now).into();
                row
            })
            .collect()
    };
    let json = serde_json::json!({
        "me": me,
        "at": iso(now),
        "followups": followups(&day.followups),
        "tickets": day.tickets.iter().map(|t| serde_json::json!({
            "id": t.id.0,
            "subject": t.subject,
            "status": t.status.name(),
            "priority": t.priority.name(),
            "due": t.due.map(iso),
            "customer": customer(t.customer),
        })).collect::<Vec<_>>(),
        "deals": day.deals.iter().map(|d| serde_json::json!({
            "id": d.id.0,
            "title": d.title,
            "stage": d.stage.name(),
            "value": d.value.to_string(),
            "currency": d.currency,
            "expected_close": d.expected_close.map(|c| c.to_string()),
            "customer": customer(d.customer),
        })).collect::<Vec<_>>(),
        "calls": day.calls.iter().map(|c| serde_json::json!({
            "customer": customer(c.customer),
            "segment": c.segment.name(),
            "offer": c.offer,
            "reason": c.reason,
        })).collect::<Vec<_>>(),
        "upcoming": followups(&day.upcoming),
    });
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)?;
    Ok(())
}

fn today_text(
    out: &mut dyn Write,
    day: &Today,
    records: &crate::model::Snapshot,
    me: Option<&str>,
    no_calls: bool,
    now: Timestamp,
) -> anyhow::Result<()> {
    let who = me.map_or("everyone".to_string(), |m| safe(m).into_owned());
    writeln!(out, "Today for {who}, {}", now.format("%A %-d %B %Y"))?;
    let name = |id: CustomerId| safe(records.customer_name(id).unwrap_or("?")).into_owned();
    // A missing phone is said, so the columns after it stay in line.
    let phone = |id: CustomerId| {
        records
            .customer(id)
            .map(|c| safe(c.phone()).into_owned())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "—".to_string())
    };
    let id = |n: u64| format!("#{n}");
    writeln!(out, "\nFollow-ups ({})", day.followups.len())?;
    let rows = day.followups.iter().map(|f| {
        vec![
            id(f.id.0),
            due_text(f.due, now),
            name(f.customer),
            phone(f.customer),
            safe(&f.text).into_owned(),
        ]
    });
    columns(out, rows.collect())?;
    writeln!(out, "\nTickets due ({})", day.tickets.len())?;
    let rows = day.tickets.iter().map(|t| {
        vec![
            id(t.id.0),
            t.priority.name().to_string(),
            name(t.customer),
            safe(&t.subject).into_owned(),
        ]
    });
    columns(out, rows.collect())?;
    writeln!(out, "\nDeals closing this week ({})", day.deals.len())?;
    let rows = day.deals.iter().map(|d| {
        vec![
            id(d.id.0),
            d.expected_close.map_or(String::new(), |c| c.to_string()),
            format!("{:>12} {}", d.value.to_string(), d.currency),
            name(d.customer),
            safe(&d.title).into_owned(),
        ]
    });
    columns(out, rows.collect())?;
    if !no_calls {
        writeln!(out, "\nCalls to make ({})", day.calls.len())?;
        let rows = day.calls.iter().map(|c| {
            vec![
                name(c.customer),
                phone(c.customer),
                format!("{}: offer {}", c.segment.name(), safe(&c.offer)),
            ]
        });
        columns(out, rows.collect())?;
    }
    if !day.upcoming.is_empty() {
        writeln!(out, "\nComing up")?;
        let rows = day.upcoming.iter().map(|f| {
            vec![
                id(f.id.0),
                due_text(f.due, now),
                name(f.customer),
                safe(&f.text).into_owned(),
            ]
        });
        columns(out, rows.collect())?;
    }
    Ok(())
}

/// Rows of cells, each column as wide as its widest cell (the last left as it is), indented.
fn columns(out: &mut dyn Write, rows: Vec<Vec<String>>) -> std::io::Result<()> {
    let width = |cell: &str| ratatui::text::Span::raw(cell).width();
    let mut widths: Vec<usize> = Vec::new();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if widths.len() <= i {
                widths.push(0);
            }
            widths[i] = widths[i].max(width(cell));
        }
    }
    for row in &rows {
        let mut line = String::from(" ");
        for (i, cell) in row.iter().enumerate() {
            line.push(' ');
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - width(cell) + 1));
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `rapport report pipeline`: everyone's figures, then each owner's with `--by owner`.
pub fn report(
    ops: &Ops,
    command: &crate::cli::ReportCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use crate::model::pipeline::{by_owner, report};
    let crate::cli::ReportCommand::Pipeline { by, format } = command;
    let now = chrono::Utc::now();
    let deals: Vec<crate::domain::Deal> = ops.records().all()?;
    let mut reports = vec![report("everyone", deals.iter(), now)];
    if by.is_some() {
        reports.extend(by_owner(&deals, now));
    }
    let format = match format {
        AuditFormat::Table => {
            for p in &reports {
                pipeline_table(out, p)?;
            }
            return Ok(());
        }
        rows => rows_format(*rows),
    };
    let mut sink = Sink::new(format, out);
    for p in &reports {
        for row in figures(p) {
            sink.row(&row)?;
        }
    }
    sink.finish()?;
    Ok(())
}

fn money(m: crate::domain::Money) -> String {
    m.to_string()
}

/// One owner's pipeline as a person reads it.
fn pipeline_table(out: &mut dyn Write, p: &crate::model::pipeline::Pipeline) -> anyhow::Result<()> {
    writeln!(out, "Pipeline: {}", safe(&p.owner))?;
    for (stage, t, weighted) in &p.open {
        writeln!(
            out,
            "  {:<12} {:>6} deals {:>16} (weighted {})",
            stage.name(),
            t.count,
            money(t.value),
            money(*weighted)
        )?;
    }
    for (what, month, quarter) in [
        ("won: ", &p.won_month, &p.won_quarter),
        ("lost:", &p.lost_month, &p.lost_quarter),
    ] {
        writeln!(
            out,
            "  {what} this month {} · {}, this quarter {} · {}",
            month.count,
            money(month.value),
            quarter.count,
            money(quarter.value)
        )?;
    }
    let rate = p
        .win_rate
        .map_or("—".into(), |r| format!("{:.0}%", 100.0 * r));
    let days = p
        .days_to_close
        .map_or("—".into(), |d| format!("{d:.0} days"));
    writeln!(
        out,
        "  win rate this quarter {rate}; a won deal took {days} on average"
    )?;
    if !p.lost_reasons.is_empty() {
        let reasons: Vec<String> = (p.lost_reasons.iter())
            .map(|(why, n)| format!("{} {n}", safe(why)))
            .collect();
        writeln!(out, "  lost this quarter because: {}", reasons.join(", "))?;
    }
    writeln!(out)?;
    Ok(())
}

/// One owner's pipeline, a row a figure: what scripts and spreadsheets take.
fn figures(p: &crate::model::pipeline::Pipeline) -> Vec<Figure> {
    let figure =
        |name: &str, stage: Option<&str>, count: Option<usize>, value: Option<String>| Figure {
            owner: p.owner.clone(),
            figure: name.to_string(),
            stage: stage.map(str::to_string),
            count,
            value,
            weighted: None,
        };
    let mut rows: Vec<Figure> = (p.open.iter())
        .map(|(stage, t, weighted)| Figure {
            weighted: Some(money(*weighted)),
            ..figure(
                "open",
                Some(stage.name()),
                Some(t.count),
                Some(money(t.value)),
            )
        })
        .collect();
    for (name, t) in [
        ("won this month", &p.won_month),
        ("won this quarter", &p.won_quarter),
        ("lost this month", &p.lost_month),
        ("lost this quarter", &p.lost_quarter),
    ] {
        rows.push(figure(name, None, Some(t.count), Some(money(t.value))));
    }
    rows.push(figure(
        "win rate this quarter",
        None,
        None,
        p.win_rate.map(|r| format!("{r:.4}")),
    ));
    rows.push(figure(
        "days to close, won this quarter",
        None,
        None,
        p.days_to_close.map(|d| format!("{d:.1}")),
    ));
    for (why, n) in &p.lost_reasons {
        let name = format!("lost this quarter because: {why}");
        rows.push(figure(&name, None, Some(*n), None));
    }
    rows
}

/// One figure of the pipeline report, as a row.
#[derive(serde::Serialize)]
struct Figure {
    owner: String,
    figure: String,
    stage: Option<String>,
    count: Option<usize>,
    value: Option<String>,
    weighted: Option<String>,
}
