//! What a pane asks of its session after an action. A pane changes only its own state; anything
//! beyond it (a write, a pop-up, the status bar, the insights) comes back as an effect.

use super::{AppState, Job, Pane, Popup, Record, Tone, Write};
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
}

impl AppState {
    /// An action that belongs to the pane on screen: the pane takes it and says what follows.
    pub(super) fn pane_action(&mut self, action: Action) {
        if self.detail.is_some() {
            return;
        }
        let effect = match self.pane {
            Pane::Customers => self.customers.act(action),
            Pane::Deals => self.deals.act(action, self.now),
            Pane::Tickets => self.tickets.act(action, self.now),
            Pane::Insights => {
                let effect = self.insights.act(action);
                if self.insights.section == super::Section::Duplicates && !self.duplicates.found {
                    self.find_duplicates();
                }
                effect
            }
            Pane::Today => Effect::None,
        };
        self.run(effect);
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
        }
    }
}
