use super::{amount, block, fit, when};
use crate::tui::state::customers::{CustomersState, SortColumn};
use crate::tui::state::pane::Ctx;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, Table};

impl super::Draw for CustomersState {
    fn draw(&self, ctx: &Ctx, theme: &Theme, frame: &mut Frame, area: Rect) {
        match &self.account {
            Some(account) => super::account_page::draw(frame, account, theme, area),
            None => draw(frame, self, ctx, theme, area),
        }
    }
}

fn draw(frame: &mut Frame, p: &CustomersState, ctx: &Ctx, theme: &Theme, area: Rect) {
    let c = p;
    let wide = area.width >= 100;
    let columns = shown_columns(c, area.width);
    // The sorted column is two wider, so its arrow is never cut off.
    let arrow = |col: SortColumn| if c.sort == Some(col) { 2 } else { 0 };
    let width_of = |col: SortColumn| match col {
        SortColumn::Name => Constraint::Fill(3),
        SortColumn::Company => Constraint::Fill(2),
        SortColumn::Segment => Constraint::Length(15),
        SortColumn::LastOrder => Constraint::Length(10 + arrow(col)),
        SortColumn::Value => Constraint::Length(if wide { 14 } else { 10 } + arrow(col)),
        SortColumn::OpenDeals => Constraint::Length(5 + arrow(col)),
        SortColumn::OpenTickets => Constraint::Length(7 + arrow(col)),
        SortColumn::Risk => Constraint::Length(4 + arrow(col)),
        SortColumn::Ahead => Constraint::Length(10 + arrow(col)),
    };
    let header = Row::new(columns.iter().map(|&col| {
        let mark = match (c.sort == Some(col), c.descending) {
            (true, true) => " ▼",
            (true, false) => " ▲",
            _ => "",
        };
        let title = if col == SortColumn::Value && !wide {
            "Value"
        } else {
            col.title()
        };
        Cell::from(format!("{title}{mark}"))
    }))
    .style(theme.header);
    let rows_shown = area.height.saturating_sub(3) as usize;
    let window = c.nav.window(c.view.len(), rows_shown);
    let name_width = (area.width as usize / 3).max(10);
    let rows = c.view[window.clone()].iter().enumerate().map(|(i, &row)| {
        let r = &c.rows[row];
        let summary = c.summary(r.id());
        let pending = || "…".to_string();
        let cells = columns.iter().map(|&col| match col {
            SortColumn::Name => {
                let mark = if ctx.marked.contains(&r.id().0) {
                    "• "
                } else {
                    ""
                };
                fit(&format!("{mark}{}", r.name()), name_width)
            }
            SortColumn::Company => fit(r.company(), name_width),
            SortColumn::Segment => match &c.segments {
                None => pending(),
                Some(s) => s
                    .get(&r.id())
                    .map_or("—".to_string(), |seg| fit(seg.name(), 15)),
            },
            SortColumn::LastOrder => summary.map_or_else(pending, |s| {
                s.last_order.map(when).unwrap_or_else(|| "—".into())
            }),
            SortColumn::Value => summary.map_or_else(pending, |s| amount(s.lifetime_value)),
            SortColumn::OpenDeals => summary.map_or_else(pending, |s| s.open_deals.to_string()),
            SortColumn::OpenTickets => summary.map_or_else(pending, |s| s.open_tickets.to_string()),
            SortColumn::Risk => c.outlook(r.id()).map_or_else(pending, |o| {
                o.and_then(|o| o.churn_risk)
                    .map_or("—".into(), crate::insights::outlook::percent)
            }),
            SortColumn::Ahead => c.outlook(r.id()).map_or_else(pending, |o| {
                o.and_then(|o| o.value).map_or("—".into(), |v| {
                    crate::text::thousands(v.max(0.0).round() as usize)
                })
            }),
        });
        let style = if window.start + i == c.nav.selected {
            theme.selected
        } else {
            theme.base
        };
        Row::new(cells).style(style)
    });
    let title = title(c);
    let table = Table::new(rows, columns.iter().map(|&col| width_of(col)))
        .header(header)
        .column_spacing(1)
        .block(block(title, theme));
    frame.render_widget(table, area);
}

/// The columns that fit: narrow terminals keep what a rep scans for first, and the column the
/// rows are sorted by is always shown, so a rep sees what the order means.
fn shown_columns(c: &CustomersState, width: u16) -> Vec<SortColumn> {
    let mut columns: Vec<SortColumn> = if width >= 124 {
        SortColumn::ALL.to_vec()
    } else if width >= 96 {
        SortColumn::ALL[..7].to_vec()
    } else if width >= 70 {
        vec![
            SortColumn::Name,
            SortColumn::Segment,
            SortColumn::LastOrder,
            SortColumn::Value,
            SortColumn::OpenDeals,
            SortColumn::OpenTickets,
        ]
    } else {
        vec![SortColumn::Name, SortColumn::LastOrder, SortColumn::Value]
    };
    if let Some(sorted) = c.sort.filter(|s| !columns.contains(s)) {
        columns.insert(1, sorted);
    }
    columns
}

/// How many customers are shown of how many, and the filter being typed.
fn title(c: &CustomersState) -> Line<'static> {
    let filter = if c.filtering || !c.filter.value.is_empty() {
        format!(
            " · filter: {}{}",
            fit(&c.filter.value, 30),
            if c.filtering { "▏" } else { "" }
        )
    } else {
        String::new()
    };
    let only = c.only.as_ref().map_or(String::new(), |(what, _)| {
        format!(" · {} (esc: all)", fit(what, 50))
    });
    let filter = format!("{only}{filter}");
    Line::from(if c.loading {
        format!(" Customers (reading the rest…){filter} ")
    } else {
        format!(
            " Customers {} of {}{filter} ",
            crate::text::thousands(c.view.len()),
            crate::text::thousands(c.rows.len())
        )
    })
}
