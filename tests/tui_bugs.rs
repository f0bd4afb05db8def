//! Bugs a working day in the app found, each as the rep met it, numbered as they were reported.

mod common;

use common::{app, press, screen, small_demo, type_text};
use rapport::domain::*;
use rapport::tui::state::{AppState, Pane};

fn demo() -> (tempfile::TempDir, rapport::store::Store, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let state = app(&store, false);
    (dir, store, state)
}

/// Rows of the customers table on screen: lines between the header and the bottom border.
fn table_rows(shown: &str) -> usize {
    shown
        .lines()
        .skip_while(|l| !l.contains("Name"))
        .skip(1)
        .take_while(|l| !l.starts_with('╰'))
        .filter(|l| l.trim_matches(|c| c == '│' || c == ' ').len() > 1)
        .count()
}

#[test]
fn bug_01_a_reversed_sort_from_the_top_still_fills_the_table() {
    let (_dir, _store, mut state) = demo();
    press(&mut state, &["s", "s", "s", "s"]);
    assert_eq!(
        state.customers.sort.map(|s| s.title()),
        Some("Lifetime value")
    );
    press(&mut state, &["g", "S"]);
    let shown = screen(&state, 100, 30);
    assert!(table_rows(&shown) >= 20, "{shown}");
}

#[test]
fn bug_04_undo_says_what_it_undoes_and_in_which_pane() {
    let (_dir, _store, mut state) = demo();
    press(&mut state, &["3"]);
    let ticket = state.tickets.selected().unwrap().clone();
    press(&mut state, &["s"]);
    press(&mut state, &["1", "u"]);
    let (message, _) = state.status.clone().unwrap();
    assert!(
        message.contains(&format!("ticket #{}", ticket.id)) && message.contains("Tickets"),
        "{message}"
    );
    assert_eq!(state.pane, Pane::Customers);
}

#[test]
fn bug_17_one_of_a_thing_is_said_in_the_singular() {
    let (_dir, store, mut state) = demo();
    let one = store
        .iter_sound::<Customer>()
        .map(Result::unwrap)
        .find(|c| {
            store
                .deals_of(c.id)
                .unwrap()
                .iter()
                .filter(|d| d.stage.is_open())
                .count()
                == 1
        })
        .expect("a customer with one open deal");
    state.open_customer(one.id);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("1 deal ·"), "{shown}");
    assert!(!shown.contains("1 deals"), "{shown}");
    press(&mut state, &["esc"]);
    // A lookup with one hit: the name of someone with no deals or tickets to match it too.
    let mut found_one = false;
    for c in store.iter_sound::<Customer>().map(Result::unwrap).take(100) {
        press(&mut state, &["ctrl-p"]);
        type_text(&mut state, &c.name);
        state.settle();
        if state.finder().unwrap().found.hits.len() == 1 {
            let shown = screen(&state, 100, 30);
            assert!(shown.contains("Find · 1 match "), "{shown}");
            found_one = true;
            break;
        }
        press(&mut state, &["esc"]);
    }
    assert!(found_one, "some name is found once");
}

#[test]
fn bug_18_marking_leaves_the_cursor_where_it_is() {
    let (_dir, _store, mut state) = demo();
    let first = state.customers.selected().unwrap().id();
    press(&mut state, &["v"]);
    assert_eq!(state.customers.selected().unwrap().id(), first);
    press(&mut state, &["j", "v"]);
    let second = state.customers.selected().unwrap().id();
    let marked: Vec<u64> = state.marked.iter().copied().collect();
    let mut expected = vec![first.0, second.0];
    expected.sort_unstable();
    assert_eq!(marked, expected, "two rows side by side");
}
