use super::{amount, block, fit};
use crate::tui::state::AppState;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Sparkline, Table};

pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme, area: Rect) {
    let Some(data) = &state.insights.data else {
        let text = if state.insights.loading {
            " computing insights…"
        } else {
            " press r to compute insights"
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.muted)
                .block(block(" Insights ", theme)),
            area,
        );
        return;
    };
    let [spark_area, table_area] =
        Layout::vertical([Constraint::Length(7), Constraint::Min(3)]).areas(area);
    let weeks = &data.weekly_revenue;
    // As many recent weeks as there are columns.
    let shown = weeks.len().min(spark_area.width.saturating_sub(2) as usize);
    let values: Vec<u64> = weeks[weeks.len() - shown..]
        .iter()
        .map(|(_, m)| m.to_f64().max(0.0) as u64)
        .collect();
    let span = match (weeks.get(weeks.len() - shown), weeks.last()) {
        (Some(first), Some(last)) => format!("{} to {}", first.0, last.0),
        _ => String::new(),
    };
    let title = format!(
        " Revenue per week · {span} · total {} from {} customers{} ",
        amount(data.revenue),
        crate::import::thousands(data.customers_with_orders),
        if state.insights.loading {
            " · refreshing…"
        } else {
            ""
        }
    );
    frame.render_widget(
        Sparkline::default()
            .data(&values)
            .style(theme.accent)
            .block(block(
                Line::from(fit(&title, spark_area.width as usize - 2)),
                theme,
            )),
        spark_area,
    );
    let rows = data
        .top_products
        .iter()
        .enumerate()
        .map(|(i, (name, revenue, units))| {
            Row::new(vec![
                format!("{}", i + 1),
                fit(name, 50),
                amount(*revenue),
                crate::import::thousands(*units as usize),
            ])
            .style(theme.base)
        });
    let table = Table::new(
        rows,
        [
            Constraint::Length(3),
            Constraint::Fill(1),
            Constraint::Length(12),
            Constraint::Length(8),
        ],
    )
    .header(Row::new(["#", "Best sellers", "Revenue", "Units"]).style(theme.header))
    .block(block(" Top products ", theme));
    frame.render_widget(table, table_area);
}
