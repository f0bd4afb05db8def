use super::{amount, block, fit};
use crate::insights::Insights;
use crate::tui::state::insights::InsightsState;
use crate::tui::state::pane::Ctx;
use crate::tui::state::{RuleSort, Section};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Sparkline, Table};

impl super::Draw for InsightsState {
    fn draw(&self, ctx: &Ctx, theme: &Theme, frame: &mut Frame, area: Rect) {
        draw(frame, self, ctx, theme, area)
    }
}

fn draw(frame: &mut Frame, p: &InsightsState, ctx: &Ctx, theme: &Theme, area: Rect) {
    let i = p;
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let mut spans = vec![Span::styled(" ", theme.base)];
    for s in Section::ALL {
        let style = if s == i.section {
            theme.selected
        } else {
            theme.muted
        };
        spans.push(Span::styled(format!(" {} ", s.title()), style));
    }
    if i.loading {
        spans.push(Span::styled("computing…", theme.accent));
    } else if let Some(view) = i
        .view
        .as_ref()
        .filter(|v| v.version() != ctx.records.version)
    {
        // Kept after later writes (see ReadModel::insights): say from when.
        let when = view.computed.format("%H:%M UTC");
        spans.push(Span::styled(
            format!("as of {when} · r recomputes"),
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), tabs);
    // Found from the records alone: no insights needed.
    if i.section == Section::Duplicates {
        super::duplicates::draw(frame, &p.duplicates, theme, body);
        return;
    }
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
        Section::Overview => overview(frame, data, engine, theme, body),
        Section::Segments => segments(frame, p, engine, theme, body),
        Section::Rules => rules(frame, p, engine, theme, body),
        Section::Risk => at_risk(frame, p, ctx, engine, theme, body),
        Section::Calls => calls(frame, p, ctx, engine, theme, body),
        Section::Pipeline => pipeline(frame, ctx, theme, body),
        Section::Duplicates => {}
    }
}

/// Weeks of history the forecast chart shows before the weeks ahead.
const CHART_HISTORY: usize = 26;

/// The last weeks' revenue and the forecast after them, with its 95% band.
fn forecast_chart(
    frame: &mut Frame,
    f: &crate::insights::bundle::RevenueForecast,
    title: String,
    theme: &Theme,
    area: Rect,
) {
    use ratatui::symbols::Marker;
    use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
    let weeks = &f.weekly;
    let shown = weeks.revenue.len().min(CHART_HISTORY);
    let start = weeks.revenue.len() - shown;
    let history: Vec<(f64, f64)> = (0..shown)
        .map(|i| (i as f64, weeks.revenue[start + i]))
        .collect();
    let last = history.last().copied().unwrap_or((0.0, 0.0));
    // Each line ahead starts at the last week, so the forecast continues the history.
    let ahead = |values: &[f64]| -> Vec<(f64, f64)> {
        std::iter::once(last)
            .chain(
                values
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (last.0 + 1.0 + k as f64, *v)),
            )
            .collect()
    };
    let (point, low, high) = (
        ahead(&f.revenue.point),
        ahead(&f.revenue.low),
        ahead(&f.revenue.high),
    );
    let top = history.iter().chain(&high).map(|p| p.1).fold(1.0, f64::max);
    let end = last.0 + f.revenue.point.len() as f64;
    let monday = |i: usize| weeks.mondays[start + i].format("%Y-%m-%d").to_string();
    let after = *weeks.mondays.last().expect("a week")
        + chrono::Duration::weeks(f.revenue.point.len() as i64);
    fn line<'a>(
        name: &'static str,
        data: &'a [(f64, f64)],
        style: ratatui::style::Style,
    ) -> Dataset<'a> {
        Dataset::default()
            .name(name)
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(style)
            .data(data)
    }
    // The band in dots, not lines: without colour (NO_COLOR, mono) it still reads apart.
    let datasets = vec![
        Dataset::default()
            .name("95% band")
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(theme.muted)
            .data(&high),
        // Unnamed: the band's two edges share one legend line.
        Dataset::default()
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .graph_type(GraphType::Line)
            .style(theme.muted)
            .data(&low),
        line("forecast", &point, theme.header),
        line("revenue", &history, theme.accent),
    ];
    let chart = Chart::new(datasets)
        .block(block(
            Line::from(fit(&title, area.width as usize - 2)),
            theme,
        ))
        .x_axis(
            Axis::default()
                .bounds([0.0, end])
                .labels([monday(0), monday(shown - 1), after.to_string()])
                .style(theme.muted),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .labels(["0".to_string(), amount_f(top / 2.0), amount_f(top)])
                .style(theme.muted),
        )
        .legend_position(Some(ratatui::widgets::LegendPosition::TopLeft));
    frame.render_widget(chart, area);
}

