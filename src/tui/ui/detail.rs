use super::{amount, block, fit, safe, when};
use crate::domain::{Timestamp, due_text};
use crate::text::count;
use crate::tui::state::detail::DetailState;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

/// Open follow-ups shown on the page before the timeline; more are counted.
const FOLLOWUPS_SHOWN: usize = 3;

pub fn draw(frame: &mut Frame, d: &DetailState, theme: &Theme, now: Timestamp, area: Rect) {
    let c = &d.customer;
    let suggestions = d.insight.as_ref().map_or(0, |i| {
        i.suggestions.len() + 2 * usize::from(i.outlook.is_some())
    }) as u16;
    let followups = match d.followups.len() {
        0 => 0,
        n => n.min(FOLLOWUPS_SHOWN) as u16 + 2,
    };
    // The address takes a row of its own only where there is one.
    let card_rows = 5 + u16::from(!c.address.is_empty());
    let [card, insight_area, followup_area, timeline] = Layout::vertical([
        Constraint::Length(card_rows + 2),
        Constraint::Length(3 + suggestions),
        Constraint::Length(followups),
        Constraint::Min(3),
    ])
    .areas(area);
    draw_insight(frame, d, theme, insight_area);
    if followups > 0 {
        draw_followups(frame, d, theme, now, followup_area);
    }
    let field = |label: &'static str, value: String| (label, value);
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(|s| safe(s).into_owned())
            .unwrap_or_else(|| "—".into())
    };
    let s = &d.summary;
    let mut left = vec![
        field("company", opt(&c.company)),
        field("email", opt(&c.email)),
        field("phone", opt(&c.phone)),
        field("country", opt(&c.country)),
        field("owner", opt(&c.owner)),
    ];
    if !c.address.is_empty() {
        left.insert(4, field("address", address_line(&c.address)));
    }
    let right = vec![
        field("stage", c.stage.to_string()),
        field(
            "orders",
            format!(
                "{} · last {}",
                s.orders,
                s.last_order.map(when).unwrap_or_else(|| "never".into())
            ),
        ),
        field("value", amount(s.lifetime_value)),
        field(
            "open",
            format!(
                "{} · {}",
                count(s.open_deals as usize, "deal", "deals"),
                count(s.open_tickets as usize, "ticket", "tickets")
            ),
        ),
        field(
            "tags",
            if c.tags.is_empty() {
                "—".into()
            } else {
                safe(&c.tags.join(", ")).into_owned()
            },
        ),
    ];
    let title = format!(
        " {} {} ",
        safe(&c.name),
        c.external_id
            .as_deref()
            .map(|e| format!("· {}", safe(e)))
            .unwrap_or_default()
    );
    super::card(frame, title, [left, right], theme, card);

    draw_timeline(frame, d, theme, timeline);
}

fn draw_followups(frame: &mut Frame, d: &DetailState, theme: &Theme, now: Timestamp, area: Rect) {
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = d
        .followups
        .iter()
        .take(FOLLOWUPS_SHOWN)
        .map(|f| {
            let style = if f.is_overdue(now) {
                theme.bad
            } else {
                theme.base
            };
            let who = f
                .owner
                .as_deref()
                .map_or(String::new(), |o| format!(" ({})", safe(o)));
            Line::from(vec![
                Span::styled(format!("{:<16} ", due_text(f.due, now)), style),
                Span::styled(
                    fit(&format!("{}{who}", safe(&f.text)), width.saturating_sub(17)),
                    theme.base,
                ),
            ])
        })
        .collect();
    let more = d.followups.len().saturating_sub(FOLLOWUPS_SHOWN);
    let title = match more {
        0 => format!(" Follow-ups ({}) ", d.followups.len()),
        n => format!(" Follow-ups ({}, {n} more in Today) ", d.followups.len()),
    };
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), area);
}

