//! The pop-ups over the panes (help, quick lookup, forms, questions, the reply box) as a stack, and
//! the live filter. The top one takes the keys: its own bindings in `keymap.toml` are actions, and
//! every other key types into it.

use super::edits::Then;
use super::finder::FinderState;
use super::form::FormState;
use super::input::{Edit, TextInput};
use super::{Action, AppState, Job, Pane, Tone, Write};
use crate::domain::{CustomerId, FieldId};
use crate::search::Kind;
use crate::tui::keymap::Context;
use crate::tui::worker::ViewChange;
use crossterm::event::KeyEvent;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Reply {
        subject: String,
    },
    /// The name to keep what is shown under; `shown` is the saved view on screen, if one is.
    SaveView {
        shown: Option<String>,
    },
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

#[allow(clippy::large_enum_variant)] // a few at most, one per screen
#[derive(Debug)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    /// A timeline entry or other cut-off text, read whole.
    Read {
        title: String,
        text: String,
        scroll: usize,
    },
    Finder(FinderState),
    Form(FormState),
    Confirm(Confirm),
    Prompt(Prompt),
    /// Two customers being made one: which value of each field stays.
    Merge(super::duplicates::MergeChoice),
}

impl Popup {
    pub fn context(&self) -> Context {
        match self {
            Popup::Help { .. } | Popup::Read { .. } => Context::Help,
            Popup::Finder(_) => Context::Finder,
            Popup::Form(_) => Context::Form,
            Popup::Confirm(_) => Context::Confirm,
            Popup::Prompt(p) if matches!(p.kind, PromptKind::SaveView { .. }) => Context::ViewName,
            Popup::Prompt(_) => Context::Prompt,
            Popup::Merge(_) => Context::Merge,
        }
    }
}

/// The customers prepared for the look-alike warning, and the version of the records asked for.
#[derive(Default)]
pub struct LookAlikeIndex {
    pub(super) made: Option<(u64, std::sync::Arc<crate::clean::lookalike::LookAlikes>)>,
    asked: Option<u64>,
}

impl AppState {
    /// Open pop-ups, bottom first: the screen draws them in this order.
    pub fn popups(&self) -> &[Popup] {
        &self.popups
    }

    pub fn finder(&self) -> Option<&FinderState> {
        self.popups.iter().rev().find_map(|p| match p {
            Popup::Finder(f) => Some(f),
            _ => None,
        })
    }

    pub(super) fn finder_mut(&mut self) -> Option<&mut FinderState> {
        self.popups.iter_mut().rev().find_map(|p| match p {
            Popup::Finder(f) => Some(f),
            _ => None,
        })
    }

    pub fn form(&self) -> Option<&FormState> {
        self.popups.iter().rev().find_map(|p| match p {
            Popup::Form(f) => Some(f),
            _ => None,
        })
    }

    pub(super) fn form_mut(&mut self) -> Option<&mut FormState> {
        self.popups.iter_mut().rev().find_map(|p| match p {
            Popup::Form(f) => Some(f),
            _ => None,
        })
    }

    pub fn confirm(&self) -> Option<&Confirm> {
        self.popups.iter().rev().find_map(|p| match p {
            Popup::Confirm(c) => Some(c),
            _ => None,
        })
    }

