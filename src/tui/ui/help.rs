use super::{block, centred};
use crate::tui::keymap::Context;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// Every binding, grouped by where it applies, from the keymap's own descriptions.
pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme, body: Rect, scroll: usize) {
    let mut lines = Vec::new();
    for context in Context::ALL {
        let mut group: Vec<(String, String)> = Vec::new();
        for b in state
            .keymap
            .bindings()
            .iter()
            .filter(|b| b.context == context)
        {
            match group.iter_mut().find(|(_, desc)| *desc == b.desc) {
                Some((keys, _)) => {
                    keys.push_str(", ");
                    keys.push_str(&b.label);
                }
                None => group.push((b.label.clone(), b.desc.clone())),
            }
        }
        if group.is_empty() {
            continue;
        }
        lines.push(Line::styled(context.title(), theme.header));
        for (keys, desc) in group {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<18}"), theme.accent),
                Span::styled(desc, theme.base),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        "Ctrl-C quits (twice, with typed text in a form). In text boxes: Ctrl-U clears, Ctrl-W deletes a word.",
        theme.muted,
    ));
    // As wide as its longest line where the terminal allows; narrower, lines wrap rather than cut.
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) + 2;
    let area = centred(body, u16::try_from(widest).unwrap_or(u16::MAX), body.height);
    frame.render_widget(Clear, area);
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll as u16, 0))
        .block(block(" Keys · Esc or ? closes ", theme));
    frame.render_widget(paragraph, area);
}

/// Text that was cut off where it is listed, read whole: wrapped, as wide as the screen allows
/// up to a comfortable line, scrolled with j/k.
pub fn draw_text(
    frame: &mut Frame,
    title: &str,
    text: &str,
    theme: &Theme,
    body: Rect,
    scroll: usize,
) {
    let lines: Vec<Line> = text
        .lines()
        .map(|l| Line::styled(crate::text::safe(l).into_owned(), theme.base))
        .collect();
    let widest = lines.iter().map(Line::width).max().unwrap_or(0).max(30) + 2;
    let width = u16::try_from(widest.min(100)).unwrap_or(100);
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let height = u16::try_from(paragraph.line_count(width.saturating_sub(2)) + 2)
        .unwrap_or(u16::MAX)
        .min(body.height);
    let area = centred(body, width, height);
    frame.render_widget(Clear, area);
    let title = format!("{} · Esc closes ", crate::text::safe(title.trim_end()));
    frame.render_widget(
        paragraph
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(block(title, theme)),
        area,
    );
}
