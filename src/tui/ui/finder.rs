use super::{block, centred, fit, styled_matches};
use crate::tui::state::finder::FinderState;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn draw(frame: &mut Frame, f: &FinderState, theme: &Theme, body: Rect) {
    let area = centred(body, (body.width * 9 / 10).max(40), body.height);
    frame.render_widget(Clear, area);
    let title = if f.indexing {
        " Find · indexing… ".to_string()
    } else {
        let n = f.len();
        match f.capped() {
            true => format!(" Find · {}+ matches ", crate::text::thousands(n)),
            false => format!(" Find · {} ", crate::text::count(n, "match", "matches")),
        }
    };
    let title = match f.pick {
        true => format!("{title}· Enter chooses the customer "),
        false => title,
    };
    let outer = block(title, theme);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [query_area, list_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let query = Line::from(vec![
        Span::styled("› ", theme.accent),
        Span::styled(fit(&f.query.value, inner.width as usize - 3), theme.base),
    ]);
    frame.render_widget(Paragraph::new(query), query_area);
    frame.set_cursor_position((query_area.x + 2 + f.query.cursor as u16, query_area.y));
    let rows = list_area.height as usize;
    let window = f.nav.window(f.len(), rows);
    let width = list_area.width.saturating_sub(11) as usize;
    let lines: Vec<Line> = f
        .lines()
        .enumerate()
        .skip(window.start)
        .take(window.len())
        .map(|(at, (entry, matched))| {
            let selected = at == f.nav.selected;
            let base = if selected { theme.selected } else { theme.base };
            let mut line = styled_matches(
                &entry.text,
                matched,
                base,
                if selected {
                    theme
                        .selected
                        .add_modifier(ratatui::style::Modifier::UNDERLINED)
                } else {
                    theme.matched
                },
                width,
            );
            line.spans.insert(
                0,
                Span::styled(
                    format!("{:<9} ", entry.kind.label()),
                    if selected {
                        theme.selected
                    } else {
                        theme.muted
                    },
                ),
            );
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list_area);
}
