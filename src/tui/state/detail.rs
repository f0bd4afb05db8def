//! One customer's page as a session shows it: the page the worker read, the timeline entry
//! selected, and what the insights say of the customer.

use super::list::ListNav;
use super::{Action, AppState, Confirm, FormState, Popup, Tone, Write};
use crate::domain::Kind;
use crate::domain::{Customer, Note};
use crate::model::{CustomerPage, Summary, TimelineItem};
use crate::tui::worker::Record;

#[derive(Debug)]
pub struct DetailState {
    pub customer: Customer,
    pub summary: Summary,
    pub timeline: Vec<TimelineItem>,
    /// Open follow-ups, soonest first.
    pub followups: Vec<crate::domain::Followup>,
    pub notes: Vec<Note>,
    /// The timeline entry selected: Enter reads it whole, e and d change a note.
    pub nav: ListNav,
    /// The rep moved into the timeline: until then `e` and `d` are the customer's, not the top
    /// note's (a page opened on a note selected by default, and `e` edited the note).
    pub in_timeline: bool,
    /// Segment, cluster and suggestions; None until the insights are computed, or with no purchases.
    pub insight: Option<crate::insights::CustomerInsight>,
    pub insight_ready: bool,
}

impl DetailState {
    pub fn new(page: CustomerPage) -> DetailState {
        DetailState {
            customer: page.customer,
            summary: page.summary,
            timeline: page.timeline,
            followups: page.followups,
            notes: page.notes,
            nav: ListNav::default(),
            in_timeline: false,
            insight: None,
            insight_ready: false,
        }
    }

    pub fn selected(&self) -> Option<&TimelineItem> {
        self.timeline.get(self.nav.selected)
    }

    /// The note selected in the timeline, if the rep moved into it and a note is selected.
    pub fn selected_note(&self) -> Option<&Note> {
        if !self.in_timeline {
            return None;
        }
        let record = self.selected()?.record?;
        if record.kind != Kind::Note {
            return None;
        }
        self.notes.iter().find(|n| n.id.0 == record.id)
    }

    /// After a newer page of the same customer: the same entry stays selected if it is still
    /// there, else the same row.
    pub fn keep_place(&mut self, old: &DetailState, rows: usize) {
        let at = old
            .selected()
            .and_then(|item| {
                self.timeline
                    .iter()
                    .position(|i| i.record.is_some() && i.record == item.record)
            })
            .unwrap_or(old.nav.selected);
        self.nav = old.nav;
        self.in_timeline = old.in_timeline;
        self.nav.select(at, self.timeline.len(), rows);
    }
}

impl AppState {
    /// `c`/`C`: the email or phone of the customer in view, for the rep's own clipboard.
    pub(super) fn copy_contact(&mut self, action: Action) {
        let Some((customer, _)) = self.customer_in_view() else {
            self.say("choose a customer first", Tone::Info);
            return;
        };
        let Some(row) = self.records.customer(customer) else {
            return;
        };
        let (what, value) = match action {
            Action::CopyPhone => ("phone", row.phone().to_string()),
            _ => ("email", row.email().to_string()),
        };
        if value.is_empty() {
            let name = crate::text::safe(row.name()).into_owned();
            self.say(format!("{name} has no {what} to copy"), Tone::Info);
            return;
        }
        self.say(
            format!(
                "copied {} (to your terminal's clipboard, where it allows)",
                crate::text::safe(&value)
            ),
            Tone::Good,
        );
        self.clipboard = Some(value);
    }

    /// Enter on the customer page: the selected timeline entry, whole.
    pub(super) fn read_entry(&mut self) {
        // Reading an entry chooses it: e and d act on it after.
        if let Some(d) = self.detail.as_mut() {
            d.in_timeline = true;
        }
        let Some(item) = self.detail.as_ref().and_then(DetailState::selected) else {
            return;
        };
        let title = format!(" {} · {} ", item.kind, item.at.format("%Y-%m-%d %H:%M"));
        let text = match self.detail.as_ref().and_then(DetailState::selected_note) {
            Some(note) => {
                let by = note
                    .author
                    .as_deref()
                    .map_or(String::new(), |a| format!("\n\n— {a}"));
                format!("{}{by}", item.text)
            }
            None => item.text.clone(),
        };
        self.open_popup(Popup::Read {
            title,
            text,
            scroll: 0,
        });
    }

    /// `i` on the customer page: the contact card, every field whole, however narrow the screen.
    pub(super) fn read_card(&mut self) {
        let Some(d) = &self.detail else {
            return;
        };
        let c = &d.customer;
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let fields = [
            ("name", c.name.clone()),
            ("company", or_dash(&c.company)),
            ("email", or_dash(&c.email)),
            ("phone", or_dash(&c.phone)),
            ("country", or_dash(&c.country)),
            ("street", or_dash(&c.address.street)),
            ("city", or_dash(&c.address.city)),
            ("postcode", or_dash(&c.address.postcode)),
            ("region", or_dash(&c.address.region)),
            ("owner", or_dash(&c.owner)),
            ("tags", c.tags.join(", ")),
            ("stage", c.stage.name().to_string()),
            (
                "id",
                format!(
                    "{}{}",
                    c.id,
                    c.external_id
                        .as_ref()
                        .map_or(String::new(), |e| format!(" (external {e})"))
                ),
            ),
            ("since", c.created.format("%Y-%m-%d").to_string()),
        ];
        let text = fields
            .iter()
            .map(|(k, v)| format!("{k:<8} {v}"))
            .collect::<Vec<_>>()
            .join("\n");
        let title = format!(" {} ", c.name);
        self.open_popup(Popup::Read {
            title,
            text,
            scroll: 0,
        });
    }

    /// `e` on the customer page: the note selected in the timeline, else the customer.
    pub(super) fn edit_on_page(&mut self) {
        let Some(d) = &self.detail else {
            return;
        };
        let form = match d.selected_note() {
            Some(note) => FormState::edit_note(note, &d.customer.name),
            None => FormState::customer(Some(&d.customer)),
        };
        self.open_popup(Popup::Form(form));
    }

    /// `d` on the customer page with a note selected: that note, to the trash (u undoes it).
    /// None when no note is selected: the customer is the one to delete.
    pub(super) fn delete_note_on_page(&mut self) -> Option<()> {
        let note = self.detail.as_ref()?.selected_note()?.clone();
        if self.readonly {
            self.say("read-only: nothing can be deleted", Tone::Info);
            return Some(());
        }
        self.open_popup(Popup::Confirm(Confirm {
            question: format!(
                "Delete the {} of {}: \"{}\"? (u undoes it) y/n",
                note.kind,
                note.at.format("%Y-%m-%d"),
                crate::text::fit(&note.text, 40)
            ),
            write: Write::Delete {
                record: Record::Note(note),
                notes: Vec::new(),
            },
            details: Vec::new(),
        }));
        Some(())
    }
}