fn overview(
    frame: &mut Frame,
    data: &crate::model::revenue::InsightsData,
    engine: &Insights,
    theme: &Theme,
    area: Rect,
) {
    let chart_height = if engine.forecast.is_some() { 11 } else { 7 };
    let [spark_area, table_area] =
        Layout::vertical([Constraint::Length(chart_height), Constraint::Min(3)]).areas(area);
    if let Some(f) = engine
        .forecast
        .as_ref()
        .filter(|f| !f.weekly.revenue.is_empty())
    {
        let mut title = format!(
            " Revenue a week and the next {} (95% band) · {} from {} customers ",
            f.revenue.point.len(),
            amount(data.revenue),
            crate::text::thousands(data.customers_with_orders)
        );
        let by = match &f.fallback {
            Some(_) => format!("· by {}: too little history for a model ", f.method.label()),
            None => format!("· by {} ", f.method.label()),
        };
        if title.chars().count() + by.chars().count() + 2 <= spark_area.width as usize {
            title.push_str(&by);
        }
        forecast_chart(frame, f, title, theme, spark_area);
    } else {
        sparkline(frame, data, theme, spark_area);
    }
    top_products(frame, data, theme, table_area);
}

fn sparkline(
    frame: &mut Frame,
    data: &crate::model::revenue::InsightsData,
    theme: &Theme,
    spark_area: Rect,
) {
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
}

fn top_products(
    frame: &mut Frame,
    data: &crate::model::revenue::InsightsData,
    theme: &Theme,
    table_area: Rect,
) {
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

fn segments(frame: &mut Frame, p: &InsightsState, engine: &Insights, theme: &Theme, area: Rect) {
    let report = &engine.segments;
    let clusters = report.clustering.as_ref().map_or(0, |c| c.clusters.len()) as u16;
    let [seg_area, cluster_area] =
        Layout::vertical([Constraint::Length(13), Constraint::Min(clusters.min(3) + 2)])
            .areas(area);
    let summary = report.summary();
    let bar_width = (seg_area.width.saturating_sub(48).max(4) as usize / 3).max(4);
    let rows = summary.iter().enumerate().map(|(n, s)| {
        let bar = "█".repeat((s.revenue_share * bar_width as f64).round() as usize);
        let selected = n == p.nav.selected;
        Row::new(vec![
            Line::from(s.segment.name()),
            Line::from(crate::text::thousands(s.customers)),
            Line::from(format!("{:.0}%", 100.0 * s.customer_share)),
            Line::from(format!("{:.0}%", 100.0 * s.revenue_share)),
            Line::styled(
                format!("{bar:<bar_width$} {}", s.segment.plain()),
                if selected {
                    theme.selected
                } else {
                    theme.accent
                },
            ),
        ])
        .style(if selected { theme.selected } else { theme.base })
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
            "what it means",
        ])
        .style(theme.header),
    )
    .block(block(
        format!(
            " Segments · {} customers with purchases · Enter lists them ",
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

fn rules(frame: &mut Frame, p: &InsightsState, engine: &Insights, theme: &Theme, area: Rect) {
    let i = p;
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
        mark(RuleSort::Support, "orders"),
        mark(RuleSort::Confidence, "chance"),
        mark(RuleSort::Lift, "× usual"),
    ])
    .style(theme.header);
    let table = Table::new(
        rows,
        [
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(9),
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

/// Customers by value at risk: a year's value times the risk of buying nothing in 90 days.
fn at_risk(
    frame: &mut Frame,
    p: &InsightsState,
    ctx: &Ctx,
    engine: &Insights,
    theme: &Theme,
    area: Rect,
) {
    use crate::insights::outlook::{percent, risk_words};
    let i = p;
    let Some(outlook) = engine.outlook.as_ref() else {
        frame.render_widget(
            Paragraph::new(" too few purchases to tell who is slipping away")
                .style(theme.muted)
                .block(block(" Value at risk ", theme)),
            area,
        );
        return;
    };
    if let Some(why) = &outlook.churn_unknown {
        frame.render_widget(
            Paragraph::new(format!(" no churn risk yet: {why}"))
                .style(theme.muted)
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(block(" Value at risk ", theme)),
            area,
        );
        return;
    }
    let shown = area.height.saturating_sub(3).max(1) as usize;
    let window = i.nav.window(i.at_risk.len(), shown);
    let rows = i.at_risk[window.clone()]
        .iter()
        .enumerate()
        .map(|(n, (id, at_risk))| {
            let o = outlook.get(*id);
            let risk = o.and_then(|o| o.churn_risk).unwrap_or(0.0);
            let value = o.map_or(0.0, |o| o.spent_last_year);
            let customer = ctx.records.customer(*id);
            let row = Row::new(vec![
                ctx.customer_name(*id).to_string(),
                customer.map_or(String::new(), |c| super::safe(c.phone()).into_owned()),
                percent(risk),
                risk_words(risk).to_string(),
                amount_f(value),
                amount_f(*at_risk),
            ]);
            match window.start + n == i.nav.selected {
                true => row.style(theme.selected),
                false => row.style(theme.base),
            }
        });
    let header = Row::new(vec![
        "customer",
        "phone",
        "risk",
        "",
        "last year",
        "at risk",
    ])
    .style(theme.header);
    let table = Table::new(
        rows,
        [
            Constraint::Min(12),
            Constraint::Length(16),
            Constraint::Length(5),
            Constraint::Length(19),
            Constraint::Length(11),
            Constraint::Length(8),
        ],
    )
    .header(header)
    .block(block(
        " Value at risk: last year's spend × risk of no order in 90 days · Enter opens ",
        theme,
    ));
    frame.render_widget(table, area);
}

/// A figure in whole units with thousands separators.
fn amount_f(v: f64) -> String {
    crate::text::thousands(v.max(0.0).round() as usize)
}

fn calls(
    frame: &mut Frame,
    p: &InsightsState,
    ctx: &Ctx,
    engine: &Insights,
    theme: &Theme,
    area: Rect,
) {
    // "45% · 1,234/yr": the risk and last year's spend, where churn is known; the segment otherwise.
    let why = |call: &crate::model::today::Call| {
        let o = engine.outlook.as_ref().and_then(|o| o.get(call.customer));
        match o.and_then(|o| Some((o.churn_risk?, o.spent_last_year))) {
            Some((risk, value)) => format!(
                "{} · {}/yr",
                crate::insights::outlook::percent(risk),
                amount_f(value)
            ),
            None => call.segment.name().to_string(),
        }
    };
    // Two lines a call; the selected one stays in view.
    let shown = (area.height.saturating_sub(2) as usize / 2).max(1);
    let i = p;
    let window = i.nav.window(i.calls.len(), shown);
    let mut lines = Vec::new();
    let width = area.width.saturating_sub(4) as usize;
    for (n, call) in i.calls[window.clone()].iter().enumerate() {
        let selected = window.start + n == i.nav.selected;
        let pick = |style| if selected { theme.selected } else { style };
        let phone = ctx
            .records
            .customer(call.customer)
            .map_or(String::new(), |c| super::safe(c.phone()).into_owned());
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<22}", fit(ctx.customer_name(call.customer), 22)),
                pick(theme.header),
            ),
            Span::styled(format!("  {:<16}  ", fit(&phone, 16)), pick(theme.base)),
            Span::styled(format!("{:<16}", why(call)), pick(theme.accent)),
            Span::styled(
                fit(&format!("offer {}", call.offer), width.saturating_sub(58)),
                pick(theme.base),
            ),
        ]));
        lines.push(Line::styled(
            format!("  {}", fit(&call.reason, width)),
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
            " Calls to make: most value at risk first, and what to offer · Enter opens ",
            theme,
        )),
        area,
    );
}