    pub fn prompt(&self) -> Option<&Prompt> {
        self.popups.iter().rev().find_map(|p| match p {
            Popup::Prompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn help(&self) -> Option<usize> {
        self.popups.iter().rev().find_map(|p| match p {
            Popup::Help { scroll } => Some(*scroll),
            _ => None,
        })
    }

    pub(super) fn open_popup(&mut self, mut popup: Popup) {
        // A rep is told before typing what they may not save; `Ops` checks again at the save.
        if let Popup::Form(form) = &popup
            && form.bulk.is_none()
            && let Some(record) = &form.editing
        {
            let customer_owner = match record {
                crate::ops::Record::Ticket(t) => {
                    self.records.customer(t.customer).and_then(|c| c.owner())
                }
                _ => None,
            };
            if let Err(refused) = self.worker.check_edit(record, customer_owner) {
                self.say(refused.to_string(), Tone::Bad);
                return;
            }
        }
        let mut new_customer = false;
        if let Popup::Form(form) = &mut popup {
            let strict = !self.records.team.is_empty();
            form.offer_owners(self.owners(), strict);
            form.name_customer(&self.records);
            form.name_account(&self.records);
            new_customer = form.typed_customer().is_some();
        }
        self.popups.push(popup);
        // The index for the look-alike warning is made once per version of the records.
        let version = self.records.version;
        let fresh = |v: Option<u64>| v == Some(version);
        if new_customer
            && !fresh(self.look_alikes.made.as_ref().map(|l| l.0))
            && !fresh(self.look_alikes.asked)
        {
            self.look_alikes.asked = Some(version);
            self.send(Job::LookAlikes { version });
        }
    }

    /// Warns, on a new-customer form, when what is typed looks like a customer already there.
    pub(super) fn check_look_alike(&mut self) {
        let index = (self.look_alikes.made.as_ref()).map(|l| std::sync::Arc::clone(&l.1));
        let Some(form) = self.form_mut() else {
            return;
        };
        let (Some(index), Some(typed)) = (index, form.typed_customer()) else {
            return;
        };
        form.look_alike = index.of(&typed).map(|found| found.warning());
    }

    /// Who can own a record: the team, or without one, the owners the deals name and this rep.
    fn owners(&self) -> Vec<String> {
        if !self.records.team.is_empty() {
            return self.records.team.to_vec();
        }
        let mut owners: Vec<String> = self
            .records
            .deals
            .iter()
            .filter_map(|d| d.owner.clone())
            .chain([self.user.clone()])
            .collect();
        owners.sort_by_key(|o| o.to_lowercase());
        owners.dedup();
        owners
    }

    /// Closes every pop-up of the given kind.
    pub(super) fn close_popup(&mut self, context: Context) {
        self.popups.retain(|p| p.context() != context);
    }

    /// The open form, now that it has been saved (or refused to save while not waiting).
    pub(super) fn close_form(&mut self) {
        self.close_popup(Context::Form);
    }

    /// What a key does while a pop-up or the filter is open.
    /// `armed`: the key before was a cancel that kept typed text (which one).
    pub(super) fn popup_key(&mut self, context: Context, key: KeyEvent, armed: Option<&str>) {
        let action = self.keymap.action(context, key);
        match context {
            Context::Help => self.help_key(action),
            Context::Finder => self.finder_key(action, key),
            Context::Confirm => self.confirm_key(action),
            Context::Form => self.form_key(action, key, armed),
            Context::Prompt | Context::ViewName => self.prompt_key(action, key, armed),
            Context::Merge => self.merge_key(action),
            _ => self.filter_key(action, key),
        }
    }

    /// Whether a form or the reply box holds text the rep typed and has not saved.
    pub fn typed_text(&self) -> bool {
        self.popups.iter().any(|p| match p {
            Popup::Form(form) => form.dirty(),
            Popup::Prompt(prompt) => !prompt.input.value.trim().is_empty(),
            _ => false,
        })
    }

    /// A cancel that would drop typed text only warns the first time; pressed again, it drops it.
    pub(super) fn keeps_typed_text(&mut self, armed: Option<&str>, again: &'static str) -> bool {
        if armed == Some(again) || !self.typed_text() {
            return false;
        }
        self.discard_armed = Some(again);
        self.say(
            format!("what you typed is not saved: {again} again to drop it, Enter saves"),
            Tone::Bad,
        );
        true
    }

    fn merge_key(&mut self, action: Option<Action>) {
        let Some(Popup::Merge(choice)) = self.popups.last_mut() else {
            return;
        };
        match action {
            Some(Action::Accept) => {
                if let Some(Popup::Merge(choice)) = self.popups.pop() {
                    self.accept_merge(choice);
                }
            }
            Some(Action::Cancel) => drop(self.popups.pop()),
            Some(action) => choice.act(action),
            None => {}
        }
    }

    fn help_key(&mut self, action: Option<Action>) {
        let (Some(Popup::Help { scroll }) | Some(Popup::Read { scroll, .. })) =
            self.popups.last_mut()
        else {
            return;
        };
        match action {
            Some(Action::Down) => *scroll += 1,
            Some(Action::Up) => *scroll = scroll.saturating_sub(1),
            Some(Action::PageDown) => *scroll += 10,
            Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
            Some(Action::Cancel) => drop(self.popups.pop()),
            _ => {}
        }
    }

    fn finder_key(&mut self, action: Option<Action>, key: KeyEvent) {
        let rows = self.rows;
        if matches!(action, Some(Action::Accept | Action::Up | Action::Down)) {
            // Typing is searched once per batch of keys; moving needs the hits as typed so far.
            self.settle();
        }
        let Some(finder) = self.finder_mut() else {
            return;
        };
        let hits = finder.len();
        match action {
            Some(Action::Cancel) => self.close_popup(Context::Finder),
            Some(Action::Accept) if finder.pick => {
                let Some(entry) = finder.selected().cloned() else {
                    return;
                };
                let customer = match entry.kind {
                    Kind::Customer | Kind::Order => Some(CustomerId(entry.id)),
                    Kind::Deal => self
                        .records
                        .deals
                        .iter()
                        .find(|d| d.id.0 == entry.id)
                        .map(|d| d.customer),
                    Kind::Ticket => self
                        .records
                        .tickets
                        .iter()
                        .find(|t| t.id.0 == entry.id)
                        .map(|t| t.customer),
                    // A business is no customer to pick.
                    Kind::Account => None,
                };
                self.close_popup(Context::Finder);
                let label = customer.map(|c| self.records.customer_label(c));
                if let (Some(label), Some(form)) = (label, self.form_mut())
                    && let Some(field) = form.fields.iter_mut().find(|f| f.key == FieldId::Customer)
                {
                    field.input = TextInput {
                        cursor: label.chars().count(),
                        value: label,
                    };
                    form.edited();
                }
            }
            Some(Action::Accept) => {
                let target = finder.selected().cloned();
                self.close_popup(Context::Finder);
                if let Some(entry) = target {
                    self.jump_to(entry.kind, entry.id);
                }
            }
            Some(Action::Down) => finder.nav.down(hits, rows),
            Some(Action::Up) => finder.nav.up(hits, rows),
            Some(Action::ClearText) => {
                finder.query = TextInput::default();
                finder.stale = true;
            }
            _ => {
                if finder.query.handle(key) == Edit::Changed {
                    finder.stale = true;
                }
            }
        }
    }

    fn confirm_key(&mut self, action: Option<Action>) {
        let Some(Popup::Confirm(confirm)) = self.popups.last() else {
            return;
        };
        match action {
            Some(Action::Accept) => {
                let verb = match confirm.write {
                    Write::Batch(_) => "changing",
                    Write::Delete { .. } => "deleting",
                    _ => "saving",
                };
                let write = confirm.write.clone();
                self.popups.pop();
                self.say(
                    format!("{verb} {}…", self.describe_write(&write)),
                    Tone::Info,
                );
                self.send(Job::Write(write));
            }
            Some(Action::Cancel) => {
                self.popups.pop();
                self.say("kept", Tone::Info);
            }
            _ => {}
        }
    }

    fn form_key(&mut self, action: Option<Action>, key: KeyEvent, armed: Option<&str>) {
        if action == Some(Action::Cancel) && self.keeps_typed_text(armed, "Esc") {
            return;
        }
        let pane = self.pane;
        let Some(form) = self.form_mut() else {
            return;
        };
        if form.saving {
            return;
        }
        match action {
            Some(Action::Cancel) => {
                self.close_form();
                self.say("not saved", Tone::Info);
            }
            Some(Action::NextField) => form.next(),
            Some(Action::ClearText) => {
                form.focused().input = TextInput::default();
                form.edited();
            }
            Some(Action::PrevField) => form.previous(),
            Some(Action::Finder) if form.focused().key == FieldId::Customer => {
                let typed = form.focused().input.value.clone();
                self.pick_customer(&typed);
            }
            Some(Action::Left | Action::Right) if form.cycle(action == Some(Action::Right)) => {
                form.edited();
                self.check_look_alike();
            }
            Some(Action::Accept) if form.bulk.is_some() => {
                let changes = form.bulk_changes();
                if let Err(error) = form.check_owner() {
                    form.error = Some(error);
                } else if changes.is_empty() {
                    form.error = Some((None, "fill in at least one field to change".into()));
                } else if pane == Pane::Customers {
                    form.saving = true;
                    let ids = self.marked.iter().map(|&id| CustomerId(id)).collect();
                    self.fetch(ids, Then::Bulk(changes));
                } else {
                    self.show_bulk_preview(&changes, &[]);
                }
            }
            Some(Action::Accept) => self.save_form(),
            _ => {
                let before = form.focused().input.value.clone();
                form.focused().input.handle(key);
                if form.focused().input.value != before {
                    form.edited();
                    self.check_look_alike();
                }
            }
        }
    }

    fn save_form(&mut self) {
        let (records, now) = (std::sync::Arc::clone(&self.records), self.now);
        let user = self.user.clone();
        let Some(form) = self.form_mut() else {
            return;
        };
        let next = form.next_step(now);
        match form.to_write(&records, now, &user) {
            Ok(write) => {
                form.saving = true;
                form.error = None;
                if let Ok(Some(next)) = next {
                    (self.history).then(Write::Create(crate::tui::worker::Record::Followup(next)));
                }
                self.send(Job::Write(write));
            }
            Err((field, message)) => {
                if let Some(i) = form.fields.iter().position(|f| Some(f.key) == field) {
                    form.focus = i;
                }
                form.error = Some((field, message));
            }
        }
    }

    fn prompt_key(&mut self, action: Option<Action>, key: KeyEvent, armed: Option<&str>) {
        if action == Some(Action::Cancel) && self.keeps_typed_text(armed, "Esc") {
            return;
        }
        let Some(Popup::Prompt(prompt)) = self.popups.last_mut() else {
            return;
        };
        match action {
            Some(Action::Cancel) => {
                self.popups.pop();
                self.say("not saved", Tone::Info);
            }
            Some(Action::ClearText) => prompt.input = TextInput::default(),
            Some(Action::NewLine) if matches!(prompt.kind, PromptKind::Reply { .. }) => {
                prompt.input.insert('\n')
            }
            Some(Action::RenameView | Action::DeleteView) => {
                let text = prompt.input.value.trim().to_string();
                let PromptKind::SaveView { shown } = prompt.kind.clone() else {
                    return;
                };
                let change = match (action, shown) {
                    (Some(Action::DeleteView), _) if !text.is_empty() => ViewChange::Delete(text),
                    (Some(Action::DeleteView), Some(shown)) => ViewChange::Delete(shown),
                    (Some(Action::RenameView), Some(from)) if !text.is_empty() => {
                        ViewChange::Rename { from, to: text }
                    }
                    (Some(Action::RenameView), Some(_)) => {
                        return self.say("type the new name first", Tone::Info);
                    }
                    _ => {
                        return self.say(
                            "no saved view is shown: V steps to one, or type the name to delete",
                            Tone::Info,
                        );
                    }
                };
                self.popups.pop();
                self.send(Job::Views(change));
            }
            Some(Action::Accept) => {
                let text = prompt.input.value.trim().to_string();
                let kind = prompt.kind.clone();
                self.popups.pop();
                if text.is_empty() {
                    self.say("nothing to save: the text is empty", Tone::Bad);
                    return;
                }
                match kind {
                    PromptKind::Reply { .. } => {
                        let effect = self.tickets.reply(&self.user, &text, self.now);
                        self.run(effect);
                    }
                    PromptKind::SaveView { .. } => self.save_view(&text),
                }
            }
            _ => {
                prompt.input.handle(key);
            }
        }
    }

    fn filter_key(&mut self, action: Option<Action>, key: KeyEvent) {
        match action {
            Some(Action::Cancel) => {
                self.customers.filtering = false;
                self.customers.filter = TextInput::default();
                self.customers.refresh_view();
            }
            Some(Action::ClearText) => {
                self.customers.filter = TextInput::default();
                self.customers.refresh_view();
            }
            Some(Action::Accept | Action::Down | Action::Up) => {
                self.customers.filtering = false;
                if action == Some(Action::Accept) {
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

impl AppState {
    /// Pasted text (one event, however long): it goes into the box that has the keys, as text,
    /// never as keys; with no box open it is set aside and the rep told so.
    pub fn handle_paste(&mut self, text: &str) {
        use super::input::{MAX_BOX_CHARS, MAX_FIELD_CHARS};
        let long = |key: FieldId| {
            matches!(
                key,
                FieldId::Text | FieldId::Message | FieldId::Outcome | FieldId::Next
            )
        };
        let (cut, limit) = match self.context() {
            Context::Finder => {
                let Some(finder) = self.finder_mut() else {
                    return;
                };
                finder.stale = true;
                (
                    finder.query.paste(text, false, MAX_FIELD_CHARS),
                    MAX_FIELD_CHARS,
                )
            }
            Context::Filter => {
                let cut = self.customers.filter.paste(text, false, MAX_FIELD_CHARS);
                self.customers.refresh_view();
                (cut, MAX_FIELD_CHARS)
            }
            Context::Form => {
                let Some(form) = self.form_mut() else {
                    return;
                };
                if form.saving {
                    return;
                }
                let field = form.focused();
                if field.strict {
                    self.say("this field takes one of its choices: ←/→ picks", Tone::Info);
                    return;
                }
                let limit = match long(field.key) {
                    true => MAX_BOX_CHARS,
                    false => MAX_FIELD_CHARS,
                };
                let cut = field.input.paste(text, false, limit);
                form.edited();
                self.check_look_alike();
                (cut, limit)
            }
            Context::Prompt | Context::ViewName => {
                let Some(Popup::Prompt(prompt)) = self.popups.last_mut() else {
                    return;
                };
                let (multiline, limit) = match prompt.kind {
                    PromptKind::Reply { .. } => (true, MAX_BOX_CHARS),
                    PromptKind::SaveView { .. } => (false, crate::domain::MAX_VIEW_NAME),
                };
                (prompt.input.paste(text, multiline, limit), limit)
            }
            _ => {
                self.say(
                    "pasted text goes into a box: open a form, a reply, the filter (/) or quick lookup first",
                    Tone::Info,
                );
                return;
            }
        };
        if cut > 0 {
            self.say(
                format!("the box holds at most {limit} characters: {cut} were left out"),
                Tone::Bad,
            );
        }
    }
}
