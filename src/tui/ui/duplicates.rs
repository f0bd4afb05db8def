//! The Duplicates section: the pairs, and the selected pair side by side with the fields that
//! differ marked (≠, and in colour where there is colour; ≈ where they differ only in writing);
//! the merge box over it.

use super::{block, centred, fit, safe};
use crate::domain::Customer;
use crate::tui::state::duplicates::{DuplicatesState, MergeChoice};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The fields shown side by side, as the merge names them.
fn fields(c: &Customer) -> [(&'static str, String); 11] {
    let text = |v: &Option<String>| safe(v.as_deref().unwrap_or("")).into_owned();
    [
        ("name", safe(&c.name).into_owned()),
        ("company", text(&c.company)),
        ("email", text(&c.email)),
        ("phone", text(&c.phone)),
        ("street", text(&c.address.street)),
        ("city", text(&c.address.city)),
        ("postcode", text(&c.address.postcode)),
        ("region", text(&c.address.region)),
        ("country", text(&c.country)),
        ("owner", text(&c.owner)),
        ("external id", text(&c.external_id)),
    ]
}

pub fn draw(frame: &mut Frame, d: &DuplicatesState, theme: &Theme, area: Rect) {
    if d.pairs.is_empty() {
        let text = match d.loading || !d.found {
            true => " looking for customers written twice…",
            false => " no pairs look like one person (r looks again)",
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.muted)
                .block(block(" Duplicates ", theme)),
            area,
        );
        return;
    }
    let side_rows = fields(&d.pairs[0].a).len() as u16 + 3;
    let [list, side] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(side_rows)]).areas(area);
    let shown = list.height.saturating_sub(2) as usize;
    let window = d.nav.window(d.pairs.len(), shown.max(1));
    let width = list.width.saturating_sub(2) as usize;
    let name_width = (width.saturating_sub(10) * 2 / 7).clamp(8, 28);
    let mut lines = Vec::new();
    for (n, p) in d.pairs[window.clone()].iter().enumerate() {
        let selected = window.start + n == d.nav.selected;
        let pick = |style| if selected { theme.selected } else { style };
        let name = |c: &Customer| fit(&format!("{} #{}", safe(&c.name), c.id), name_width);
        let reasons = width.saturating_sub(7 + 2 * name_width + 6);
        lines.push(Line::from(vec![
            Span::styled(format!(" {:.2}  ", p.score), pick(theme.accent)),
            Span::styled(format!("{:<name_width$}", name(&p.a)), pick(theme.header)),
            Span::styled(" ~ ", pick(theme.muted)),
            Span::styled(format!("{:<name_width$}", name(&p.b)), pick(theme.header)),
            Span::styled(format!("  {}", fit(&p.reasons, reasons)), pick(theme.base)),
        ]));
    }
    let title = format!(
        " Duplicates: {} pairs{} ",
        d.pairs.len(),
        if d.loading {
            " · looking again…"
        } else {
            ""
        }
    );
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), list);
    if let Some((keep, other)) = d.chosen() {
        side_by_side(frame, keep, other, theme, side);
    }
}

/// Written two ways, one value: the same phone number or email, the same name, street or
/// postcode once folded ("≈", not highlighted).
fn same_once_normalised(field: &str, a: &Customer, b: &Customer) -> bool {
    use crate::clean::normal;
    let phone = |c: &Customer| {
        let region = normal::phone_region(c.country.as_deref());
        c.phone
            .as_deref()
            .and_then(|p| normal::phone_key(p, region))
    };
    let text = |f: fn(&str) -> String, x: &Option<String>, y: &Option<String>| {
        x.as_deref().map(f) == y.as_deref().map(f)
    };
    match field {
        "phone" => phone(a).is_some() && phone(a) == phone(b),
        "email" => {
            let e = |c: &Customer| c.email.as_deref().and_then(normal::email);
            e(a).is_some() && e(a) == e(b)
        }
        "name" => normal::name_words(&a.name) == normal::name_words(&b.name),
        "street" => text(normal::street, &a.address.street, &b.address.street),
        "postcode" => text(normal::postcode, &a.address.postcode, &b.address.postcode),
        "company" => text(normal::company, &a.company, &b.company),
        "city" | "region" | "country" => {
            let (x, y) = match field {
                "city" => (&a.address.city, &b.address.city),
                "region" => (&a.address.region, &b.address.region),
                _ => (&a.country, &b.country),
            };
            text(normal::fold, x, y)
        }
        _ => false,
    }
}

