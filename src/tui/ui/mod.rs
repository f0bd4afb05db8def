//! Drawing: pure functions of the state and theme into a frame. Nothing here changes state.

mod account_page;
mod customers;
mod deal_page;
mod deals;
mod detail;
mod duplicates;
mod finder;
mod form;
mod help;
mod insights;
mod tickets;
mod today;

use super::state::{AppState, Pane, Popup, PromptKind, Tone};
use super::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

/// A pane, drawn from its own state and what every pane reads.
pub trait Draw {
    fn draw(&self, ctx: &Ctx, theme: &Theme, frame: &mut Frame, area: Rect);
}

pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(Block::new().style(theme.base), area);
    let [tabs, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(frame, state, theme, tabs);
    let pane: &dyn Draw = match state.pane {
        Pane::Customers => &state.customers,
        Pane::Deals => &state.deals,
        Pane::Tickets => &state.tickets,
        Pane::Insights => &state.insights,
        Pane::Today => &state.today,
    };
    match &state.detail {
        Some(d) => detail::draw(frame, d, theme, state.now, body),
        None => pane.draw(&state.ctx(), theme, frame, body),
    }
    draw_status(frame, state, theme, status);
    draw_hints(frame, state, theme, hints);
    for popup in state.popups() {
        match popup {
            Popup::Prompt(prompt) => draw_prompt(frame, prompt, theme, body),
            Popup::Form(f) => form::draw(frame, f, &state.keymap, theme, body),
            Popup::Confirm(confirm) => draw_confirm(frame, confirm, theme, body),
            Popup::Merge(choice) => duplicates::draw_merge(frame, choice, theme, body),
            Popup::Finder(finder) => finder::draw(frame, finder, theme, body),
            Popup::Help { scroll } => help::draw(frame, state, theme, body, *scroll),
            Popup::Read {
                title,
                text,
                scroll,
            } => help::draw_text(frame, title, text, theme, body, *scroll),
        }
    }
}

pub use crate::text::{fit, safe};
use crate::tui::state::pane::Ctx;

pub fn block<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(title)
        .title_style(theme.header)
}

