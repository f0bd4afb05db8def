//! An account's page: its card with everything rolled up, its people (Enter opens one), its open
//! deals and tickets, and one timeline of all of it, newest first.

use super::{amount, block, fit, safe, when};
use crate::model::AccountPage;
use crate::tui::state::account::AccountView;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

pub fn draw(frame: &mut Frame, view: &AccountView, theme: &Theme, area: Rect) {
    let Some(page) = &view.page else {
        frame.render_widget(
            Paragraph::new(Line::styled("reading the account…", theme.muted))
                .block(block(" Account ", theme)),
            area,
        );
        return;
    };
    // People get what they need up to a third of the page; the rest is split between what is
    // open (deals, tickets) and the timeline.
    let people = (page.contacts.len() as u16 + 3).clamp(4, (area.height / 3).max(4));
    let open = (page.deals.iter().filter(|d| d.stage.is_open()).count()
        + page.tickets.iter().filter(|t| t.status.is_active()).count()) as u16;
    let open = match open {
        0 => 0,
        n => (n + 2).min(OPEN_SHOWN + 2),
    };
    let [card, people_area, open_area, timeline] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Length(people),
        Constraint::Length(open),
        Constraint::Min(3),
    ])
    .areas(area);
    draw_card(frame, page, theme, card);
    draw_people(frame, view, page, theme, people_area);
    if open > 0 {
        draw_open(frame, page, theme, open_area);
    }
    draw_timeline(frame, page, theme, timeline);
}

/// Open deals and tickets listed at most; the rest are counted in the title.
const OPEN_SHOWN: u16 = 6;

fn draw_card(frame: &mut Frame, page: &AccountPage, theme: &Theme, area: Rect) {
    let a = &page.account;
    let s = &page.summary;
    let or_dash = |v: &Option<String>| {
        v.as_deref()
            .map_or_else(|| "—".into(), |v| safe(v).into_owned())
    };
    let left = vec![
        ("domain", or_dash(&a.domain)),
        ("phone", or_dash(&a.phone)),
        ("country", or_dash(&a.country)),
        ("tags", safe(&a.tags.join(", ")).into_owned()),
    ];
    let right = vec![
        ("owner", or_dash(&a.owner)),
        (
            "revenue",
            format!("{} · {} orders", amount(s.lifetime_value), s.orders),
        ),
        (
            "open",
            format!("{} deals · {} tickets", s.open_deals, s.open_tickets),
        ),
        ("last", s.last_order.map_or_else(|| "—".into(), when)),
    ];
    let title = format!(" {} · account #{} ", safe(&a.name), a.id);
    super::card(frame, title, [left, right], theme, area);
}

fn draw_people(
    frame: &mut Frame,
    view: &AccountView,
    page: &AccountPage,
    theme: &Theme,
    area: Rect,
) {
    let rows = area.height.saturating_sub(3) as usize;
    let window = view.people.window(page.contacts.len(), rows);
    let body = page.contacts[window.clone()]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let p = &c.customer;
            let style = match window.start + i == view.people.selected {
                true => theme.selected,
                false => theme.base,
            };
            Row::new(vec![
                safe(&p.name).into_owned(),
                safe(p.email.as_deref().unwrap_or("")).into_owned(),
                safe(p.phone.as_deref().unwrap_or("")).into_owned(),
                c.summary.orders.to_string(),
                amount(c.summary.lifetime_value),
            ])
            .style(style)
        });
    let header = Row::new(["Name", "Email", "Phone", "Orders", "Revenue"]).style(theme.header);
    let widths = [
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Length(18),
        Constraint::Length(6),
        Constraint::Length(11),
    ];
    let title = format!(" People {} · enter opens one ", page.contacts.len());
    let table = Table::new(body, widths)
        .header(header)
        .column_spacing(1)
        .block(block(title, theme));
    frame.render_widget(table, area);
}

fn draw_open(frame: &mut Frame, page: &AccountPage, theme: &Theme, area: Rect) {
    let width = area.width.saturating_sub(2) as usize;
    let name_of = |id| {
        (page.contacts.iter())
            .find(|c| c.customer.id == id)
            .map_or(String::new(), |c| c.customer.name.clone())
    };
    let deals = (page.deals.iter()).filter(|d| d.stage.is_open()).map(|d| {
        let close = d
            .expected_close
            .map_or(String::new(), |c| format!(" · closes {c}"));
        format!(
            "deal    {} · {} {} · {}{close} · {}",
            d.title,
            amount(d.value),
            d.currency,
            d.stage,
            name_of(d.customer)
        )
    });
    let tickets = (page.tickets.iter())
        .filter(|t| t.status.is_active())
        .map(|t| {
            format!(
                "ticket  #{} {} · {} · {} · {}",
                t.id,
                t.subject,
                t.status,
                t.priority,
                name_of(t.customer)
            )
        });
    let all: Vec<String> = deals.chain(tickets).collect();
    let lines: Vec<Line> = (all.iter().take(OPEN_SHOWN as usize))
        .map(|text| Line::styled(fit(&safe(text), width), theme.base))
        .collect();
    let more = all.len().saturating_sub(OPEN_SHOWN as usize);
    let title = match more {
        0 => " Open ".to_string(),
        n => format!(" Open · {n} more on the people's pages "),
    };
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), area);
}

fn draw_timeline(frame: &mut Frame, page: &AccountPage, theme: &Theme, area: Rect) {
    let width = area.width.saturating_sub(2) as usize;
    let rows = area.height.saturating_sub(2) as usize;
    let lines: Vec<Line> = (page.timeline.iter().take(rows))
        .map(|item| {
            Line::from(vec![
                Span::styled(format!("{} ", when(item.at)), theme.muted),
                Span::styled(format!("{:<7} ", item.kind), theme.muted),
                Span::styled(fit(&safe(&item.text), width.saturating_sub(25)), theme.base),
            ])
        })
        .collect();
    let title = format!(" Timeline · {} ", page.timeline.len());
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), area);
}
