//! The pop-ups' keys come from the keymap like the panes' do: a user's file rebinds them, the hint
//! bar and help show what is bound, and every key a pop-up does not bind is typed into it.

use crate::common;

use chrono::{TimeZone, Utc};
use common::{press, screen, small_demo, type_text};
use rapport::tui::keymap::Keymap;
use rapport::tui::state::{AppState, Options};
use rapport::tui::worker::Worker;

const USER_KEYS: &str = r#"
[[keys]]
on = "ctrl-s"
run = "accept"
desc = "save"
context = "form"
hint = "save"

[[keys]]
on = "enter"
run = "next_field"
desc = "next field"
context = "form"

[[keys]]
on = "ctrl-j"
run = "down"
desc = "next match"
context = "finder"
"#;

fn app_with(store: &rapport::store::Store, keys: &str) -> AppState {
    let now = Utc.from_utc_datetime(&common::demo_day().and_hms_opt(12, 0, 0).unwrap());
    let mut state = AppState::new(
        Keymap::with_overrides(keys).unwrap(),
        Worker::inline(
            rapport::model::ReadModel::new(store.clone()),
            rapport::ops::Actor::named("sam"),
        ),
        Options {
            readonly: false,
            user: "sam".into(),
            now,
        },
    )
    .unwrap();
    state.resize(24);
    state
}

#[test]
fn a_users_keys_save_a_form_and_show_in_its_hints() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app_with(&store, USER_KEYS);
    press(&mut state, &["j", "a"]);
    let shown = screen(&state, 100, 30);
    let hints = shown.lines().last().unwrap();
    assert!(hints.contains("ctrl-s save"), "{hints}");
    assert!(
        !hints.contains("q quit"),
        "global keys are not actions in a form: {hints}"
    );
    assert!(
        shown.contains("Ctrl-s saves"),
        "the form's own line names the key: {shown}"
    );

    // q and 1 are text here, enter moves on as the user asked, ctrl-s saves.
    type_text(&mut state, "q1 called back");
    press(&mut state, &["enter"]);
    assert!(state.form().is_some(), "enter no longer saves");
    press(&mut state, &["ctrl-s"]);
    assert!(state.form().is_none(), "saved: {:?}", state.status);
    assert!(!state.quit);
    let id = state.customers.selected().unwrap().id();
    let notes = store.notes_of(id).unwrap();
    assert!(
        notes.iter().any(|n| n.text == "q1 called back"),
        "{notes:?}"
    );
}

#[test]
fn a_users_key_moves_in_quick_lookup_and_help_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app_with(&store, USER_KEYS);
    press(&mut state, &["ctrl-p"]);
    type_text(&mut state, "a");
    let first = state.finder().unwrap().nav.selected;
    press(&mut state, &["ctrl-j"]);
    assert_eq!(state.finder().unwrap().nav.selected, first + 1);
    assert_eq!(
        state.finder().unwrap().query.value,
        "a",
        "ctrl-j was not typed"
    );
    press(&mut state, &["esc", "?"]);
    let mut help = String::new();
    for _ in 0..12 {
        help.push_str(&screen(&state, 100, 40));
        press(&mut state, &["pagedown"]);
    }
    for heading in ["Quick lookup", "Forms", "Questions (y/n)", "Reply box"] {
        assert!(help.contains(heading), "help lists {heading}");
    }
    assert!(help.contains("ctrl-j"), "help lists the user's key");
}

#[test]
fn a_question_takes_only_its_own_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = common::app(&store, false);
    let before = state.deals.deals.len();
    press(&mut state, &["2", "d"]);
    assert!(state.confirm().is_some());
    // Keys the question does not bind do nothing, not even quit.
    press(&mut state, &["q", "j", "1"]);
    assert!(state.confirm().is_some() && !state.quit);
    press(&mut state, &["n"]);
    assert!(state.confirm().is_none());
    assert_eq!(state.deals.deals.len(), before, "kept");
}