/// " lost this quarter: price 3 · timing 1 ", or nothing when none were lost.
fn lost_because(p: &crate::model::pipeline::Pipeline) -> String {
    if p.lost_reasons.is_empty() {
        return String::new();
    }
    let reasons: Vec<String> = p
        .lost_reasons
        .iter()
        .map(|(why, n)| format!("{} {n}", super::safe(why)))
        .collect();
    format!(" lost this quarter: {} ", reasons.join(" · "))
}

/// The pipeline report: everyone's, then each owner's, a row each.
fn pipeline(frame: &mut Frame, ctx: &Ctx, theme: &Theme, area: Rect) {
    use crate::model::pipeline::Pipeline;
    let reports = ctx.records.deal_reports(ctx.now);
    let open = |p: &Pipeline| {
        p.open
            .iter()
            .fold((0, crate::domain::Money::ZERO), |(n, v), (_, t, w)| {
                (n + t.count, v + *w)
            })
    };
    let rows = reports.iter().enumerate().map(|(n, p)| {
        let (count, weighted) = open(p);
        Row::new(vec![
            fit(&p.owner, 12),
            crate::text::thousands(count),
            amount(weighted),
            format!("{} · {}", p.won_month.count, amount(p.won_month.value)),
            format!("{} · {}", p.won_quarter.count, amount(p.won_quarter.value)),
            p.win_rate
                .map_or("—".into(), |r| format!("{:.0}%", 100.0 * r)),
            p.days_to_close.map_or("—".into(), |d| format!("{d:.0}")),
        ])
        .style(if n == 0 { theme.header } else { theme.base })
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(12),
            Constraint::Length(5),
            Constraint::Length(13),
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Length(4),
            Constraint::Length(4),
        ],
    )
    .header(
        Row::new([
            "Owner",
            "Open",
            "Weighted",
            "Won: month",
            "quarter",
            "Win",
            "Days",
        ])
        .style(theme.header),
    )
    .block(
        block(
            " Pipeline · win rate and days to close over this quarter · rapport report pipeline ",
            theme,
        )
        .title_bottom(lost_because(&reports[0])),
    );
    frame.render_widget(table, area);
}
