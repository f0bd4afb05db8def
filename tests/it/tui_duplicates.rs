//! The Duplicates section, driven with keys: a customer written twice is listed side by side,
//! merged with a value chosen from the other record, the merge taken back with `u`, and a pair
//! told apart with `n` is not listed again.

use crate::common;

use common::{app, press, screen, small_demo};
use rapport::domain::*;
use rapport::store::Store;
use rapport::tui::state::{AppState, Section};

/// A second record of customer 17: the name mistyped, the same phone, another email and city.
fn write_twice(store: &Store) -> (Customer, Customer) {
    let original: Customer = store.get(17).unwrap().unwrap();
    let mut twin = original.clone();
    twin.id = CustomerId(0);
    twin.external_id = None;
    twin.name = original.name.replacen(' ', "  ", 1).to_uppercase();
    twin.email = Some("someone.else@example.org".into());
    twin.address.city = Some("Elsewhere".into());
    let twin = store.create(twin).unwrap();
    (original, twin)
}

fn open_duplicates(state: &mut AppState) {
    press(state, &["4"]);
    while state.insights.section != Section::Duplicates {
        press(state, &["l"]);
    }
}

/// The Duplicates section, with the pair of `a` and `b` selected.
fn select_pair(state: &mut AppState, a: CustomerId, b: CustomerId) {
    open_duplicates(state);
    let at = pair_of(state, a, b).expect("the pair is listed");
    for _ in 0..at {
        press(state, &["j"]);
    }
}

fn pair_of(state: &AppState, a: CustomerId, b: CustomerId) -> Option<usize> {
    state
        .insights
        .duplicates
        .pairs
        .iter()
        .position(|p| (p.a.id, p.b.id) == (a.min(b), a.max(b)))
}

#[test]
fn a_customer_written_twice_is_merged_with_a_chosen_value_and_the_merge_taken_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let (original, twin) = write_twice(&store);
    let mut state = app(&store, false);
    select_pair(&mut state, original.id, twin.id);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("Duplicates"), "{shown}");
    assert!(shown.contains("same phone"), "{shown}");
    assert!(shown.contains("someone.else@example.org"), "{shown}");
    // The differing email is marked, whatever the colours.
    let email_row = shown
        .lines()
        .find(|l| l.contains("someone.else@example.org"))
        .unwrap();
    assert!(email_row.contains('≠'), "{email_row}");
    // The name only in another case and spacing: written two ways, one name.
    let name_row = shown
        .lines()
        .find(|l| l.contains(" name ") && l.contains(&twin.name))
        .unwrap();
    assert!(name_row.contains("≈ name"), "{name_row}");

    // The original (smaller id) is on the left and kept; take the twin's city instead of its own.
    press(&mut state, &["m"]);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("Merge two customers"), "{shown}");
    let city = {
        let choice = match state.popups().last() {
            Some(rapport::tui::state::Popup::Merge(c)) => c,
            other => panic!("no merge box: {other:?}"),
        };
        choice
            .conflicts
            .iter()
            .position(|c| c.0 == "city")
            .expect("the cities differ")
    };
    for _ in 0..city {
        press(&mut state, &["j"]);
    }
    press(&mut state, &["space", "enter"]);
    let status = state.status.clone().unwrap().0;
    assert!(status.starts_with("merged"), "{status}");
    let kept: Customer = store.get(original.id.0).unwrap().unwrap();
    assert_eq!(kept.address.city.as_deref(), Some("Elsewhere"));
    assert_eq!(kept.email, original.email, "its own email, not chosen away");
    assert!(store.get::<Customer>(twin.id.0).unwrap().is_none());
    assert!(pair_of(&state, original.id, twin.id).is_none());

    // Restarted: a new session takes the merge back with u.
    drop(state);
    let mut state = app(&store, false);
    open_duplicates(&mut state);
    press(&mut state, &["u"]);
    let status = state.status.clone().unwrap().0;
    assert!(status.contains("is back"), "{status}");
    assert_eq!(
        store.get::<Customer>(twin.id.0).unwrap(),
        Some(twin.clone())
    );
    assert_eq!(
        store.get::<Customer>(original.id.0).unwrap(),
        Some(original)
    );
    assert!(pair_of(&state, CustomerId(17), twin.id).is_some());
}

#[test]
fn two_people_told_apart_are_not_listed_again_and_only_a_manager_tells_them_apart() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let (original, twin) = write_twice(&store);
    let model = rapport::model::ReadModel::new(store.clone());
    let rep = rapport::ops::Actor::with_role("rita", Role::Rep);
    let mut state = common::session_as(&model, rep);
    select_pair(&mut state, original.id, twin.id);
    press(&mut state, &["m"]);
    let status = state.status.clone().unwrap().0;
    assert!(status.contains("not allowed"), "{status}");
    assert!(state.popups().is_empty());

    // "Two people" hides the pair from the whole team: a manager's call, as a merge is.
    press(&mut state, &["n"]);
    let status = state.status.clone().unwrap().0;
    assert!(
        status.contains("only a manager can mark two customers as two people"),
        "{status}"
    );
    assert!(pair_of(&state, original.id, twin.id).is_some());
    let mut state = app(&store, false);
    select_pair(&mut state, original.id, twin.id);
    press(&mut state, &["n"]);
    assert!(pair_of(&state, original.id, twin.id).is_none());
    // Looked for again, and in a new session, the pair stays told apart.
    press(&mut state, &["r"]);
    assert!(pair_of(&state, original.id, twin.id).is_none());
    let mut again = app(&store, false);
    open_duplicates(&mut again);
    assert!(pair_of(&again, original.id, twin.id).is_none());
    assert!(store.get::<Customer>(twin.id.0).unwrap().is_some());
}

