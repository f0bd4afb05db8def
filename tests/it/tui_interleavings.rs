//! Reps' keys in every pane, interleaved with writes from elsewhere (a command through the control
//! socket, another session, a reload): no session panics, and every selection points at a record
//! the session holds.

use crate::common;

use common::{press, screen, small_demo};
use proptest::prelude::*;
use rapport::domain::{CustomerId, Deal, NoteKind};
use rapport::model::ReadModel;
use rapport::ops::{Actor, Ops};
use rapport::store::{Kind, RecordRef};
use rapport::tui::state::AppState;
use rapport::tui::state::list::ListNav;
use std::sync::Arc;

const KEYS: &[&str] = &[
    "0", "1", "2", "3", "4", "j", "k", "h", "l", "g", "G", "pagedown", "pageup", "enter", "esc",
    "v", "s", "space", "/", "a", "x", "tab", "backtab", "w", "<", ">", "b", "m", "r", "u",
];

#[derive(Clone, Debug)]
enum Step {
    /// A key in one of the two sessions.
    Key(usize, &'static str),
    /// `rapport note` through the socket: a write the model reloads for.
    Note(u64),
    /// A deal or customer deleted elsewhere: the lists get shorter under the selection.
    DeleteDeal(usize),
    DeleteCustomer(usize),
    /// Several reloads at once, from threads, as two CLI writers make them.
    ConcurrentNotes,
    /// A session takes in what arrived.
    Arrive(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..2usize, proptest::sample::select(KEYS)).prop_map(|(s, k)| Step::Key(s, k)),
        2 => (1..40u64).prop_map(Step::Note),
        1 => (0..400usize).prop_map(Step::DeleteDeal),
        1 => (0..400usize).prop_map(Step::DeleteCustomer),
        1 => Just(Step::ConcurrentNotes),
        3 => (0..2usize).prop_map(Step::Arrive),
    ]
}

fn fits(order: &[usize], len: usize, nav: &ListNav) -> bool {
    order.iter().all(|&i| i < len) && (order.is_empty() || nav.selected < order.len())
}

fn check(state: &AppState) -> Result<(), String> {
    let c = &state.customers;
    if !fits(&c.view, c.rows.len(), &c.nav) {
        return Err(format!("customers: {:?} of {}", c.nav, c.view.len()));
    }
    if !state.deals.selections_valid() {
        return Err(format!("deals: {:?}", state.deals));
    }
    let t = &state.tickets;
    if !fits(&t.queue, t.tickets.len(), &t.nav) {
        return Err(format!("tickets: {:?} of {}", t.nav, t.queue.len()));
    }
    for (w, h) in [(100, 30), (80, 24)] {
        screen(state, w, h);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn keys_and_writes_from_elsewhere_never_break_a_session(
        steps in proptest::collection::vec(step(), 1..40)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = small_demo(&dir.path().join("db"));
        let model = ReadModel::new(store.clone());
        let mut sessions = [common::session(&model, "ana"), common::session(&model, "ben")];
        let cli = Ops::shared(Arc::clone(&model), Actor::named("cli"));
        for step in steps {
            match step {
                Step::Key(s, key) => {
                    let state = &mut sessions[s];
                    state.quit = false;
                    press(state, &[key]);
                }
                Step::Note(id) => {
                    let _ = cli.add_note(CustomerId(id), NoteKind::Note, "from the command line");
                }
                Step::DeleteDeal(at) => {
                    let deals = store.all::<Deal>().unwrap();
                    if let Some(d) = deals.get(at % deals.len().max(1)) {
                        cli.delete(RecordRef { kind: Kind::Deal, id: d.id.0 }).unwrap();
                    }
                }
                Step::DeleteCustomer(at) => {
                    let ids: Vec<_> = model.peek().map(|s| s.customers.iter().map(|r| r.id()).collect()).unwrap_or_default();
                    if let Some(id) = ids.get(at % ids.len().max(1)) {
                        // Refused for a customer with orders: that is fine here.
                        let _ = cli.delete(RecordRef { kind: Kind::Customer, id: id.0 });
                    }
                }
                Step::ConcurrentNotes => {
                    let writers: Vec<_> = (0..2)
                        .map(|w| {
                            let cli = cli.clone();
                            std::thread::spawn(move || {
                                for i in 0..4 {
                                    cli.add_note(CustomerId(1 + w * 10 + i), NoteKind::Note, "x").unwrap();
                                }
                            })
                        })
                        .collect();
                    for w in writers {
                        w.join().unwrap();
                    }
                }
                Step::Arrive(s) => sessions[s].take_arrived(),
            }
            for state in &sessions {
                prop_assert!(check(state).is_ok(), "{}", check(state).unwrap_err());
            }
        }
    }
}

/// A snapshot with fewer deal columns than the last (as a reload could hand over): the board
/// keeps a valid place instead of indexing past the end.
#[test]
fn a_board_takes_a_snapshot_with_fewer_columns_or_deals() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store.clone());
    let mut ana = common::session(&model, "ana");
    press(&mut ana, &["2", "l", "j", "j"]);
    assert!(ana.deals.selected().is_some());
    ana.deals.take_records(
        Arc::new(Vec::new()),
        Arc::new(Vec::new()),
        Arc::new(Vec::new()),
        20,
    );
    assert!(ana.deals.selections_valid());
    assert!(ana.deals.selected().is_none());
    press(&mut ana, &["j", "l", "w", "v", "j"]);
    screen(&ana, 100, 30);
    let s = model.load().unwrap();
    ana.deals.take_records(
        Arc::clone(&s.deals),
        Arc::clone(&s.pipeline),
        Arc::clone(&s.deals_by_close),
        20,
    );
    assert!(ana.deals.selections_valid());
    assert!(ana.deals.selected().is_some());
}
