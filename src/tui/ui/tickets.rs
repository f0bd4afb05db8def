use super::{block, fit, safe, when};
use crate::domain::{Priority, Ticket};
use crate::tui::state::pane::Ctx;
use crate::tui::state::tickets::TicketsState;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

impl super::Draw for TicketsState {
    fn draw(&self, ctx: &Ctx, theme: &Theme, frame: &mut Frame, area: Rect) {
        draw(frame, self, ctx, theme, area)
    }
}

fn draw(frame: &mut Frame, p: &TicketsState, ctx: &Ctx, theme: &Theme, area: Rect) {
    match p.open_ticket() {
        Some(ticket) => thread(frame, p, ctx, ticket, theme, area),
        None => queue(frame, p, ctx, theme, area),
    }
}

fn queue(frame: &mut Frame, p: &TicketsState, ctx: &Ctx, theme: &Theme, area: Rect) {
    let t = p;
    let rows_shown = area.height.saturating_sub(3) as usize;
    let window = t.nav.window(t.queue.len(), rows_shown);
    // Counted over the queue shown: with "mine" on, the rep's own.
    let shown = || t.queue.iter().filter_map(|&i| t.tickets.get(i));
    let active = shown().filter(|x| x.status.is_active()).count();
    let overdue = shown().filter(|x| x.is_overdue(ctx.now)).count();
    let rows = t.queue[window.clone()]
        .iter()
        .enumerate()
        .map(|(i, &index)| {
            let ticket = &t.tickets[index];
            let late = ticket.is_overdue(ctx.now);
            let due = match ticket.due {
                Some(due) if late => format!("{} late", when(due)),
                Some(due) => when(due),
                None => "—".into(),
            };
            let style = if window.start + i == t.nav.selected {
                theme.selected
            } else if late {
                theme.bad
            } else if !ticket.status.is_active() {
                theme.muted
            } else {
                theme.base
            };
            let priority = match ticket.priority {
                Priority::Urgent => "!!!",
                Priority::High => "!!",
                Priority::Normal => "!",
                Priority::Low => "·",
            };
            Row::new(vec![
                format!(
                    "{}#{}",
                    if ctx.marked.contains(&ticket.id.0) {
                        "•"
                    } else {
                        ""
                    },
                    ticket.id
                ),
                priority.to_string(),
                ticket.status.to_string(),
                fit(&ticket.subject, 60),
                fit(ctx.customer_name(ticket.customer), 40),
                due,
            ])
            .style(style)
        });
    let header =
        Row::new(["Id", "Pri", "Status", "Subject", "Customer", "Due"]).style(theme.header);
    let table = Table::new(
        rows,
        [
            Constraint::Length(6),
            Constraint::Length(3),
            Constraint::Length(8),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(15),
        ],
    )
    .header(header)
    .block(block(
        format!(" Tickets · {active} active · {overdue} overdue "),
        theme,
    ));
    frame.render_widget(table, area);
}

fn thread(
    frame: &mut Frame,
    p: &TicketsState,
    ctx: &Ctx,
    ticket: &Ticket,
    theme: &Theme,
    area: Rect,
) {
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} · {} · ", ticket.status, ticket.priority),
                theme.accent,
            ),
            Span::styled(
                safe(ctx.customer_name(ticket.customer)).into_owned(),
                theme.base,
            ),
            Span::styled(
                ticket
                    .due
                    .map(|d| format!(" · due {}", when(d)))
                    .unwrap_or_default(),
                if ticket.is_overdue(ctx.now) {
                    theme.bad
                } else {
                    theme.muted
                },
            ),
        ]),
        Line::raw(""),
    ];
    for m in &ticket.messages {
        lines.push(Line::styled(
            format!("{} · {}", safe(&m.author), m.at.format("%Y-%m-%d %H:%M")),
            theme.header,
        ));
        for line in m.body.lines() {
            lines.push(Line::styled(safe(line).into_owned(), theme.base));
        }
        lines.push(Line::raw(""));
    }
    let title = format!(
        " #{} {} ",
        ticket.id,
        fit(&ticket.subject, area.width.saturating_sub(10) as usize)
    );
    let outer = block(title, theme);
    let inner = outer.inner(area);
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let top = p
        .thread_scroll
        .drawn(paragraph.line_count(inner.width), inner.height as usize);
    frame.render_widget(outer, area);
    frame.render_widget(
        paragraph.scroll((top.min(usize::from(u16::MAX)) as u16, 0)),
        inner,
    );
}
