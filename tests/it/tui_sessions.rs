//! Several reps in one process, as the team server runs them: each session has its own place, the
//! records are shared, and a write in one session reaches every other on its next refresh.

use crate::common;

use common::{press, screen, small_demo, type_text};
use rapport::domain::{Customer, DealStage};
use rapport::model::ReadModel;
use rapport::tui::state::{AppState, Pane};
use std::sync::Arc;

/// Two reps, Ana and Ben, in one process over a small demo.
fn ana_and_ben() -> (tempfile::TempDir, rapport::store::Store, AppState, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store.clone());
    let ana = common::session(&model, "ana");
    let ben = common::session(&model, "ben");
    (dir, store, ana, ben)
}

fn rows_with(state: &AppState, text: &str) -> usize {
    screen(state, 100, 30)
        .lines()
        .filter(|l| l.contains(text))
        .count()
}

#[test]
fn a_write_in_one_session_reaches_the_other_on_its_next_refresh() {
    let (_dir, store, mut ana, mut ben) = ana_and_ben();
    assert!(
        Arc::ptr_eq(&ana.customers.rows, &ben.customers.rows),
        "one copy of the customer rows for both"
    );
    press(&mut ben, &["j", "j", "j", "j", "j"]);
    let ben_on = ben.customers.selected().unwrap().id();

    // Ana renames the company of the third customer.
    press(&mut ana, &["j", "j", "e", "tab", "ctrl-u"]);
    type_text(&mut ana, "Renamed By Ana");
    press(&mut ana, &["enter"]);
    assert!(ana.form().is_none(), "saved: {:?}", ana.status);
    assert_eq!(
        rows_with(&ana, "Renamed By Ana"),
        1,
        "{:?}\n{}",
        ana.status,
        screen(&ana, 100, 30)
    );

    // Ben's screen changes when his session next takes in what arrived, not before.
    assert_eq!(rows_with(&ben, "Renamed By Ana"), 0);
    ben.take_arrived();
    assert_eq!(rows_with(&ben, "Renamed By Ana"), 1);
    assert_eq!(
        ben.customers.selected().unwrap().id(),
        ben_on,
        "Ben's place is his own"
    );
    assert_eq!(ben.pane, Pane::Customers);

    // A new customer and its undo, seen from the other side.
    press(&mut ben, &["n"]);
    type_text(&mut ben, "Zed Newcomer");
    press(&mut ben, &["enter"]);
    ana.take_arrived();
    assert!(screen(&ana, 100, 30).contains("301 of 301"));
    press(&mut ben, &["u"]);
    ana.take_arrived();
    assert!(screen(&ana, 100, 30).contains("300 of 300"));
    let renamed = store
        .iter_sound::<Customer>()
        .map(Result::unwrap)
        .find(|c| c.company.as_deref() == Some("Renamed By Ana"));
    assert!(renamed.is_some(), "the write is in the store");
}

#[test]
fn a_deal_won_in_one_session_moves_on_the_others_board_and_forecast() {
    let (_dir, _, mut ana, mut ben) = ana_and_ben();
    press(&mut ana, &["2", "l", "l"]);
    press(&mut ben, &["2"]);
    let deal = ana.deals.selected().cloned().expect("a deal in proposal");
    assert_eq!(deal.stage, DealStage::Proposal);
    let won_before = ben.deals.column_total(4).0;
    press(&mut ana, &["w"]);
    ben.take_arrived();
    assert_eq!(ben.deals.column_total(4).0, won_before + 1);
    let on_ben = ben.deals.deals.iter().find(|d| d.id == deal.id).unwrap();
    assert_eq!(on_ben.stage, DealStage::Won);
    assert_eq!(ben.deals.column, 0, "Ben's board stays where he looks");
}

#[test]
fn a_deal_moved_in_one_session_shows_in_the_history_on_the_others_open_page() {
    let (_dir, _, mut ana, mut ben) = ana_and_ben();
    press(&mut ana, &["2", "l", "l"]);
    let deal = ana.deals.selected().cloned().expect("a deal in proposal");
    press(&mut ben, &["2", "l", "l", "enter"]);
    assert_eq!(ben.deals.open, Some(deal.id));
    assert!(screen(&ben, 100, 30).contains("nothing logged yet"));
    press(&mut ana, &["w"]);
    ben.take_arrived();
    let page = screen(&ben, 100, 30);
    assert!(page.contains("stage: proposal → won"), "{page}");
    assert!(page.contains("ana"), "who moved it: {page}");
    assert!(page.contains("won · 100%"), "{page}");
    assert_eq!(ben.deals.column, 2, "Ben's board stays where he left it");
}

#[test]
fn a_note_added_in_one_session_shows_on_the_others_open_page() {
    let (_dir, _, mut ana, mut ben) = ana_and_ben();
    press(&mut ana, &["j", "enter"]);
    press(&mut ben, &["j", "enter"]);
    let id = ben
        .detail
        .as_ref()
        .expect("Ben has the page open")
        .customer
        .id;
    assert_eq!(ana.detail.as_ref().unwrap().customer.id, id);
    press(&mut ana, &["a"]);
    type_text(&mut ana, "Called about the spring order");
    press(&mut ana, &["enter"]);
    assert!(ana.form().is_none(), "saved: {:?}", ana.status);
    assert!(!screen(&ben, 100, 30).contains("Called about the spring order"));
    ben.take_arrived();
    let page = screen(&ben, 100, 30);
    assert!(page.contains("Called about the spring order"), "{page}");
}