#[test]
fn a_merge_is_refused_when_a_record_changed_since_it_was_shown() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let (original, twin) = write_twice(&store);
    let mut state = app(&store, false);
    select_pair(&mut state, original.id, twin.id);
    press(&mut state, &["m"]);
    // Another rep edits the twin meanwhile.
    let mut edited = twin.clone();
    edited.phone = Some("+44 20 7946 0000".into());
    store.update(&edited).unwrap();
    press(&mut state, &["enter"]);
    let (status, tone) = state.status.clone().unwrap();
    assert_eq!(tone, rapport::tui::state::Tone::Bad, "{status}");
    assert_eq!(store.get::<Customer>(twin.id.0).unwrap(), Some(edited));
    assert_eq!(
        store.get::<Customer>(original.id.0).unwrap(),
        Some(original)
    );
}

#[test]
fn a_new_customer_form_warns_when_the_record_looks_like_one_already_there() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let existing: Customer = store.get(17).unwrap().unwrap();
    let phone = existing.phone.clone().expect("demo customers have phones");
    let mut state = app(&store, false);
    press(&mut state, &["1", "n"]);
    common::type_text(&mut state, &existing.name.to_lowercase());
    assert_eq!(
        state.form().unwrap().look_alike,
        None,
        "a name alone is not enough"
    );
    // Name, company, email, phone: the fourth field, written another way.
    press(&mut state, &["tab", "tab", "tab"]);
    common::type_text(&mut state, &phone.replace(' ', "-"));
    let warning = state.form().unwrap().look_alike.clone().expect("a warning");
    assert!(
        warning.starts_with(&format!("looks like {} #17 (", existing.name)),
        "{warning}"
    );
    assert!(warning.contains("same phone"), "{warning}");
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("looks like"), "{shown}");
}

#[test]
fn the_form_warns_of_what_rapport_duplicates_lists_once_it_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    // As the issue typed Bianca Santos: name, company, the phone another way, the street
    // abbreviated, no email.
    let existing: Customer = store
        .iter_sound::<Customer>()
        .map(Result::unwrap)
        .find(|c| c.company.is_some() && c.phone.is_some() && c.address.street.is_some())
        .expect("a demo customer with a company, a phone and a street");
    let street = existing.address.street.clone().unwrap();
    let short = street
        .replace("Lane", "Ln")
        .replace("Road", "Rd")
        .replace("Street", "St");
    let mut state = app(&store, false);
    press(&mut state, &["1", "n"]);
    common::type_text(&mut state, &existing.name);
    press(&mut state, &["tab"]);
    common::type_text(&mut state, existing.company.as_deref().unwrap());
    press(&mut state, &["tab", "tab"]);
    common::type_text(
        &mut state,
        &existing.phone.clone().unwrap().replace(' ', ""),
    );
    press(&mut state, &["tab"]);
    common::type_text(&mut state, &short);
    let warning = state.form().unwrap().look_alike.clone().expect("a warning");
    let said = format!("looks like {} #{} (", existing.name, existing.id);
    assert!(warning.starts_with(&said), "{warning}");
    let score: f64 = warning[said.len()..said.len() + 5].parse().unwrap();

    // Saved, `rapport duplicates` lists the pair with the score the form gave.
    press(&mut state, &["enter"]);
    let pairs = rapport::clean::duplicates(&store, rapport::clean::link::DEFAULT_SCORE)
        .unwrap()
        .pairs;
    let pair = pairs
        .iter()
        .find(|p| p.a == existing.id || p.b == existing.id)
        .unwrap_or_else(|| panic!("not listed: {:?}", state.status));
    assert!(
        (pair.score - score).abs() < 0.01,
        "{pair:?} against {warning}"
    );
}

/// Two managers look at the same pair; `keys` in ana's session take it off her list, and ben's
/// list lets it go as soon as his session takes in the write. Returns the store and the twin.
fn acted_on_in_another_session(keys: &[&str]) -> (tempfile::TempDir, Store, Customer) {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let (original, twin) = write_twice(&store);
    let model = rapport::model::ReadModel::new(store.clone());
    let mut ana = common::session(&model, "ana");
    let mut ben = common::session(&model, "ben");
    select_pair(&mut ana, original.id, twin.id);
    select_pair(&mut ben, original.id, twin.id);
    press(&mut ana, keys);
    assert_eq!(
        pair_of(&ana, original.id, twin.id),
        None,
        "{:?}",
        ana.status
    );
    assert!(pair_of(&ben, original.id, twin.id).is_some());
    ben.take_arrived();
    assert_eq!(pair_of(&ben, original.id, twin.id), None);
    let shown = screen(&ben, 100, 30);
    assert!(!shown.contains(&twin.name), "{shown}");
    (dir, store, twin)
}

/// A merged pair leaves the other manager's list rather than offering a customer in the trash.
#[test]
fn a_pair_merged_in_another_session_leaves_the_list() {
    let (_dir, store, twin) = acted_on_in_another_session(&["m", "enter"]);
    assert!(
        store.get::<Customer>(twin.id.0).unwrap().is_none(),
        "merged"
    );
}

/// A pair one manager marks as two people leaves the other managers' lists at once, as a merge
/// does (before, it stayed until they pressed `r`).
#[test]
fn a_pair_marked_two_people_in_another_session_leaves_the_list() {
    let (_dir, store, twin) = acted_on_in_another_session(&["n"]);
    assert!(
        store.get::<Customer>(twin.id.0).unwrap().is_some(),
        "not merged"
    );
}
