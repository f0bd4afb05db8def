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
    // Wider on a wide screen, so choices and long values show; never narrower than 76.
    let width = (body.width.saturating_mul(9) / 10).clamp(76, 96);
    let value_width = (width.min(body.width) as usize).saturating_sub(label_width + 3);
    // An error is read whole, over as many lines as it takes.
    let error = form.error.as_ref().map(|(key, message)| match key {
        Some(_) => (*key, crate::text::wrap(message, value_width)),
        None => (None, crate::text::wrap(message, value_width + label_width)),
    });
    let error_lines = error.as_ref().map_or(0, |(_, lines)| lines.len() as u16);
    let warning = form.look_alike.as_ref().map(|w| {
        crate::text::wrap(
            &format!("{w} (saving makes a second record)"),
            value_width + label_width,
        )
    });
    let warning_lines = warning.as_ref().map_or(0, |w| w.len() as u16);
    let height = form.fields.len() as u16 + 2 + error_lines + warning_lines + 1;
    let area = centred(body, width, height);
    frame.render_widget(Clear, area);
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
        let mut spans = vec![
            Span::styled(label, label_style),
            Span::styled(
                shown(field, value_width),
                if focused { theme.selected } else { theme.base },
            ),
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
        if let Some((Some(key), message)) = &error
            && *key == field.key
        {
            for line in message {
                lines.push(Line::styled(
                    format!("{:w$}{line}", "", w = label_width),
                    theme.bad,
                ));
            }
        }
    }
    if let Some((None, message)) = &error {
        lines.extend(message.iter().map(|l| Line::styled(l.clone(), theme.bad)));
    }
    if let Some(warning) = warning {
        lines.extend(warning.into_iter().map(|l| Line::styled(l, theme.warn)));
    }
    let footer = footer(form, keys);
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

/// The field's value as far as fits, scrolled to keep the cursor in view.
fn shown(field: &crate::tui::state::form::Field, width: usize) -> String {
    let value = safe(&field.input.value).into_owned();
    let skip = field.input.cursor.saturating_sub(width.saturating_sub(1));
    value.chars().skip(skip).take(width).collect()
}

/// What the keys under a form do, or that it is being saved.
fn footer(form: &FormState, keys: &Keymap) -> String {
    if form.saving {
        return "saving…".to_string();
    }
    let key = |action| capitalised(keys.label(Context::Form, action).unwrap_or("?"));
    let required = match form.fields.iter().any(|f| f.required) {
        true => " · * required",
        false => "",
    };
    format!(
        "{} saves · {} cancels{required}",
        key(Action::Accept),
        key(Action::Cancel)
    )
}