#[test]
fn a_rep_is_told_why_a_change_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store);
    let mut bea = common::session_as(
        &model,
        rapport::ops::Actor::with_role("bea", rapport::ops::Role::Rep),
    );
    press(&mut bea, &["2", "l", "l"]);
    while bea
        .deals
        .selected()
        .is_some_and(|d| d.owner.as_deref() == Some("bea"))
    {
        press(&mut bea, &["j"]);
    }
    let deal = bea.deals.selected().cloned().expect("another rep's deal");
    assert_ne!(deal.owner.as_deref(), Some("bea"));
    press(&mut bea, &["w"]);
    let (message, _) = bea.status.clone().unwrap();
    assert!(message.contains("'s: you can add a note"), "{message}");
    let still = bea.deals.deals.iter().find(|d| d.id == deal.id).unwrap();
    assert_eq!(still.stage, DealStage::Proposal, "nothing changed");
    assert!(screen(&bea, 100, 30).contains("'s: you can add a note"));
}

#[test]
fn another_reps_write_does_not_move_the_finders_selection() {
    let (_dir, _, mut ana, mut ben) = ana_and_ben();
    press(&mut ben, &["ctrl-p"]);
    type_text(&mut ben, "ma");
    press(&mut ben, &["down", "down", "down"]);
    let picked = ben.finder().unwrap().selected().map(|e| (e.kind, e.id));
    assert!(picked.is_some());
    press(&mut ana, &["j", "e", "tab", "ctrl-u"]);
    type_text(&mut ana, "Elsewhere Ltd");
    press(&mut ana, &["enter"]);
    ben.take_arrived();
    let finder = ben.finder().expect("still open");
    assert_eq!(finder.query.value, "ma");
    assert_eq!(finder.selected().map(|e| (e.kind, e.id)), picked);
}

#[test]
fn the_second_of_two_forms_on_one_record_is_refused_and_keeps_its_text() {
    let (_dir, store, mut ana, mut ben) = ana_and_ben();
    press(&mut ana, &["j", "j", "e", "tab", "ctrl-u"]);
    press(&mut ben, &["j", "j", "e", "tab", "ctrl-u"]);
    type_text(&mut ana, "Ana's Company");
    type_text(&mut ben, "Ben's Company");
    press(&mut ana, &["enter"]);
    assert!(ana.form().is_none(), "{:?}", ana.status);
    ben.take_arrived();
    press(&mut ben, &["enter"]);
    let form = ben.form().expect("Ben's form stays open");
    let (_, message) = form.error.clone().expect("a refusal");
    assert!(message.contains("was changed by ana at "), "{message}");
    assert!(
        form.fields.iter().any(|f| f.input.value == "Ben's Company"),
        "what Ben typed is kept"
    );
    let id = ana.customers.selected().unwrap().id();
    let stored: Customer = store.get(id.0).unwrap().unwrap();
    assert_eq!(stored.company.as_deref(), Some("Ana's Company"));
}

#[test]
fn an_undo_after_a_save_is_not_taken_for_someone_elses_change() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store.clone());
    let mut ana = common::session(&model, "ana");
    press(&mut ana, &["2", "l", "l", ">", ">", "u"]);
    let (message, _) = ana.status.clone().unwrap();
    assert!(message.starts_with("done: undo"), "{message}");
}

#[test]
fn a_deal_won_elsewhere_updates_the_customers_open_deals_in_every_session() {
    let (_dir, _, mut ana, mut ben) = ana_and_ben();
    press(&mut ana, &["2", "l", "l"]);
    let deal = ana.deals.selected().cloned().expect("a deal in proposal");
    let before = ben.customers.summary(deal.customer).unwrap().open_deals;
    assert!(before >= 1);
    press(&mut ana, &["w"]);
    ben.take_arrived();
    assert_eq!(
        ben.customers.summary(deal.customer).unwrap().open_deals,
        before - 1
    );
    assert_eq!(
        ana.customers.summary(deal.customer).unwrap().open_deals,
        before - 1,
        "the writer's own table too"
    );
}

#[test]
fn insights_kept_after_another_reps_write_say_from_when() {
    let (_dir, _store, mut ana, mut ben) = ana_and_ben();
    press(&mut ana, &["4"]);
    assert!(ana.insights.view.is_some());
    assert!(!screen(&ana, 100, 30).contains("as of"));
    press(&mut ben, &["j", "e", "tab", "ctrl-u"]);
    type_text(&mut ben, "Kept Ltd");
    press(&mut ben, &["enter"]);
    ana.take_arrived();
    press(&mut ana, &["1", "4"]);
    let kept = screen(&ana, 100, 30);
    assert!(
        kept.contains("as of") && kept.contains("r recomputes"),
        "{kept}"
    );
    press(&mut ana, &["r"]);
    ana.take_arrived();
    let fresh = screen(&ana, 100, 30);
    assert!(!fresh.contains("as of"), "{fresh}");
}

