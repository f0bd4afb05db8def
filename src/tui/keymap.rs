//! Keys to actions, as data: the default table is embedded TOML, a user file overrides the bindings it
//! names, and the help screen and hint bar are generated from the same descriptions.

use super::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

const DEFAULT: &str = include_str!("keymap.toml");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    Customers,
    Deals,
    Tickets,
    Insights,
    Duplicates,
    Merge,
    Today,
    Detail,
    Help,
    Finder,
    Form,
    Confirm,
    Prompt,
    /// The box that names a saved view (Ctrl-S).
    ViewName,
    Filter,
}

impl Context {
    /// In the order help lists them.
    pub const ALL: [Context; 16] = [
        Context::Global,
        Context::Today,
        Context::Customers,
        Context::Detail,
        Context::Deals,
        Context::Tickets,
        Context::Insights,
        Context::Duplicates,
        Context::Merge,
        Context::Finder,
        Context::Form,
        Context::Confirm,
        Context::Prompt,
        Context::ViewName,
        Context::Filter,
        Context::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Customers => "Customers",
            Context::Deals => "Deals",
            Context::Tickets => "Tickets",
            Context::Insights => "Insights",
            Context::Duplicates => "Duplicates (Insights)",
            Context::Merge => "Merging two customers",
            Context::Today => "Today",
            Context::Detail => "Customer detail",
            Context::Help => "This help",
            Context::Finder => "Quick lookup",
            Context::Form => "Forms",
            Context::Confirm => "Questions (y/n)",
            Context::Prompt => "Reply box",
            Context::ViewName => "Naming a saved view (Ctrl-S)",
            Context::Filter => "Filter as you type",
        }
    }

    /// A pop-up or the filter takes typed text: only its own keys are actions there, and the
    /// global ones (q, j, 1…) are letters.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Help
                | Context::Merge
                | Context::Finder
                | Context::Form
                | Context::Confirm
                | Context::Prompt
                | Context::ViewName
                | Context::Filter
        )
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BindingFile {
    on: String,
    run: Action,
    desc: String,
    context: Context,
    /// A word or two for the hint bar; bindings without one show only in help.
    #[serde(default)]
    hint: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    keys: Vec<BindingFile>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub key: KeyEvent,
    pub label: String,
    pub action: Action,
    pub desc: String,
    pub context: Context,
    pub hint: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("keymap: {0}")]
    Parse(String),
    #[error("keymap: '{0}' is not a key (try q, ctrl-p, shift-tab, enter, f5)")]
    BadKey(String),
}

impl Keymap {
    pub fn default_keys() -> Keymap {
        Keymap::from_toml(DEFAULT).expect("the built-in keymap is valid")
    }

    fn from_toml(text: &str) -> Result<Keymap, KeymapError> {
        let file: KeymapFile =
            toml::from_str(text).map_err(|e| KeymapError::Parse(e.to_string()))?;
        let bindings = file
            .keys
            .into_iter()
            .map(|b| {
                Ok(Binding {
                    key: parse_key(&b.on).ok_or_else(|| KeymapError::BadKey(b.on.clone()))?,
                    label: b.on,
                    action: b.run,
                    desc: b.desc,
                    context: b.context,
                    hint: b.hint,
                })
            })
            .collect::<Result<_, KeymapError>>()?;
        Ok(Keymap { bindings })
    }

    /// The defaults with a user's file laid over them: a user binding replaces any default on the same
    /// key in the same context, and the rest stay.
    pub fn with_overrides(text: &str) -> Result<Keymap, KeymapError> {
        let user = Keymap::from_toml(text)?;
        let mut keymap = Keymap::default_keys();
        keymap.bindings.retain(|d| {
            !user
                .bindings
                .iter()
                .any(|u| u.key == d.key && u.context == d.context)
        });
        keymap.bindings.extend(user.bindings);
        Ok(keymap)
    }

    /// The action for a key: the pane's own binding first, then a global one (not in a pop-up).
    pub fn action(&self, context: Context, key: KeyEvent) -> Option<Action> {
        let key = normalise(key);
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.key == key)
                .map(|b| b.action)
        };
        match context.takes_text() {
            true => find(context),
            false => find(context).or_else(|| find(Context::Global)),
        }
    }

    /// The first key bound to `action` in `context`, as the keymap names it (for a pop-up's own
    /// line of help).
    pub fn label(&self, context: Context, action: Action) -> Option<&str> {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.action == action)
            .map(|b| b.label.as_str())
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The hint bar for a context: its own keys first, then the global ones, one per action.
    /// Bindings that share a hint word share a place ("↑/↓ move").
    /// Read-only, the keys that change records (and marks, which only serve a change) are left
    /// out: they would only be refused.
    pub fn hints(&self, context: Context, readonly: bool) -> Vec<(String, &str)> {
        let mut seen = Vec::new();
        let mut out: Vec<(String, &str)> = Vec::new();
        let own = self.bindings.iter().filter(|b| b.context == context);
        let global = self
            .bindings
            .iter()
            .filter(|b| b.context == Context::Global && !context.takes_text());
        let offered = |a: Action| !(readonly && (a.writes() || a == Action::Mark));
        for b in own.chain(global).filter(|b| offered(b.action)) {
            let Some(hint) = &b.hint else { continue };
            if let Some((keys, _)) = out.iter_mut().find(|(_, h)| *h == hint.as_str()) {
                if !seen.contains(&b.action) {
                    seen.push(b.action);
                    keys.push('/');
                    keys.push_str(glyph(&b.label));
                }
            } else if !seen.contains(&b.action) {
                seen.push(b.action);
                out.push((glyph(&b.label).to_string(), hint.as_str()));
            }
        }
        out
    }
}

