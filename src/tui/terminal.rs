//! Entering and leaving the terminal: raw mode and the alternate screen in, and always out again,
//! on a normal exit, an error, or a panic.

use ratatui::DefaultTerminal;

pub fn enter() -> std::io::Result<DefaultTerminal> {
    // ratatui::try_init installs a panic hook that restores the terminal before the message prints.
    let terminal = ratatui::try_init()?;
    // A paste arrives as one event, not as keys that would run commands.
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste)?;
    Ok(terminal)
}

pub fn leave() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
}
