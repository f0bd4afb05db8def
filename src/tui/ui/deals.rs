use super::{amount, block, fit};
use crate::domain::{DealStage, Money};
use crate::tui::state::deals::DealView;
use crate::tui::state::deals::DealsState;
use crate::tui::state::pane::Ctx;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

/// Money in a narrow column: 12.3k, 1.2M.
fn short(m: Money) -> String {
    let v = m.to_f64();
    if v >= 1_000_000.0 {
        format!("{:.1}M", v / 1_000_000.0)
    } else if v >= 10_000.0 {
        format!("{:.0}k", v / 1_000.0)
    } else if v >= 1_000.0 {
        format!("{:.1}k", v / 1_000.0)
    } else {
        format!("{v:.0}")
    }
}

impl super::Draw for DealsState {
    fn draw(&self, ctx: &Ctx, theme: &Theme, frame: &mut Frame, area: Rect) {
        draw(frame, self, ctx, theme, area)
    }
}

fn draw(frame: &mut Frame, p: &DealsState, ctx: &Ctx, theme: &Theme, area: Rect) {
    let d = p;
    if d.open.is_some() {
        let page = d.page.as_ref().filter(|p| Some(p.deal.id) == d.open);
        return super::deal_page::draw(frame, page, &d.page_scroll, theme, ctx.now, area);
    }
    let (this, next) = d.forecast(ctx.now);
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let forecast = Line::from(vec![
        Span::styled(" Forecast (value × probability): ", theme.muted),
        Span::styled(format!("this month {}", amount(this)), theme.good),
        Span::styled("  ·  ", theme.muted),
        Span::styled(format!("next month {}", amount(next)), theme.accent),
    ]);
    frame.render_widget(Paragraph::new(forecast), head);
    match d.view {
        DealView::Board => board(frame, p, ctx, theme, body),
        DealView::List => list(frame, p, ctx, theme, body),
    }
}

fn board(frame: &mut Frame, p: &DealsState, ctx: &Ctx, theme: &Theme, area: Rect) {
    let d = p;
    // Six equal columns leave a title 6 letters at 80 columns: there the column the rep is in
    // takes 3/10 of the width, to read its titles, and the others share the rest.
    let constraints: Vec<Constraint> = match area.width / 6 < 20 {
        true => (0..6)
            .map(|c| match c == d.column {
                true => Constraint::Ratio(3, 10),
                false => Constraint::Ratio(7, 50),
            })
            .collect(),
        false => vec![Constraint::Ratio(1, 6); 6],
    };
    let columns = Layout::horizontal(constraints).split(area);
    for (c, stage) in DealStage::ALL.iter().enumerate() {
        let (count, total) = d.column_total(c);
        let col_area = columns[c];
        let inner_width = col_area.width.saturating_sub(2) as usize;
        let title_style = if c == d.column {
            theme.selected
        } else {
            theme.header
        };
        let name = if inner_width < 14 {
            stage_short(*stage)
        } else {
            stage.name()
        };
        let title = Line::from(Span::styled(
            fit(&format!(" {name} {count} "), inner_width),
            title_style,
        ));
        let rows_shown = col_area.height.saturating_sub(3) as usize;
        let nav = d.rows.get(c).copied().unwrap_or_default();
        let ids = d.columns.get(c).map_or(&[][..], Vec::as_slice);
        let window = nav.window(ids.len(), rows_shown);
        let lines: Vec<Line> = ids[window.clone()]
            .iter()
            .enumerate()
            .filter_map(|(i, &index)| Some((i, d.deals.get(index)?)))
            .map(|(i, deal)| {
                let value = short(deal.value);
                let title_width = inner_width.saturating_sub(value.len() + 1);
                let mark = if ctx.marked.contains(&deal.id.0) {
                    "•"
                } else {
                    ""
                };
                let title = fit(&format!("{mark}{}", deal.title), title_width);
                let text = format!("{title:<title_width$} {value}");
                let style = if c == d.column && window.start + i == nav.selected {
                    theme.selected
                } else {
                    theme.base
                };
                Line::styled(text, style)
            })
            .collect();
        let total = match inner_width < 10 {
            true => short(total),
            false => format!("total {}", short(total)),
        };
        let mut all = vec![Line::styled(fit(&total, inner_width), theme.muted)];
        all.extend(lines);
        frame.render_widget(Paragraph::new(all).block(block(title, theme)), col_area);
    }
}

fn list(frame: &mut Frame, p: &DealsState, ctx: &Ctx, theme: &Theme, area: Rect) {
    let d = p;
    let rows_shown = area.height.saturating_sub(3) as usize;
    let window = d.list_nav.window(d.list.len(), rows_shown);
    let rows = d.list[window.clone()]
        .iter()
        .enumerate()
        .filter_map(|(i, &index)| Some((i, d.deals.get(index)?)))
        .map(|(i, deal)| {
            let style = if window.start + i == d.list_nav.selected {
                theme.selected
            } else {
                theme.base
            };
            Row::new(vec![
                fit(
                    &format!(
                        "{}{}",
                        if ctx.marked.contains(&deal.id.0) {
                            "• "
                        } else {
                            ""
                        },
                        deal.title
                    ),
                    40,
                ),
                fit(ctx.customer_name(deal.customer), 30),
                deal.stage.to_string(),
                amount(deal.value),
                format!("{}%", deal.probability),
                deal.expected_close
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ])
            .style(style)
        });
    let header =
        Row::new(["Deal", "Customer", "Stage", "Value", "Prob", "Close"]).style(theme.header);
    let table = Table::new(
        rows,
        [
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(11),
            Constraint::Length(10),
            Constraint::Length(4),
            Constraint::Length(10),
        ],
    )
    .header(header)
    .block(block(
        format!(
            " Deals by close date ({}) ",
            crate::text::thousands(d.list.len())
        ),
        theme,
    ));
    frame.render_widget(table, area);
}

fn stage_short(stage: DealStage) -> &'static str {
    match stage {
        DealStage::Lead => "lead",
        DealStage::Qualified => "qual",
        DealStage::Proposal => "prop",
        DealStage::Negotiation => "nego",
        DealStage::Won => "won",
        DealStage::Lost => "lost",
    }
}