/// Every order, deal, ticket and note, newest first, coloured by kind.
fn draw_timeline(frame: &mut Frame, d: &DetailState, theme: &Theme, timeline: Rect) {
    let rows_shown = timeline.height.saturating_sub(2) as usize;
    let window = d.nav.window(d.timeline.len(), rows_shown);
    let text_width = timeline.width.saturating_sub(24) as usize;
    let start = window.start;
    let rows = d.timeline[window].iter().enumerate().map(|(i, item)| {
        let style = match item.kind {
            "order" => theme.base,
            "return" => theme.warn,
            "deal" => theme.accent,
            "ticket" => theme.bad,
            "change" => theme.muted,
            _ => theme.good,
        };
        // Highlighted once the rep moves into the timeline: until then e and d are the customer's.
        let style = match d.in_timeline && start + i == d.nav.selected {
            true => theme.selected,
            false => style,
        };
        Row::new(vec![
            when(item.at),
            item.kind.to_string(),
            fit(&item.text, text_width),
        ])
        .style(style)
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(10),
            Constraint::Length(8),
            Constraint::Fill(1),
        ],
    )
    .block(block(
        format!(
            " Timeline · {}, newest first · Enter reads one whole ",
            count(d.timeline.len(), "entry", "entries")
        ),
        theme,
    ));
    frame.render_widget(table, timeline);
}

/// "Likely to buy again: 12% chance of no order in the next 90 days" and "Next 12 months: about
/// 3.2 orders, worth about 1,234".
fn outlook_words(o: &crate::insights::outlook::Outlook) -> [String; 2] {
    use crate::insights::outlook::{percent, risk_words};
    let first = match o.churn_risk {
        Some(r) => {
            let mut said = risk_words(r).to_string();
            said[..1].make_ascii_uppercase();
            format!(
                "{said}: {} chance of no order in the next {} days",
                percent(r),
                crate::insights::bundle::CHURN_DAYS
            )
        }
        None => format!("{} chance still buying", percent(o.p_alive)),
    };
    let Some(expected) = o.expected_purchases else {
        let second = "No 12-month outlook: the purchase history is too short to predict from";
        return [first, second.to_string()];
    };
    let mut second = format!("Next 12 months: about {expected:.1} orders");
    if let Some(v) = o.value {
        second.push_str(&format!(
            ", worth about {}",
            crate::text::thousands(v.max(0.0).round() as usize)
        ));
    }
    [first, second]
}

/// The address on one line, as it is written: "12 Quay St, Bristol BS1 4DJ, Avon".
pub fn address_line(a: &crate::domain::Address) -> String {
    let town = [a.city.as_deref(), a.postcode.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<String> = [
        a.street.as_deref(),
        Some(town.as_str()),
        a.region.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.trim().is_empty())
    .map(|p| safe(p).into_owned())
    .collect();
    match parts.is_empty() {
        true => "—".into(),
        false => parts.join(", "),
    }
}

/// The customer's RFM segment, cluster and next-purchase suggestions with their reasons.
fn draw_insight(frame: &mut Frame, d: &DetailState, theme: &Theme, area: Rect) {
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = match (&d.insight, d.insight_ready) {
        (_, false) => vec![Line::styled(
            "computing segment and suggestions…",
            theme.muted,
        )],
        (None, true) => vec![Line::styled(
            "no purchases yet: no segment, and suggestions come with the first order",
            theme.muted,
        )],
        (Some(i), true) => {
            let (r, f, m) = i.scores;
            let mut lines = vec![Line::from(vec![
                Span::styled(format!("{} ", i.segment.name()), theme.header),
                Span::styled(format!("({}) ", i.segment.plain()), theme.base),
                Span::styled(format!("R{r} F{f} M{m}"), theme.muted),
                Span::styled(
                    i.cluster
                        .as_ref()
                        .map(|c| format!(" · cluster {c}"))
                        .unwrap_or_default(),
                    theme.base,
                ),
            ])];
            if let Some(o) = &i.outlook {
                for said in outlook_words(o) {
                    lines.push(Line::styled(fit(&said, width), theme.base));
                }
            }
            for (product, reason) in &i.suggestions {
                lines.push(Line::from(vec![
                    Span::styled("→ ", theme.accent),
                    Span::styled(
                        fit(&format!("{product}: {reason}"), width.saturating_sub(2)),
                        theme.base,
                    ),
                ]));
            }
            lines
        }
    };
    frame.render_widget(
        Paragraph::new(lines).block(block(" Segment and suggestions ", theme)),
        area,
    );
}
