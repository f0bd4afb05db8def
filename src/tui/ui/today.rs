use super::{amount, block, fit, safe};
use crate::domain::{CustomerId, Deal, Followup, Ticket, due_text};
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

fn draw(frame: &mut Frame, t: &TodayState, ctx: &Ctx, theme: &Theme, area: Rect) {
    let day = &t.day;
    let now = ctx.now;
    let width = area.width.saturating_sub(2) as usize;
    let mut sheet = Sheet {
        lines: Vec::new(),
        at: Vec::with_capacity(t.items.len()),
        selected: t.nav.selected,
        // Columns: when (16), who (22), phone (16), then what to do.
        what: width.saturating_sub(16 + 22 + 16 + 4),
        theme,
    };
    followups(&mut sheet, &day.followups, ctx);
    tickets(&mut sheet, &day.tickets, ctx);
    deals(&mut sheet, &day.deals, ctx);
    sheet.heading(match (&ctx.insights, ctx.computing) {
        (None, true) => "Calls to make (working them out…)".to_string(),
        _ => format!("Calls to make ({})", day.calls.len()),
    });
    for call in &day.calls {
        let what = format!("offer {}; {}", safe(&call.offer), call.segment.plain());
        sheet.item([
            (call.segment.name().to_string(), 16, theme.accent),
            (who(ctx, call.customer), 22, theme.base),
            (phone(ctx, call.customer), 16, theme.muted),
            (what, sheet.what, theme.base),
        ]);
    }
    if !day.upcoming.is_empty() {
        sheet.heading("Coming up".to_string());
        for f in &day.upcoming {
            sheet.item([
                (due_text(f.due, now), 16, theme.muted),
                (who(ctx, f.customer), 22, theme.base),
                (phone(ctx, f.customer), 16, theme.muted),
                (safe(&f.text).into_owned(), sheet.what, theme.base),
            ]);
        }
    }
    if t.items.is_empty() && !t.everyone {
        sheet.note("Nothing of yours today: m shows the whole team's day");
    }
    let height = area.height.saturating_sub(2) as usize;
    let selected_line = sheet.at.get(t.nav.selected).copied().unwrap_or(0);
    // The selection stays in view; above it, as much of the day as fits.
    let top = (selected_line + 1).saturating_sub(height);
    let whose = match t.whose(ctx.me) {
        Some(me) => format!(" Today · {} · {} ", safe(me), now.format("%a %-d %b")),
        None => format!(" Today · everyone · {} ", now.format("%a %-d %b")),
    };
    let mut lines = sheet.lines;
    frame.render_widget(
        Paragraph::new(lines.split_off(top.min(lines.len()))).block(block(whose, theme)),
        area,
    );
}

/// The day's lines as they are made: where each item's line is, the selected one highlighted.
struct Sheet<'a> {
    lines: Vec<Line<'static>>,
    /// The line of each item, in the order of the items.
    at: Vec<usize>,
    selected: usize,
    /// The width of the last column, what there is to do.
    what: usize,
    theme: &'a Theme,
}

impl Sheet<'_> {
    fn heading(&mut self, text: String) {
        self.lines.push(Line::styled(text, self.theme.header));
    }

    fn note(&mut self, text: &'static str) {
        self.lines.push(Line::styled(text, self.theme.muted));
    }

    fn item(&mut self, cells: [(String, usize, Style); 4]) {
        let selected = self.at.len() == self.selected;
        self.at.push(self.lines.len());
        let spans: Vec<Span> = cells
            .into_iter()
            .map(|(text, w, style)| {
                let style = if selected { self.theme.selected } else { style };
                Span::styled(format!("{:<w$} ", fit(&text, w)), style)
            })
            .collect();
        self.lines.push(Line::from(spans));
    }
}

fn who(ctx: &Ctx, id: CustomerId) -> String {
    safe(ctx.customer_name(id)).into_owned()
}

fn phone(ctx: &Ctx, id: CustomerId) -> String {
    ctx.records
        .customer(id)
        .map_or(String::new(), |c| safe(c.phone()).into_owned())
}

fn followups(sheet: &mut Sheet, followups: &[Followup], ctx: &Ctx) {
    let (now, theme) = (ctx.now, sheet.theme);
    let late = followups.iter().filter(|f| f.is_overdue(now)).count();
    sheet.heading(match late {
        0 => format!("Follow-ups to do today ({})", followups.len()),
        n => format!("Follow-ups to do today ({}, {n} late)", followups.len()),
    });
    if followups.is_empty() {
        sheet.note("  nothing due: f schedules one");
    }
    for f in followups {
        let style = if f.is_overdue(now) {
            theme.bad
        } else {
            theme.base
        };
        sheet.item([
            (due_text(f.due, now), 16, style),
            (who(ctx, f.customer), 22, theme.base),
            (phone(ctx, f.customer), 16, theme.muted),
            (safe(&f.text).into_owned(), sheet.what, theme.base),
        ]);
    }
}

fn tickets(sheet: &mut Sheet, tickets: &[Ticket], ctx: &Ctx) {
    let (now, theme) = (ctx.now, sheet.theme);
    sheet.heading(format!("Tickets due ({})", tickets.len()));
    for ticket in tickets {
        let late = ticket.is_overdue(now);
        let due = ticket.due.map_or(String::new(), |d| due_text(d, now));
        let what = format!(
            "#{} {} · {}",
            ticket.id.0,
            ticket.priority,
            safe(&ticket.subject)
        );
        sheet.item([
            (due, 16, if late { theme.bad } else { theme.base }),
            (who(ctx, ticket.customer), 22, theme.base),
            (phone(ctx, ticket.customer), 16, theme.muted),
            (what, sheet.what, theme.base),
        ]);
    }
}

fn deals(sheet: &mut Sheet, deals: &[Deal], ctx: &Ctx) {
    let (today, theme) = (ctx.now.date_naive(), sheet.theme);
    let overdue = (deals.iter())
        .filter(|d| d.expected_close.is_some_and(|c| c < today))
        .count();
    sheet.heading(match overdue {
        0 => format!("Deals expected to close this week ({})", deals.len()),
        n => format!(
            "Deals expected to close this week ({}, {n} overdue)",
            deals.len()
        ),
    });
    for deal in deals {
        let late = deal.expected_close.is_some_and(|c| c < today);
        // "overdue" in words as well as colour: NO_COLOR terminals show no red.
        let close = match deal.expected_close {
            Some(c) if late => format!("{} overdue", c.format("%d %b")),
            Some(c) => c.to_string(),
            None => String::new(),
        };
        let what = format!("#{} {} · {}", deal.id.0, safe(&deal.title), deal.stage);
        sheet.item([
            (close, 16, if late { theme.bad } else { theme.base }),
            (who(ctx, deal.customer), 22, theme.base),
            (
                format!("{} {}", amount(deal.value), deal.currency),
                16,
                theme.muted,
            ),
            (what, sheet.what, theme.base),
        ]);
    }
}
