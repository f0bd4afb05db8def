use super::{block, centred, fit, safe};
use crate::tui::action::Action;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::state::form::FormState;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The form as a centred box: one line per field, the error under the field it names.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub fn draw(frame: &mut Frame, form: &FormState, keys: &Keymap, theme: &Theme, body: Rect) {
    let label_width = form
        .fields
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(8)
        .min(30)
        + 2;
    let error_lines = u16::from(form.error.is_some());
    let height = form.fields.len() as u16 + 2 + error_lines + 1;
    let area = centred(body, 76, height);
    frame.render_widget(Clear, area);
    let value_width = (area.width as usize).saturating_sub(label_width + 3);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label_style = if form
            .error
            .as_ref()
            .is_some_and(|(f, _)| *f == Some(field.key))
        {
            theme.bad
        } else if focused {
            theme.accent
        } else {
            theme.muted
        };
        let mark = if field.required { "*" } else { " " };
        let label = format!(
            "{:>w$}{mark} ",
            fit(field.label, label_width - 2),
            w = label_width - 2
        );
        let value = safe(&field.input.value).into_owned();
        let shown: String = value
            .chars()
            .skip(
                field
                    .input
                    .cursor
                    .saturating_sub(value_width.saturating_sub(1)),
            )
            .take(value_width)
            .collect();
        let mut spans = vec![
            Span::styled(label, label_style),
            Span::styled(shown, if focused { theme.selected } else { theme.base }),
        ];
        if focused && !field.choices.is_empty() {
            spans.push(Span::styled(
                format!("  ←/→ {}", field.choices.join(" ")),
                theme.muted,
            ));
        }
        if focused {
            let x = field.input.cursor.min(value_width.saturating_sub(1)) as u16;
            cursor = Some((
                area.x + 1 + label_width as u16 + x,
                area.y + 1 + lines.len() as u16,
            ));
        }
        lines.push(Line::from(spans));
        if let Some((Some(key), message)) = &form.error
            && *key == field.key
        {
            lines.push(Line::styled(
                format!("{:w$}{}", "", fit(message, value_width), w = label_width),
                theme.bad,
            ));
        }
    }
    if let Some((None, message)) = &form.error {
        lines.push(Line::styled(
            fit(message, area.width as usize - 2),
            theme.bad,
        ));
    }
    let footer = if form.saving {
        "saving…".to_string()
    } else {
        let key = |action| capitalised(keys.label(Context::Form, action).unwrap_or("?"));
        format!(
            "{} saves · {} cancels · * required",
            key(Action::Accept),
            key(Action::Cancel)
        )
    };
    lines.push(Line::styled(footer, theme.muted));
    frame.render_widget(
        Paragraph::new(lines)
            .style(theme.base)
            .block(block(format!(" {} ", safe(&form.title)), theme)),
        area,
    );
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}
