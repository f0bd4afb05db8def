use super::{amount, block, fit, safe};
use crate::domain::due_text;
use crate::tui::state::pane::Ctx;
use crate::tui::state::today::TodayState;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The day as sections, one line per thing to do; late follow-ups stand out.
impl super::Draw for TodayState {
    fn draw(&self, ctx: &Ctx, theme: &Theme, frame: &mut Frame, area: Rect) {
        draw(frame, self, ctx, theme, area)
    }
}

fn draw(frame: &mut Frame, p: &TodayState, ctx: &Ctx, theme: &Theme, area: Rect) {
    let t = p;
    let day = &t.day;
    let now = ctx.now;
    let width = area.width.saturating_sub(2) as usize;
    // Columns: when (16), who (22), phone (16), then what to do.
    let what_width = width.saturating_sub(16 + 22 + 16 + 4);
    let mut lines: Vec<Line> = Vec::new();
    // The line each item is drawn on, to keep the selection in view.
    let mut at = Vec::with_capacity(t.items.len());
    let name = |id| safe(ctx.customer_name(id)).into_owned();
    let phone = |id| {
        ctx.records
            .customer(id)
            .map_or(String::new(), |c| safe(c.phone()).into_owned())
    };
    let row = |i: usize, cells: [(String, usize, Style); 4]| -> Line<'static> {
        let selected = i == t.nav.selected;
        let spans: Vec<Span> = cells
            .into_iter()
            .map(|(text, w, style)| {
                let style = if selected { theme.selected } else { style };
                Span::styled(format!("{:<w$} ", fit(&text, w)), style)
            })
            .collect();
        Line::from(spans)
    };
    let mut i = 0;
    let late = day.followups.iter().filter(|f| f.is_overdue(now)).count();
    let heading = |text: String| Line::styled(text, theme.header);
    lines.push(heading(match late {
        0 => format!("Follow-ups to do today ({})", day.followups.len()),
        n => format!("Follow-ups to do today ({}, {n} late)", day.followups.len()),
    }));
    if day.followups.is_empty() {
        lines.push(Line::styled("  nothing due: f schedules one", theme.muted));
    }
    for f in &day.followups {
        let style = if f.is_overdue(now) {
            theme.bad
        } else {
            theme.base
        };
        at.push(lines.len());
        lines.push(row(
            i,
            [
                (due_text(f.due, now), 16, style),
                (name(f.customer), 22, theme.base),
                (phone(f.customer), 16, theme.muted),
                (safe(&f.text).into_owned(), what_width, theme.base),
            ],
        ));
        i += 1;
    }
    lines.push(heading(format!("Tickets due ({})", day.tickets.len())));
    for ticket in &day.tickets {
        let late = ticket.is_overdue(now);
        let due = ticket.due.map_or(String::new(), |d| due_text(d, now));
        at.push(lines.len());
        lines.push(row(
            i,
            [
                (due, 16, if late { theme.bad } else { theme.base }),
                (name(ticket.customer), 22, theme.base),
                (phone(ticket.customer), 16, theme.muted),
                (
                    format!(
                        "#{} {} · {}",
                        ticket.id.0,
                        ticket.priority,
                        safe(&ticket.subject)
                    ),
                    what_width,
                    theme.base,
                ),
            ],
        ));
        i += 1;
    }
    let today = now.date_naive();
    let overdue = (day.deals.iter())
        .filter(|d| d.expected_close.is_some_and(|c| c < today))
        .count();
    lines.push(heading(match overdue {
        0 => format!("Deals expected to close this week ({})", day.deals.len()),
        n => format!(
            "Deals expected to close this week ({}, {n} overdue)",
            day.deals.len()
        ),
    }));
    for deal in &day.deals {
        let late = deal.expected_close.is_some_and(|c| c < today);
        // "overdue" in words as well as colour: NO_COLOR terminals show no red.
        let close = match deal.expected_close {
            Some(c) if late => format!("{} overdue", c.format("%d %b")),
            Some(c) => c.to_string(),
            None => String::new(),
        };
        at.push(lines.len());
        lines.push(row(
            i,
            [
                (close, 16, if late { theme.bad } else { theme.base }),
                (name(deal.customer), 22, theme.base),
                (
                    format!("{} {}", amount(deal.value), deal.currency),
                    16,
                    theme.muted,
                ),
                (
                    format!("#{} {} · {}", deal.id.0, safe(&deal.title), deal.stage),
                    what_width,
                    theme.base,
                ),
            ],
        ));
        i += 1;
    }
    lines.push(heading(match (&ctx.insights, ctx.computing) {
        (None, true) => "Calls to make (working them out…)".to_string(),
        _ => format!("Calls to make ({})", day.calls.len()),
    }));
    for call in &day.calls {
        at.push(lines.len());
        lines.push(row(
            i,
            [
                (call.segment.name().to_string(), 16, theme.accent),
                (name(call.customer), 22, theme.base),
                (phone(call.customer), 16, theme.muted),
                (
                    format!("offer {}; {}", safe(&call.offer), call.segment.plain()),
                    what_width,
                    theme.base,
                ),
            ],
        ));
        i += 1;
    }
    if !day.upcoming.is_empty() {
        lines.push(heading("Coming up".to_string()));
        for f in &day.upcoming {
            at.push(lines.len());
            lines.push(row(
                i,
                [
                    (due_text(f.due, now), 16, theme.muted),
                    (name(f.customer), 22, theme.base),
                    (phone(f.customer), 16, theme.muted),
                    (safe(&f.text).into_owned(), what_width, theme.base),
                ],
            ));
            i += 1;
        }
    }
    if t.items.is_empty() && !t.everyone {
        lines.push(Line::styled(
            "Nothing of yours today: m shows the whole team's day",
            theme.muted,
        ));
    }
    let height = area.height.saturating_sub(2) as usize;
    let selected_line = at.get(t.nav.selected).copied().unwrap_or(0);
    // The selection stays in view; above it, as much of the day as fits.
    let top = (selected_line + 1).saturating_sub(height);
    let whose = match p.whose(ctx.me) {
        Some(me) => format!(" Today · {} · {} ", safe(me), now.format("%a %-d %b")),
        None => format!(" Today · everyone · {} ", now.format("%a %-d %b")),
    };
    frame.render_widget(
        Paragraph::new(lines.split_off(top.min(lines.len()))).block(block(whose, theme)),
        area,
    );
}
