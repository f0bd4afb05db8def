//! Everything a key can do. Keymap files name these in snake_case.

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    PaneCustomers,
    PaneDeals,
    PaneTickets,
    PaneInsights,
    PaneToday,
    /// Only my records, or everyone's.
    ToggleMine,
    AddFollowup,
    Snooze,
    /// The next saved view.
    NextView,
    /// Keep what is shown (pane, filter, mine) as a named view.
    SaveView,
    /// In the view-name box: the view shown takes the name typed.
    RenameView,
    /// In the view-name box: the view named (or the one shown) is deleted.
    DeleteView,
    Up,
    Down,
    Left,
    Right,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Open,
    Back,
    Finder,
    Filter,
    SortNext,
    SortReverse,
    ToggleView,
    StageNext,
    StagePrev,
    MarkWon,
    MarkLost,
    StatusNext,
    StatusPrev,
    Reply,
    AddNote,
    NewRecord,
    NewTicket,
    Edit,
    Delete,
    Undo,
    Mark,
    Refresh,
    /// In a pop-up: go to, save, yes.
    Accept,
    /// In a pop-up: close it, keep nothing.
    Cancel,
    NextField,
    PrevField,
    /// In a text box: empty it.
    ClearText,
    /// In the reply box: start a new line rather than send.
    NewLine,
    /// The customer in view's email or phone, to the rep's clipboard.
    CopyEmail,
    CopyPhone,
    /// Every field of the record in view, whole.
    ReadCard,
    /// The account of the customer in view: its people, deals, tickets and revenue.
    OpenAccount,
    /// A new account (a business); its page opens once it is saved.
    NewAccount,
    /// Two customers made one (Duplicates).
    Merge,
    /// Two customers that look alike are two people (Duplicates).
    NotDuplicate,
    /// The latest merge taken back (Duplicates).
    Unmerge,
}

impl Action {
    /// Up, down, a page, the top or the bottom of whatever is on screen.
    pub fn moves(self) -> bool {
        matches!(
            self,
            Action::Up
                | Action::Down
                | Action::Top
                | Action::Bottom
                | Action::PageUp
                | Action::PageDown
        )
    }

    /// Actions that change data; `--readonly` turns them off.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Action::StageNext
                | Action::StagePrev
                | Action::MarkWon
                | Action::MarkLost
                | Action::StatusNext
                | Action::StatusPrev
                | Action::Reply
                | Action::AddNote
                | Action::AddFollowup
                | Action::Snooze
                | Action::NewRecord
                | Action::NewTicket
                | Action::Edit
                | Action::Delete
                | Action::Undo
                | Action::Merge
                | Action::NotDuplicate
                | Action::Unmerge
        )
    }
}
