//! What a pane asks of its session after an action. A pane changes only its own state; anything
//! beyond it (a write, a pop-up, the status bar, the insights) comes back as an effect.

use super::{AppState, Job, Popup, Record, Tone, Write};
use crate::domain::CustomerId;
use crate::tui::action::Action;

#[allow(clippy::large_enum_variant)] // made and spent at once, one per key
pub enum Effect {
    None,
    Say(String, Tone),
    /// A write for the worker, and what the status bar says while it is made.
    Write {
        write: Write,
        saying: String,
    },
    Open(Popup),
    RefreshInsights,
    /// Something for the worker to read or do; its answer comes back to the session.
    Ask {
        job: Job,
        saying: Option<String>,
    },
    /// A customer's page.
    OpenCustomer(CustomerId),
    /// A record on its own pane: a deal on its page, a ticket's thread.
    Jump(crate::search::Kind, u64),
    /// The customers table, showing only these (a segment, those a rule is about).
    ShowCustomers {
        what: String,
        ids: Vec<CustomerId>,
    },
}

impl Effect {
    /// An update of one record, from `old` to `new`.
    pub fn update(old: Record, new: Record, saying: String) -> Effect {
        Effect::Write {
            write: Write::Update { old, new },
            saying,
        }
    }

    pub fn info(text: impl Into<String>) -> Effect {
        Effect::Say(text.into(), Tone::Info)
    }

    pub fn ask(job: Job) -> Effect {
        Effect::Ask { job, saying: None }
    }
}

impl AppState {
    /// An action that belongs to the pane on screen, not to the page open over it.
    pub(super) fn pane_action(&mut self, action: Action) {
        if self.detail.is_none() {
            self.act_on_pane(action);
        }
    }

    pub(super) fn run(&mut self, effect: Effect) {
        match effect {
            Effect::None => {}
            Effect::Say(text, tone) => self.say(text, tone),
            Effect::Write { write, saying } => {
                self.say(saying, Tone::Info);
                self.send(Job::Write(write));
            }
            Effect::Open(popup) => self.open_popup(popup),
            Effect::RefreshInsights => self.refresh_insights(true),
            Effect::Ask { job, saying } => {
                if let Some(saying) = saying {
                    self.say(saying, Tone::Info);
                }
                self.send(job);
            }
            Effect::OpenCustomer(id) => self.open_customer(id),
            Effect::Jump(kind, id) => self.jump_to(kind, id),
            Effect::ShowCustomers { what, ids } => self.show_only(what, ids),
        }
    }
}
