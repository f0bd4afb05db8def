use super::{amount, block, fit};
use crate::insights::Insights;
use crate::tui::state::{AppState, RuleSort, Section};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Sparkline, Table};

pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme, area: Rect) {
    let i = &state.insights;
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let mut spans = vec![Span::styled(" ", theme.base)];
    for s in Section::ALL {
        let style = if s == i.section {
            theme.selected
        } else {
            theme.muted
        };
        spans.push(Span::styled(format!(" {} ", s.title()), style));
        spans.push(Span::raw(" "));
    }
    if i.loading {
        spans.push(Span::styled("computing…", theme.accent));
    } else if let Some(view) = i
        .view
        .as_ref()
        .filter(|v| v.version() != state.records.version)
    {
        // Kept after later writes (see ReadModel::insights): say from when.
        let when = view.computed.format("%H:%M UTC");
        spans.push(Span::styled(
            format!("as of {when} · r recomputes"),
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), tabs);
    let (Some(data), Some(engine)) = (i.data(), i.engine()) else {
        let text = if i.loading {
            " computing insights…"
        } else {
            " press r to compute insights"
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.muted)
                .block(block(" Insights ", theme)),
            body,
        );
        return;
    };
    match i.section {
        Section::Overview => overview(frame, data, theme, body),
        Section::Segments => segments(frame, engine, theme, body),
        Section::Rules => rules(frame, state, engine, theme, body),
        Section::Calls => calls(frame, state, engine, theme, body),
    }
}

fn overview(
    frame: &mut Frame,
    data: &crate::model::revenue::InsightsData,
    theme: &Theme,
    area: Rect,
) {
    let [spark_area, table_area] =
        Layout::vertical([Constraint::Length(7), Constraint::Min(3)]).areas(area);
    let weeks = &data.weekly_revenue;
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
        " Revenue per week · {span} · total {} from {} customers ",
        amount(data.revenue),
        crate::text::thousands(data.customers_with_orders)
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
                crate::text::thousands(*units as usize),
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

fn segments(frame: &mut Frame, engine: &Insights, theme: &Theme, area: Rect) {
    let report = &engine.segments;
    let clusters = report.clustering.as_ref().map_or(0, |c| c.clusters.len()) as u16;
    let [seg_area, cluster_area] =
        Layout::vertical([Constraint::Length(13), Constraint::Min(clusters.min(3) + 2)])
            .areas(area);
    let summary = report.summary();
    let bar_width = seg_area.width.saturating_sub(48).max(4) as usize;
    let rows = summary.iter().map(|s| {
        let bar = "█".repeat((s.revenue_share * bar_width as f64).round() as usize);
        Row::new(vec![
            Line::from(s.segment.name()),
            Line::from(crate::text::thousands(s.customers)),
            Line::from(format!("{:.0}%", 100.0 * s.customer_share)),
            Line::from(format!("{:.0}%", 100.0 * s.revenue_share)),
            Line::styled(bar, theme.accent),
        ])
        .style(theme.base)
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(20),
            Constraint::Length(8),
            Constraint::Length(6),
            Constraint::Length(7),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new([
            "Segment (RFM)",
            "Count",
            "Share",
            "Revenue",
            "share of revenue",
        ])
        .style(theme.header),
    )
    .block(block(
        format!(
            " Segments · {} customers with purchases ",
            crate::text::thousands(report.rows.len())
        ),
        theme,
    ));
    frame.render_widget(table, seg_area);
    let lines: Vec<Line> = match &report.clustering {
        Some(c) => c
            .clusters
            .iter()
            .map(|k| {
                Line::from(vec![
                    Span::styled(format!(" {:>2} ", k.id + 1), theme.accent),
                    Span::styled(
                        format!("{:>7} ", crate::text::thousands(k.size)),
                        theme.base,
                    ),
                    Span::styled(k.description.clone(), theme.base),
                ])
            })
            .collect(),
        None => vec![Line::styled(" too few customers to cluster", theme.muted)],
    };
    let title = match report.clustering.as_ref().and_then(|c| c.silhouette) {
        Some(s) => format!(" Clusters (k-means, silhouette {s:.2}) "),
        None => " Clusters ".to_string(),
    };
    frame.render_widget(
        Paragraph::new(lines).block(block(title, theme)),
        cluster_area,
    );
}

fn rules(frame: &mut Frame, state: &AppState, engine: &Insights, theme: &Theme, area: Rect) {
    let i = &state.insights;
    let rows_shown = area.height.saturating_sub(3) as usize;
    let window = i.nav.window(i.rule_order.len(), rows_shown);
    let side_width = (area.width as usize).saturating_sub(30) / 2;
    let name = |item: u32| engine.item_name(item).to_string();
    let rows = i.rule_order[window.clone()]
        .iter()
        .enumerate()
        .map(|(n, &r)| {
            let rule = &engine.rules[r];
            let antecedent: Vec<String> = rule.antecedent.iter().map(|&x| name(x)).collect();
            let style = if window.start + n == i.nav.selected {
                theme.selected
            } else {
                theme.base
            };
            Row::new(vec![
                fit(&antecedent.join(" + "), side_width),
                fit(&name(rule.consequent), side_width),
                format!("{:.3}", rule.support),
                format!("{:.2}", rule.confidence),
                format!("{:.1}", rule.lift),
            ])
            .style(style)
        });
    let mark = |s: RuleSort, t: &'static str| {
        if i.rule_sort == s {
            format!("{t} ▼")
        } else {
            t.to_string()
        }
    };
    let header = Row::new(vec![
        "If bought".to_string(),
        "then also".to_string(),
        mark(RuleSort::Support, "supp"),
        mark(RuleSort::Confidence, "conf"),
        mark(RuleSort::Lift, "lift"),
    ])
    .style(theme.header);
    let table = Table::new(
        rows,
        [
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(6),
        ],
    )
    .header(header)
    .block(block(
        format!(
            " Association rules · {} (s sorts) ",
            crate::text::thousands(engine.rules.len())
        ),
        theme,
    ));
    frame.render_widget(table, area);
}

fn calls(frame: &mut Frame, state: &AppState, engine: &Insights, theme: &Theme, area: Rect) {
    let n = area.height.saturating_sub(2) as usize / 2;
    let mut lines = Vec::new();
    let width = area.width.saturating_sub(4) as usize;
    for (customer, segment, suggestion) in engine.calls_to_make(n, |_| true) {
        lines.push(Line::from(vec![
            Span::styled(fit(state.customer_name(customer), 30), theme.header),
            Span::styled(format!("  {}  ", segment.name()), theme.accent),
            Span::styled(
                fit(engine.item_name(suggestion.item), width.saturating_sub(50)),
                theme.base,
            ),
        ]));
        lines.push(Line::styled(
            format!("  {}", fit(&suggestion.reason, width)),
            theme.muted,
        ));
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            " no Champions, Loyal or Can't-lose-them customers yet",
            theme.muted,
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(
            " Calls to make: best customers and what to offer them ",
            theme,
        )),
        area,
    );
}
