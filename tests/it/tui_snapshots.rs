//! Every pane, the customer detail, the finder and help, drawn at 80x24 and 120x40 on a small
//! deterministic dataset with a fixed clock. A change to any screen shows up as a snapshot diff.

use crate::common;

use common::{app, press, screen, small_demo, type_text};
use rapport::tui::state::AppState;

fn scenario(name: &str, keys: &[&str], text: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    for (width, height) in [(80u16, 24u16), (120, 40)] {
        let mut state: AppState = app(&store, false);
        state.resize(height);
        press(&mut state, keys);
        if let Some(text) = text {
            type_text(&mut state, text);
        }
        insta::assert_snapshot!(
            format!("{name}_{width}x{height}"),
            screen(&state, width, height)
        );
    }
}

#[test]
fn customers() {
    scenario("customers", &[], None);
}

#[test]
fn customers_sorted_by_value() {
    scenario("customers_by_value", &["s", "s", "s"], None);
}

#[test]
fn customers_sorted_by_churn_risk() {
    scenario("customers_by_risk", &["s"; 7], None);
}

#[test]
fn customer_detail() {
    scenario("detail", &["j", "j", "enter"], None);
}

#[test]
fn deals_board() {
    scenario("deals_board", &["2", "l", "l"], None);
}

#[test]
fn deals_list() {
    scenario("deals_list", &["2", "b"], None);
}

#[test]
fn tickets() {
    scenario("tickets", &["3"], None);
}

#[test]
fn ticket_thread() {
    scenario("ticket_thread", &["3", "enter"], None);
}

#[test]
fn insights() {
    scenario("insights", &["4"], None);
}

#[test]
fn finder() {
    scenario("finder", &["ctrl-p"], Some("ada"));
}

#[test]
fn help() {
    scenario("help", &["?"], None);
}

#[test]
fn note_form() {
    scenario("note_form", &["a"], Some("Asked for the spring catalogue"));
}

#[test]
fn customer_form_with_an_error() {
    scenario(
        "customer_form_error",
        &["n", "tab", "tab", "x", "enter"],
        None,
    );
}

#[test]
fn delete_confirmation() {
    scenario("delete_confirm", &["3", "d"], None);
}

#[test]
fn bulk_change_preview() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    for (width, height) in [(80u16, 24u16), (120, 40)] {
        let mut state = app(&store, false);
        state.resize(height);
        press(&mut state, &["3", "v", "j", "v", "j", "v", "e"]);
        type_text(&mut state, "closed");
        press(&mut state, &["enter"]);
        assert!(state.confirm().is_some());
        insta::assert_snapshot!(
            format!("bulk_preview_{width}x{height}"),
            screen(&state, width, height)
        );
    }
}

#[test]
fn insights_segments() {
    scenario("insights_segments", &["4", "l"], None);
}

#[test]
fn insights_rules() {
    scenario("insights_rules", &["4", "l", "l"], None);
}

#[test]
fn insights_calls() {
    scenario("insights_calls", &["4", "h", "h", "h"], None);
}

#[test]
fn insights_value_at_risk() {
    scenario("insights_value_at_risk", &["4", "l", "l", "l"], None);
}

#[test]
fn today() {
    scenario("today", &["0", "m"], None);
}

#[test]
fn deal_page() {
    scenario("deal_page", &["2", "enter"], None);
}

#[test]
fn followup_form() {
    scenario(
        "followup_form",
        &["j", "f"],
        Some("Call back about the quote"),
    );
}

#[test]
fn insights_pipeline() {
    scenario("insights_pipeline", &["4", "h", "h"], None);
}

#[test]
fn insights_duplicates() {
    scenario("insights_duplicates", &["4", "h"], None);
}