#[test]
fn a_deal_deleted_under_another_reps_page_or_form_is_named_and_the_text_kept() {
    let (_dir, _, mut ana, mut ben) = ana_and_ben();
    press(&mut ana, &["2"]);
    press(&mut ben, &["2"]);
    let deal = ben.deals.selected().cloned().expect("a deal");
    assert_eq!(ana.deals.selected().map(|d| d.id), Some(deal.id));

    // Ben reads the deal's page; Ana deletes the deal.
    press(&mut ben, &["enter"]);
    assert_eq!(ben.deals.open, Some(deal.id));
    press(&mut ana, &["d", "y"]);
    assert!(
        ana.deals.deals.iter().all(|d| d.id != deal.id),
        "{:?}",
        ana.status
    );
    ben.take_arrived();
    assert_eq!(ben.deals.open, None);
    let (told, _) = ben.status.clone().expect("ben is told");
    assert!(
        told.contains(&format!("deal {} was deleted by ana at", deal.title)),
        "{told}"
    );

    // Ben's form on the next deal: Ana deletes it while he types.
    let next = ben.deals.selected().cloned().expect("another deal");
    press(&mut ana, &["esc"]);
    while ana.deals.selected().map(|d| d.id) != Some(next.id) {
        press(&mut ana, &["j"]);
    }
    press(&mut ben, &["e", "ctrl-u"]);
    type_text(&mut ben, "Ben's new title");
    press(&mut ana, &["d", "y"]);
    ben.take_arrived();
    let form = ben.form().expect("the form stays open");
    let (_, error) = form.error.clone().expect("told before the save");
    assert!(error.contains("was deleted by ana at"), "{error}");
    press(&mut ben, &["enter"]);
    let form = ben.form().expect("the form stays open after the save");
    let (_, error) = form.error.clone().unwrap();
    assert!(error.contains("was deleted by ana at"), "{error}");
    assert!(screen(&ben, 100, 30).contains("Ben's new title"));
}

/// A link like the server's: a frame written when its queue is full is lost, and the next one
/// must be the whole screen. This one loses the frame it is told to, and drains at once.
struct LossyLink {
    frames: std::sync::mpsc::Sender<Vec<u8>>,
    lose_next: Arc<std::sync::atomic::AtomicBool>,
    buffer: Vec<u8>,
    lost: bool,
}

impl std::io::Write for LossyLink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let frame = std::mem::take(&mut self.buffer);
        if frame.is_empty() {
            return Ok(());
        }
        match self
            .lose_next
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            true => self.lost = true,
            false => drop(self.frames.send(frame)),
        }
        Ok(())
    }
}

impl rapport::tui::app::Link for LossyLink {
    fn resync(&mut self) -> bool {
        std::mem::take(&mut self.lost)
    }

    fn owed(&self) -> bool {
        self.lost
    }
}

/// A frame lost on the way is sent again once the link has room, with no key pressed: a rep who
/// only watches (a manager with the board up) still sees another rep's change. Before, the app
/// waited for the next key or change, and the bench saw writes never shown to its watchers.
#[test]
fn a_lost_frame_is_drawn_again_without_waiting_for_a_key() {
    use rapport::tui::app::{Event, event_loop};
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store);
    let mut state = common::session(&model, "ana");
    let (frames, sent) = std::sync::mpsc::channel();
    let lose_next = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let link = LossyLink {
        frames,
        lose_next: Arc::clone(&lose_next),
        buffer: Vec::new(),
        lost: false,
    };
    let (events, rx) = std::sync::mpsc::channel();
    let app = std::thread::spawn(move || {
        let backend = ratatui::backend::CrosstermBackend::new(link);
        let options = ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 100, 30)),
        };
        let mut terminal = ratatui::Terminal::with_options(backend, options).unwrap();
        let depth = rapport::tui::theme::ColorDepth::TrueColor;
        let theme = rapport::tui::theme::Theme::load("default", None, depth).unwrap();
        event_loop(&mut terminal, &mut state, &theme, &rx, false).unwrap()
    });
    let patience = std::time::Duration::from_secs(5);
    sent.recv_timeout(patience).expect("the first frame");
    lose_next.store(true, std::sync::atomic::Ordering::SeqCst);
    let key = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('j'));
    events.send(Event::Key(key)).unwrap();
    // The screen is cleared and drawn whole: the rep's terminal may hold half of the lost frame.
    let mut whole = None;
    while let Ok(frame) = sent.recv_timeout(patience) {
        let text = String::from_utf8_lossy(&frame).into_owned();
        if text.contains("\x1b[2J") {
            whole = Some(text);
            break;
        }
    }
    events.send(Event::End("done".into())).unwrap();
    app.join().unwrap();
    let whole = whole.expect("the lost frame was never drawn again");
    assert!(whole.contains("Customers"), "{whole:?}");
}
