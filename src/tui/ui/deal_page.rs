//! A deal's page: the deal, the stages it went through, and who changed what, newest first.

use super::{amount, block, fit, safe, when};
use crate::domain::{Timestamp, due_text};
use crate::model::DealPage;
use crate::tui::state::list::Scroll;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

pub fn draw(
    frame: &mut Frame,
    page: Option<&DealPage>,
    scroll: &Scroll,
    theme: &Theme,
    now: Timestamp,
    area: Rect,
) {
    let Some(page) = page else {
        frame.render_widget(
            Paragraph::new(Line::styled("reading the deal…", theme.muted))
                .block(block(" Deal ", theme)),
            area,
        );
        return;
    };
    let activity_rows = (page.followups.len() + page.notes.len()).min(ACTIVITY_SHOWN);
    let activity_height = match activity_rows {
        0 => 0,
        n => n as u16 + 2,
    };
    let [card, stages, activity, history] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Length(3),
        Constraint::Length(activity_height),
        Constraint::Min(3),
    ])
    .areas(area);
    draw_card(frame, page, theme, card);
    draw_stages(frame, page, theme, stages);
    if activity_rows > 0 {
        draw_activity(frame, page, theme, now, activity);
    }
    draw_history(frame, page, scroll, theme, history);
}

/// Rows the follow-ups and notes get, so the history keeps room at 80x24.
const ACTIVITY_SHOWN: usize = 5;

/// Follow-ups about the deal (open ones first), then its notes, newest first.
fn draw_activity(frame: &mut Frame, page: &DealPage, theme: &Theme, now: Timestamp, area: Rect) {
    let width = area.width.saturating_sub(2) as usize;
    let followups = page.followups.iter().map(|f| {
        let (head, style) = match f.done {
            Some(at) => (format!("done {}", when(at)), theme.muted),
            None if f.is_overdue(now) => (due_text(f.due, now), theme.bad),
            None => (due_text(f.due, now), theme.base),
        };
        let text = match (&f.outcome, f.done) {
            (Some(o), Some(_)) if !o.is_empty() => format!("{} → {}", f.text, o),
            _ => f.text.clone(),
        };
        (head, text, style)
    });
    let notes = page.notes.iter().map(|n| {
        let who = n
            .author
            .as_deref()
            .map_or(String::new(), |a| format!(" ({a})"));
        (
            format!("{} {}", n.kind, when(n.at)),
            format!("{}{who}", n.text),
            theme.base,
        )
    });
    let lines: Vec<Line> = followups
        .chain(notes)
        .take(ACTIVITY_SHOWN)
        .map(|(head, text, style)| {
            Line::from(vec![
                Span::styled(format!("{:<16} ", fit(&head, 16)), style),
                Span::styled(fit(&safe(&text), width.saturating_sub(17)), theme.base),
            ])
        })
        .collect();
    let (f, n) = (page.followups.len(), page.notes.len());
    let title = format!(
        " Follow-ups {f} · notes {n}{} ",
        if f + n > ACTIVITY_SHOWN {
            " (the rest on the customer's page)"
        } else {
            ""
        }
    );
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), area);
}

fn draw_card(frame: &mut Frame, page: &DealPage, theme: &Theme, area: Rect) {
    let d = &page.deal;
    let field = |label: &'static str, value: String| (label, value);
    let closed = match (d.stage.is_open(), page.closed) {
        (true, _) => "open".to_string(),
        (false, Some(at)) => format!("{} {}", d.stage, when(at)),
        (false, None) => format!("{}, before the log", d.stage),
    };
    let closed = match &d.lost_reason {
        Some(why) => format!("{closed} · {}", safe(why)),
        None => closed,
    };
    let left = vec![
        field(
            "customer",
            match &page.account {
                Some(account) => format!("{} · {}", safe(&page.customer), safe(account)),
                None => safe(&page.customer).into_owned(),
            },
        ),
        field(
            "value",
            format!("{} {}", amount(d.value), safe(&d.currency)),
        ),
        field("stage", format!("{} · {}%", d.stage, d.probability)),
        field(
            "close",
            d.expected_close
                .map_or_else(|| "—".into(), |c| format!("expected {c}")),
        ),
    ];
    let right = vec![
        field(
            "owner",
            d.owner
                .as_deref()
                .map_or_else(|| "—".into(), |o| safe(o).into_owned()),
        ),
        field("created", when(d.created)),
        field("closed", closed),
        field("weighted", amount(d.weighted_value())),
    ];
    let title = format!(" {} · deal #{} ", safe(&d.title), d.id);
    super::card(frame, title, [left, right], theme, area);
}

/// "lead 2026-11-02 → proposal 2026-11-09 → won 2026-11-20", the newest end kept when it is cut.
fn draw_stages(frame: &mut Frame, page: &DealPage, theme: &Theme, area: Rect) {
    let width = area.width.saturating_sub(2) as usize;
    if let [(stage, at)] = page.stages.as_slice() {
        let text = format!("{stage} since {}", when(*at));
        frame.render_widget(
            Paragraph::new(Line::styled(fit(&text, width), theme.accent))
                .block(block(" Stages ", theme)),
            area,
        );
        return;
    }
    let steps: Vec<String> = page
        .stages
        .iter()
        .map(|(stage, at)| format!("{stage} {}", when(*at)))
        .collect();
    let mut text = steps.join(" → ");
    let mut skipped = 0;
    while text.chars().count() > width && skipped + 1 < steps.len() {
        skipped += 1;
        text = format!("… → {}", steps[skipped..].join(" → "));
    }
    frame.render_widget(
        Paragraph::new(Line::styled(fit(&text, width), theme.accent))
            .block(block(" Stages ", theme)),
        area,
    );
}

fn draw_history(frame: &mut Frame, page: &DealPage, scroll: &Scroll, theme: &Theme, area: Rect) {
    let title = match page.history.len() {
        0 => " History · nothing logged yet ".to_string(),
        1 => " History · 1 change ".to_string(),
        n => format!(" History · {n} changes, newest first "),
    };
    if page.history.is_empty() {
        let why = "No change to this deal has been logged: it came from an import, the demo or an \
                   older rapport, and has not been changed since.";
        frame.render_widget(
            Paragraph::new(Line::styled(why, theme.muted))
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(block(title, theme)),
            area,
        );
        return;
    }
    let rows_shown = area.height.saturating_sub(2) as usize;
    let top = scroll.drawn(page.history_rows(), rows_shown);
    let text_width = area.width.saturating_sub(34) as usize;
    // One row per field changed, so each before → after reads whole at 80 columns.
    let rows = page
        .history
        .iter()
        .flat_map(|entry| {
            let style = if entry.op == "update" {
                theme.base
            } else {
                theme.accent
            };
            entry.lines().into_iter().enumerate().map(move |(i, text)| {
                let (at, who) = match i {
                    0 => (
                        entry.at().format("%Y-%m-%d %H:%M").to_string(),
                        fit(&entry.actor, 12),
                    ),
                    _ => (String::new(), String::new()),
                };
                Row::new(vec![at, who, fit(&text, text_width)]).style(style)
            })
        })
        .skip(top)
        .take(rows_shown);
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Length(12),
            Constraint::Fill(1),
        ],
    )
    .block(block(title, theme));
    frame.render_widget(table, area);
}
