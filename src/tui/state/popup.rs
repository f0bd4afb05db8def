//! The pop-ups over the panes (help, quick lookup, confirm, form, prompt) and the live filter: what
//! each does with a key while it is open.

use super::edits::Then;
use super::input::{Edit, TextInput};
use super::{Action, AppState, Context, Job, Pane, Tone, Write};
use crate::domain::CustomerId;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Reply { subject: String },
}

/// A question that needs a yes before its write goes ahead.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub question: String,
    pub write: Write,
    /// What will change, one line per record, for a bulk change's preview.
    pub details: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: TextInput,
}

impl AppState {
    pub(super) fn help_key(&mut self, key: KeyEvent) {
        let scroll = self.help.get_or_insert(0);
        match self.keymap.action(Context::Global, key) {
            Some(Action::Down) => *scroll += 1,
            Some(Action::Up) => *scroll = scroll.saturating_sub(1),
            Some(Action::PageDown) => *scroll += 10,
            Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
            Some(Action::Help | Action::Back | Action::Quit) => self.help = None,
            _ => {}
        }
    }

    pub(super) fn finder_key(&mut self, key: KeyEvent) {
        let rows = self.rows;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let moving = matches!(key.code, KeyCode::Enter | KeyCode::Up | KeyCode::Down)
            || (ctrl && matches!(key.code, KeyCode::Char('n') | KeyCode::Char('p')));
        if moving {
            self.settle();
        }
        let Some(finder) = self.finder.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => self.finder = None,
            KeyCode::Enter => {
                let target = finder.selected().cloned();
                self.finder = None;
                if let Some(entry) = target {
                    self.jump_to(entry.kind, entry.id);
                }
            }
            KeyCode::Down => finder.nav.down(finder.found.hits.len(), rows),
            KeyCode::Up => finder.nav.up(finder.found.hits.len(), rows),
            KeyCode::Char('n') if ctrl => finder.nav.down(finder.found.hits.len(), rows),
            KeyCode::Char('p') if ctrl => finder.nav.up(finder.found.hits.len(), rows),
            _ => {
                if finder.query.handle(key) == Edit::Changed {
                    finder.stale = true;
                }
            }
        }
    }

    pub(super) fn confirm_key(&mut self, key: KeyEvent) {
        let Some(confirm) = self.confirm.take() else {
            return;
        };
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                let verb = if matches!(confirm.write, Write::Batch(_)) {
                    "changing"
                } else {
                    "deleting"
                };
                self.say(
                    format!("{verb} {}…", self.describe_write(&confirm.write)),
                    Tone::Info,
                );
                self.send(Job::Write(confirm.write));
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => self.say("kept", Tone::Info),
            _ => self.confirm = Some(confirm),
        }
    }

    pub(super) fn form_key(&mut self, key: KeyEvent) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        if form.saving {
            return;
        }
        match key.code {
            KeyCode::Esc => {
                self.form = None;
                self.say("not saved", Tone::Info);
            }
            KeyCode::Tab | KeyCode::Down => form.next(),
            KeyCode::BackTab | KeyCode::Up => form.previous(),
            KeyCode::Left | KeyCode::Right if form.cycle(key.code == KeyCode::Right) => {}
            KeyCode::Enter if form.bulk.is_some() => {
                let (field, value) = form.bulk_change();
                if self.pane == Pane::Customers {
                    form.saving = true;
                    let ids = self.marked.iter().map(|&id| CustomerId(id)).collect();
                    self.fetch(ids, Then::Bulk { field, value });
                } else {
                    self.show_bulk_preview(&field, &value, &[]);
                }
            }
            KeyCode::Enter => match form.to_write(&self.records, self.now, &self.user) {
                Ok(write) => {
                    form.saving = true;
                    form.error = None;
                    self.send(Job::Write(write));
                }
                Err((field, message)) => {
                    if let Some(i) = form.fields.iter().position(|f| Some(f.key) == field) {
                        form.focus = i;
                    }
                    form.error = Some((field, message));
                }
            },
            _ => {
                form.focused().input.handle(key);
            }
        }
    }

    pub(super) fn prompt_key(&mut self, key: KeyEvent) {
        let Some(prompt) = self.prompt.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.prompt = None;
                self.say("not saved", Tone::Info);
            }
            KeyCode::Enter => {
                let prompt = self.prompt.take().expect("prompt is open");
                let text = prompt.input.value.trim().to_string();
                if text.is_empty() {
                    self.say("nothing to save: the text is empty", Tone::Bad);
                    return;
                }
                match prompt.kind {
                    PromptKind::Reply { .. } => {
                        if let Some(t) = self.tickets.with_reply(&self.user, &text, self.now) {
                            self.say("sending reply…", Tone::Info);
                            self.update_ticket(t);
                        }
                    }
                }
            }
            _ => {
                prompt.input.handle(key);
            }
        }
    }

    pub(super) fn filter_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Esc => {
                self.customers.filtering = false;
                self.customers.filter = TextInput::default();
                self.customers.refresh_view();
            }
            KeyCode::Enter | KeyCode::Down | KeyCode::Up => {
                self.customers.filtering = false;
                if key.code == KeyCode::Enter {
                    self.apply(Action::Open);
                }
            }
            _ => {
                if self.customers.filter.handle(key) == Edit::Changed {
                    self.customers.refresh_view();
                }
            }
        }
    }
}