/// The kept record on the left, the other on the right; rows that differ marked.
fn side_by_side(frame: &mut Frame, keep: &Customer, other: &Customer, theme: &Theme, area: Rect) {
    let inner = area.width.saturating_sub(2) as usize;
    let label = 14;
    let column = inner.saturating_sub(label + 3) / 2;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{:label$}", ""), theme.muted),
        Span::styled(
            format!("{:<column$}", fit(&format!("keep #{}", keep.id), column)),
            theme.good,
        ),
        Span::styled(" │ ", theme.border),
        Span::styled(fit(&format!("merge in #{}", other.id), column), theme.muted),
    ])];
    for ((field, mine), (_, theirs)) in fields(keep).into_iter().zip(fields(other)) {
        let differ = !mine.is_empty() && !theirs.is_empty() && mine != theirs;
        let (mark, style) = match differ {
            true if same_once_normalised(field, keep, other) => ("≈", theme.base),
            true => ("≠", theme.warn),
            false => (" ", theme.base),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} {field:<w$}", w = label - 2), theme.muted),
            Span::styled(format!("{:<column$}", fit(&mine, column)), style),
            Span::styled(" │ ", theme.border),
            Span::styled(fit(&theirs, column), style),
        ]));
    }
    let title = " Side by side: space swaps which is kept · Enter opens it ";
    frame.render_widget(Paragraph::new(lines).block(block(title, theme)), area);
}

/// The merge box: each field both records fill, with the value that stays marked.
pub fn draw_merge(frame: &mut Frame, choice: &MergeChoice, theme: &Theme, body: Rect) {
    let width = body.width.min(80);
    let rows = 2 + choice.conflicts.len().max(1) + usize::from(!choice.filled.is_empty()) + 1;
    let area = centred(body, width, rows as u16 + 2);
    frame.render_widget(Clear, area);
    let inner = width.saturating_sub(2) as usize;
    let column = inner.saturating_sub(15) / 2;
    let who = |c: &Customer| format!("#{} {}", c.id, safe(&c.name));
    let mut lines = vec![
        Line::styled(
            fit(
                &format!("{} goes into {}:", who(&choice.other), who(&choice.keep)),
                inner,
            ),
            theme.header,
        ),
        Line::styled(
            fit(
                &format!(
                    "its orders, deals, tickets, notes and follow-ups move; #{} goes to the trash",
                    choice.other.id
                ),
                inner,
            ),
            theme.base,
        ),
    ];
    if choice.conflicts.is_empty() {
        lines.push(Line::styled(" no field holds two values", theme.muted));
    }
    for (i, (field, mine, theirs, take)) in choice.conflicts.iter().enumerate() {
        let at = i == choice.at;
        let value = |text: &str, kept: bool| {
            let shown = format!("{} {}", if kept { "●" } else { "○" }, text);
            let style = match (kept, at) {
                (true, true) => theme.selected,
                (true, false) => theme.good,
                _ => theme.muted,
            };
            Span::styled(format!("{:<column$}", fit(&shown, column)), style)
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{} {:<12} ",
                    if at { "›" } else { " " },
                    field.replace('_', " ")
                ),
                theme.header,
            ),
            value(mine, !take),
            Span::raw(" "),
            value(theirs, *take),
        ]));
    }
    if !choice.filled.is_empty() {
        lines.push(Line::styled(
            fit(
                &format!(
                    "filled from #{}: {}",
                    choice.other.id,
                    choice.filled.join(", ")
                ),
                inner,
            ),
            theme.muted,
        ));
    }
    lines.push(Line::styled(
        "↑↓ field · ←→ or space: the other value · Enter merges · Esc cancels",
        theme.muted,
    ));
    frame.render_widget(
        Paragraph::new(lines).block(block(" Merge two customers ", theme)),
        area,
    );
}