/// Arrow keys as the hint bar draws them.
fn glyph(label: &str) -> &str {
    match label {
        "up" => "↑",
        "down" => "↓",
        "left" => "←",
        "right" => "→",
        other => other,
    }
}

/// Shifted characters arrive with SHIFT set on some terminals and not others.
fn normalise(mut key: KeyEvent) -> KeyEvent {
    if let KeyCode::Char(_) = key.code {
        key.modifiers.remove(KeyModifiers::SHIFT);
    }
    key.kind = crossterm::event::KeyEventKind::Press;
    key.state = crossterm::event::KeyEventState::NONE;
    key
}

pub fn parse_key(text: &str) -> Option<KeyEvent> {
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = text;
    loop {
        if let Some(r) = rest.strip_prefix("ctrl-") {
            modifiers |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("alt-") {
            modifiers |= KeyModifiers::ALT;
            rest = r;
        } else {
            break;
        }
    }
    let code = match rest {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" | "shift-tab" => KeyCode::BackTab,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" => KeyCode::Delete,
        f if f.len() > 1 && f.starts_with('f') => KeyCode::F(f[1..].parse().ok()?),
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next()?),
        _ => return None,
    };
    Some(normalise(KeyEvent::new(code, modifiers)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> KeyEvent {
        parse_key(text).unwrap()
    }

    #[test]
    fn pane_bindings_come_before_global_ones() {
        let k = Keymap::default_keys();
        assert_eq!(
            k.action(Context::Tickets, key(">")),
            Some(Action::StatusNext)
        );
        assert_eq!(k.action(Context::Deals, key("enter")), Some(Action::Open));
        assert_eq!(
            k.action(Context::Customers, key("s")),
            Some(Action::SortNext)
        );
        assert_eq!(k.action(Context::Deals, key("q")), Some(Action::Quit));
        assert_eq!(
            k.action(Context::Deals, key("ctrl-p")),
            Some(Action::Finder)
        );
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(k.action(Context::Customers, shifted), Some(Action::Bottom));
    }

    #[test]
    fn a_user_file_overrides_only_what_it_names() {
        let k = Keymap::with_overrides(
            "[[keys]]\non = \"q\"\nrun = \"help\"\ndesc = \"help\"\ncontext = \"global\"\n",
        )
        .unwrap();
        assert_eq!(k.action(Context::Customers, key("q")), Some(Action::Help));
        assert_eq!(k.action(Context::Customers, key("j")), Some(Action::Down));
    }

    #[test]
    fn bad_files_name_the_problem() {
        let err = Keymap::with_overrides(
            "[[keys]]\non = \"ctrl-\"\nrun = \"quit\"\ndesc = \"\"\ncontext = \"global\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("'ctrl-' is not a key"), "{err}");
        let err = Keymap::with_overrides(
            "[[keys]]\non = \"q\"\nrun = \"explode\"\ndesc = \"\"\ncontext = \"global\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("explode"), "{err}");
    }

    #[test]
    fn every_context_has_hints() {
        let k = Keymap::default_keys();
        for ctx in Context::ALL {
            let least = if ctx.takes_text() { 2 } else { 4 };
            assert!(
                k.hints(ctx, false).len() >= least,
                "{ctx:?}: {:?}",
                k.hints(ctx, false)
            );
        }
    }

    #[test]
    fn in_a_pop_up_only_its_own_keys_are_actions() {
        let k = Keymap::default_keys();
        assert_eq!(k.action(Context::Finder, key("q")), None, "q is typed");
        assert_eq!(k.action(Context::Finder, key("esc")), Some(Action::Cancel));
        assert_eq!(k.action(Context::Form, key("tab")), Some(Action::NextField));
        assert_eq!(k.action(Context::Confirm, key("y")), Some(Action::Accept));
        assert!(
            k.hints(Context::Form, false)
                .iter()
                .all(|(key, _)| *key != "q")
        );
    }
}