/// A record's card: a box titled with the record, its fields as "label  value" in two columns,
/// each value cut to its column.
pub fn card(
    frame: &mut Frame,
    title: String,
    columns: [Vec<(&'static str, String)>; 2],
    theme: &Theme,
    area: Rect,
) {
    let outer = block(title, theme);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    // The left column (the contact details) takes what its longest value needs, from half the
    // card up to two thirds, so an email reads whole where the screen allows. An address, long
    // by nature, widens it only as far as the right column's values leave room, and is cut.
    let label = 9;
    let needed = |column: &[(&str, String)], address: bool| {
        let most = column
            .iter()
            .filter(|(name, _)| address || *name != "address")
            .map(|(_, v)| v.chars().count() + label + 1)
            .max()
            .unwrap_or(0);
        u16::try_from(most).unwrap_or(u16::MAX)
    };
    let spare = inner.width.saturating_sub(needed(&columns[1], true));
    let left = needed(&columns[0], false)
        .max(needed(&columns[0], true).min(spare))
        .clamp(inner.width / 2, inner.width * 2 / 3);
    let halves = Layout::horizontal([Constraint::Length(left), Constraint::Fill(1)]).split(inner);
    for (fields, half) in columns.into_iter().zip(halves.iter()) {
        let value_width = (half.width as usize).saturating_sub(label + 1);
        let lines: Vec<Line> = fields
            .into_iter()
            .map(|(name, value)| {
                Line::from(vec![
                    Span::styled(format!("{name:<label$}"), theme.muted),
                    Span::styled(fit(&value, value_width), theme.base),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), *half);
    }
}

/// A rectangle of at most `width` x `height`, centred in `area`.
pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Money as a rep reads it on screen: 12,345.67.
pub fn amount(m: crate::domain::Money) -> String {
    let plain = m.to_string();
    let (sign, digits) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |d| ("-", d));
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let grouped = crate::text::thousands(whole.parse().unwrap_or(0));
    format!("{sign}{grouped}.{cents}")
}

pub fn when(t: crate::domain::Timestamp) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn draw_tabs(frame: &mut Frame, state: &AppState, theme: &Theme, area: Rect) {
    let mut spans = vec![Span::styled(
        " rapport ",
        theme.accent.add_modifier(ratatui::style::Modifier::BOLD),
    )];
    for pane in Pane::ALL {
        let style = if pane == state.pane {
            theme.selected
        } else {
            theme.muted
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!(" {} {} ", pane.key(), pane.title()),
            style,
        ));
    }
    if state.mine {
        spans.push(Span::styled("  mine", theme.accent));
    }
    if state.readonly {
        spans.push(Span::styled("  read-only", theme.warn));
    }
    let tabs = Line::from(spans);
    let width = tabs.width();
    frame.render_widget(Paragraph::new(tabs), area);
    if let Some(online) = &state.presence {
        let others = online
            .load(std::sync::atomic::Ordering::Relaxed)
            .saturating_sub(1);
        let room = usize::from(area.width).saturating_sub(width + 1);
        let who = match others {
            0 => format!("{} · no one else on ", state.user),
            1 => format!("{} · 1 other on ", state.user),
            n => format!("{} · {n} others on ", state.user),
        };
        let short = format!("{} +{others} ", state.user);
        let text = [who, short].into_iter().find(|t| t.chars().count() <= room);
        if let Some(text) = text {
            frame.render_widget(
                Paragraph::new(Span::styled(text, theme.muted)).right_aligned(),
                area,
            );
        }
    }
}

const SPINNER: [char; 8] = ['⣾', '⣽', '⣻', '⢿', '⡿', '⣟', '⣯', '⣷'];

fn draw_status(frame: &mut Frame, state: &AppState, theme: &Theme, area: Rect) {
    let mut spans = Vec::new();
    if state.pending > 0 {
        spans.push(Span::styled(
            format!("{} working… ", SPINNER[state.spinner % SPINNER.len()]),
            theme.accent,
        ));
    }
    if let Some((message, tone)) = &state.status {
        let style = match tone {
            Tone::Info => theme.base,
            Tone::Good => theme.good,
            Tone::Bad => theme.bad,
        };
        spans.push(Span::styled(fit(message, area.width as usize), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_hints(frame: &mut Frame, state: &AppState, theme: &Theme, area: Rect) {
    let mut spans = Vec::new();
    let mut used = 0;
    // Pop-ups included: every hint is a binding of the keymap, so a user's keys show as bound.
    let hints = state.keymap.hints(state.context(), state.readonly);
    let width = |(key, desc): &(String, &str)| key.chars().count() + desc.chars().count() + 3;
    // Help and quick lookup keep their place however narrow the terminal: from them a rep
    // finds every other key and record.
    let (kept, rest): (Vec<_>, Vec<_>) = hints
        .into_iter()
        .partition(|(_, desc)| matches!(*desc, "help" | "find"));
    let room = (area.width as usize).saturating_sub(kept.iter().map(width).sum());
    let mut shown = Vec::new();
    for hint in rest {
        if used + width(&hint) > room {
            break;
        }
        used += width(&hint);
        shown.push(hint);
    }
    shown.extend(kept);
    for (key, desc) in shown {
        spans.push(Span::styled(format!(" {key}"), theme.accent));
        spans.push(Span::styled(format!(" {desc} "), theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The question, and for a bulk change the preview of every record it touches.
fn draw_confirm(frame: &mut Frame, confirm: &super::state::Confirm, theme: &Theme, body: Rect) {
    let widest = confirm
        .details
        .iter()
        .map(|d| d.chars().count())
        .chain([confirm.question.chars().count()])
        .max()
        .unwrap_or(30);
    let outer = (widest as u16 + 4).clamp(30, body.width);
    // The question is what y answers: it wraps rather than lose its end.
    let question = crate::text::wrap(&confirm.question, outer.saturating_sub(2) as usize);
    let room = (body.height as usize).saturating_sub(3 + question.len());
    let shown = confirm.details.len().min(room.saturating_sub(1));
    let more = confirm.details.len() - shown;
    let area = centred(
        body,
        outer,
        (question.len() + shown + usize::from(more > 0)) as u16 + 2,
    );
    frame.render_widget(Clear, area);
    let width = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = question
        .into_iter()
        .map(|l| Line::styled(l, theme.warn))
        .collect();
    lines.extend(
        confirm
            .details
            .iter()
            .take(shown)
            .map(|d| Line::styled(fit(d, width), theme.base)),
    );
    if more > 0 {
        lines.push(Line::styled(format!("… and {more} more"), theme.muted));
    }
    frame.render_widget(Paragraph::new(lines).block(block(" Confirm ", theme)), area);
}

/// Lines the reply box shows at most; longer text scrolls with the cursor.
const PROMPT_LINES: usize = 6;

fn draw_prompt(frame: &mut Frame, prompt: &super::state::Prompt, theme: &Theme, body: Rect) {
    let title = match &prompt.kind {
        PromptKind::Reply { subject } => format!(
            " Reply: {} (Enter sends, Alt-Enter or Ctrl-N new line, Esc cancels) ",
            safe(subject)
        ),
        PromptKind::SaveView { shown: None } => {
            " Keep what is shown (pane, filter, mine) as a view named: ".into()
        }
        PromptKind::SaveView { shown: Some(name) } => format!(
            " Keep what is shown as a view named (now: {}): ",
            safe(name)
        ),
    };
    let lines: Vec<&str> = prompt.input.value.split('\n').collect();
    let shown_lines = lines.len().clamp(1, PROMPT_LINES);
    let height = (shown_lines as u16 + 2).min(body.height);
    let area = Rect::new(
        body.x,
        body.bottom().saturating_sub(height),
        body.width,
        height,
    );
    frame.render_widget(Clear, area);
    let inner_width = area.width.saturating_sub(2) as usize;
    let (row, column) = prompt.input.line_and_column();
    let first = (row + 1).saturating_sub(shown_lines);
    let skip = column.saturating_sub(inner_width.saturating_sub(1));
    let text: Vec<Line> = lines
        .iter()
        .skip(first)
        .take(shown_lines)
        .enumerate()
        .map(|(i, line)| {
            // The cursor's line scrolls sideways to keep the cursor in view.
            let skip = if first + i == row { skip } else { 0 };
            Line::raw(safe(line).chars().skip(skip).collect::<String>())
        })
        .collect();
    frame.render_widget(
        Paragraph::new(text)
            .style(theme.base)
            .block(block(title, theme)),
        area,
    );
    let cursor_x = area.x + 1 + (column - skip) as u16;
    frame.set_cursor_position((cursor_x, area.y + 1 + (row - first) as u16));
}

pub fn styled_matches<'a>(
    text: &str,
    matched: &[usize],
    base: Style,
    hit: Style,
    width: usize,
) -> Line<'a> {
    let spans: Vec<Span> = fit(text, width)
        .chars()
        .enumerate()
        .map(|(i, c)| {
            Span::styled(
                c.to_string(),
                if matched.binary_search(&i).is_ok() {
                    hit
                } else {
                    base
                },
            )
        })
        .collect();
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped() {
        use crate::domain::Money;
        assert_eq!(amount(Money::parse("408275").unwrap()), "408,275.00");
        assert_eq!(amount(Money::parse("-1234.5").unwrap()), "-1,234.50");
        assert_eq!(amount(Money::parse("0.07").unwrap()), "0.07");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let hostile = "Evil\x1b[2J\x07Corp\u{9b}";
        let shown = safe(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.starts_with("Evil␛[2J␇Corp"), "{shown}");
        assert_eq!(fit("Wilson — Acme Ltd", 8), "Wilson …");
    }
}
