//! Entering and leaving the terminal: raw mode and the alternate screen in, and always out again,
//! on a normal exit, an error, or a panic.

use ratatui::DefaultTerminal;

pub fn enter() -> std::io::Result<DefaultTerminal> {
    // ratatui::try_init installs a panic hook that restores the terminal before the message prints.
    ratatui::try_init()
}

pub fn leave() {
    ratatui::restore();
}
