//! Bugs a working day in the app found, each as the rep met it, numbered as they were reported.

use crate::common;

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
    press(&mut state, &[">"]);
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
        if state.finder().unwrap().len() == 1 {
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

#[test]
fn bug_19_a_bulk_change_sets_several_fields_in_one_pass_and_keeps_the_marks() {
    let (_dir, store, mut state) = demo();
    press(&mut state, &["3", "v", "j", "v"]);
    let marked: Vec<u64> = state.marked.iter().copied().collect();
    let before: Vec<Ticket> = marked
        .iter()
        .map(|id| store.get(*id).unwrap().unwrap())
        .collect();
    press(&mut state, &["e"]);
    type_text(&mut state, "resolved");
    press(&mut state, &["down"]);
    type_text(&mut state, "urgent");
    press(&mut state, &["enter"]);
    let confirm = state.confirm().expect("one preview for both fields");
    assert!(
        confirm
            .question
            .contains("status to 'resolved' and set priority to 'urgent'"),
        "{}",
        confirm.question
    );
    assert!(
        confirm
            .details
            .iter()
            .all(|d| d.contains("status ") && d.contains("priority ")),
        "{:?}",
        confirm.details
    );
    let shown = screen(&state, 80, 24);
    let question = state.confirm().unwrap().question.clone();
    assert!(
        question.split(' ').all(|w| shown.contains(w)) && shown.contains(" it)"),
        "the question read whole at 80 columns: {shown}"
    );
    let version = store.data_version().unwrap();
    press(&mut state, &["y"]);
    assert_eq!(store.data_version().unwrap(), version + 1, "one write");
    for id in &marked {
        let t: Ticket = store.get(*id).unwrap().unwrap();
        assert_eq!(
            (t.status, t.priority),
            (TicketStatus::Resolved, Priority::Urgent)
        );
    }
    let kept: Vec<u64> = state.marked.iter().copied().collect();
    assert_eq!(kept, marked, "the marks stay for the next change");
    press(&mut state, &["u"]);
    let after: Vec<Ticket> = marked
        .iter()
        .map(|id| store.get(*id).unwrap().unwrap())
        .collect();
    assert_eq!(after, before, "one undo takes back both fields");
}

#[test]
fn bug_06_a_won_deal_is_not_lost_by_one_key() {
    let (_dir, store, mut state) = demo();
    press(&mut state, &["2", "l", "l", "l", "l"]);
    let deal = state.deals.selected().unwrap().clone();
    assert_eq!(deal.stage, DealStage::Won);
    press(&mut state, &["x"]);
    assert_eq!(
        store.get::<Deal>(deal.id.0).unwrap().unwrap().stage,
        DealStage::Won
    );
    let title = state.form().expect("it asks first, and why").title.clone();
    assert!(title.contains("is won: mark it lost?"), "{title}");
    press(&mut state, &["esc"]);
    assert!(state.form().is_none(), "Esc with nothing typed just closes");
    assert_eq!(
        store.get::<Deal>(deal.id.0).unwrap().unwrap().stage,
        DealStage::Won
    );
    press(&mut state, &["x", "enter"]);
    assert_eq!(
        store.get::<Deal>(deal.id.0).unwrap().unwrap().stage,
        DealStage::Lost
    );
}

#[test]
fn bug_07_a_corrected_field_loses_its_error_and_money_takes_separators() {
    let (_dir, store, mut state) = demo();
    press(&mut state, &["2", "e", "tab", "tab", "ctrl-u"]);
    type_text(&mut state, "4,50");
    press(&mut state, &["enter"]);
    let form = state.form().expect("a bad value keeps the form open");
    assert_eq!(
        form.error.as_ref().unwrap().0,
        Some(rapport::domain::FieldId::Value)
    );
    press(&mut state, &["backspace"]);
    type_text(&mut state, "00");
    assert!(
        state.form().unwrap().error.is_none(),
        "the error goes with the typo"
    );
    let deal = state.deals.selected().unwrap().id;
    press(&mut state, &["enter"]);
    assert!(state.form().is_none(), "{:?}", state.status);
    let saved: Deal = store.get(deal.0).unwrap().unwrap();
    assert_eq!(saved.value, Money::from_units(4500));
}

#[test]
fn bug_11_a_ticket_due_today_is_not_late_in_the_morning() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let morning = common::demo_day().and_hms_opt(10, 0, 0).unwrap().and_utc();
    let customer = store.iter_sound::<Customer>().next().unwrap().unwrap();
    let mut ticket = Ticket::new(
        "Lantern flickers",
        customer.id,
        morning - chrono::Duration::days(1),
    );
    ticket.due = Some(morning - chrono::Duration::hours(1));
    let ticket = store.create(ticket).unwrap();
    let mut state = app(&store, false);
    state.now = morning;
    press(&mut state, &["3"]);
    state.tickets.select_ticket(ticket.id, 20);
    let shown = screen(&state, 120, 30);
    let row = shown
        .lines()
        .find(|l| l.contains("Lantern flickers"))
        .expect("the ticket is listed");
    assert!(!row.contains("late"), "{row}");
}

#[test]
fn bug_14_s_in_tickets_does_not_change_a_ticket() {
    let (_dir, store, mut state) = demo();
    press(&mut state, &["3"]);
    let ticket = state.tickets.selected().unwrap().clone();
    press(&mut state, &["s", "S"]);
    let stored: Ticket = store.get(ticket.id.0).unwrap().unwrap();
    assert_eq!(
        stored.status, ticket.status,
        "s sorts elsewhere; here it does nothing"
    );
    press(&mut state, &[">"]);
    let stored: Ticket = store.get(ticket.id.0).unwrap().unwrap();
    assert_ne!(stored.status, ticket.status, "> moves the status on");
}

#[test]
fn bug_21_read_only_offers_no_changes_and_still_recomputes_insights() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, true);
    let hints = screen(&state, 120, 30).lines().last().unwrap().to_string();
    for change in [" new ", " edit ", " note ", " mark "] {
        assert!(!hints.contains(change), "{change:?} in {hints}");
    }
    assert!(hints.contains("find"), "{hints}");
    press(&mut state, &["4", "r"]);
    let status = state.status.clone().map(|s| s.0).unwrap_or_default();
    assert!(
        !status.contains("read-only") && !status.contains("not"),
        "{status}"
    );
    assert!(state.insights.view.is_some());
}

#[test]
fn bug_02_a_deal_selected_by_a_lookup_or_a_save_is_on_screen() {
    let (_dir, _store, mut state) = demo();
    press(&mut state, &["2"]);
    // 24 rows high, a column shows 17 cards; the 18th is the first below them. The finder and a
    // save both select a deal with `select_deal`.
    let lead = state.deals.columns[0].clone();
    assert!(lead.len() > 18, "the demo has enough leads");
    let deal = state.deals.deals[lead[17]].clone();
    let rows = state.rows;
    state.deals.select_deal(deal.id, rows);
    let shown = screen(&state, 200, 24);
    let card: String = deal.title.chars().take(12).collect();
    let lines_with = |s: &str| s.lines().filter(|l| l.contains(&card)).count();
    assert!(lines_with(&shown) >= 1, "{card:?} on the board: {shown}");
}

#[test]
fn bug_03_a_moved_deal_is_on_screen_in_a_column_scrolled_before() {
    let (_dir, store, mut state) = demo();
    // Leads scrolled to their end, then the biggest qualified deal moved back into them: it
    // lands near the top of the column.
    press(&mut state, &["2", "G", "l", "g"]);
    assert!(
        state.deals.columns[0].len() > 18,
        "the demo has enough leads"
    );
    let deal = state.deals.selected().unwrap().clone();
    press(&mut state, &["<"]);
    state.settle();
    assert_eq!(
        store.get::<Deal>(deal.id.0).unwrap().unwrap().stage,
        DealStage::Lead
    );
    assert_eq!(
        state.deals.selected().map(|d| d.id),
        Some(deal.id),
        "the board follows it"
    );
    let card: String = deal.title.chars().take(12).collect();
    let shown = screen(&state, 200, 24);
    assert!(shown.contains(&card), "{card:?} on the board: {shown}");
    // The column a deal left from its end shows a full column when the rep goes back.
    press(&mut state, &["G", ">"]);
    state.settle();
    press(&mut state, &["h"]);
    let selected = state
        .deals
        .selected()
        .expect("a card selected in the column left")
        .clone();
    let card: String = selected.title.chars().take(12).collect();
    let shown = screen(&state, 200, 24);
    assert!(shown.contains(&card), "{card:?} on the board: {shown}");
}

#[test]
fn bug_09_every_sorted_column_shows_its_arrow() {
    let (_dir, _store, mut state) = demo();
    for _ in 0..7 {
        press(&mut state, &["s"]);
        let title = state.customers.sort.unwrap().title();
        for width in [100, 80] {
            let shown = screen(&state, width, 30);
            let header = shown.lines().find(|l| l.contains("Name")).unwrap();
            assert!(
                header.contains('▼') || header.contains('▲'),
                "{title} at {width}: {header}"
            );
        }
    }
}

#[test]
fn bug_05_a_customer_with_history_is_not_offered_for_deletion() {
    let (_dir, store, mut state) = demo();
    let buyer = state
        .customers
        .view
        .iter()
        .map(|&i| state.customers.rows[i].id())
        .find(|&id| !store.orders_of(id).unwrap().is_empty())
        .expect("a customer who has bought");
    state.customers.select_customer(buyer, 20);
    press(&mut state, &["d"]);
    assert!(
        state.confirm().is_none(),
        "no question whose yes is refused"
    );
    let (message, _) = state.status.clone().unwrap();
    assert!(
        message.contains("order") && message.contains("forget"),
        "{message}"
    );
    assert!(
        screen(&state, 80, 24).contains("`rapport forget` erases them"),
        "read whole at 80 columns"
    );
    assert!(store.get::<Customer>(buyer.0).unwrap().is_some());
}

#[test]
fn bug_15_typed_text_is_not_dropped_by_one_key() {
    let (_dir, _store, mut state) = demo();
    press(&mut state, &["a"]);
    type_text(&mut state, "Call back Friday about the order");
    press(&mut state, &["ctrl-c"]);
    assert!(!state.quit, "the first Ctrl-C keeps the note");
    assert!(state.form().is_some());
    assert!(state.status.as_ref().unwrap().0.contains("Ctrl-C again"));
    press(&mut state, &["esc"]);
    assert!(state.form().is_some(), "Esc asks too");
    press(&mut state, &["esc"]);
    assert!(state.form().is_none(), "asked twice, it goes");

    press(&mut state, &["a", "esc"]);
    assert!(state.form().is_none(), "nothing typed: Esc closes at once");
    press(&mut state, &["a"]);
    type_text(&mut state, "x");
    press(&mut state, &["ctrl-c", "ctrl-c"]);
    assert!(state.quit);
}

#[test]
fn bug_13_pages_do_not_scroll_past_their_end_and_a_reply_is_shown() {
    let (_dir, store, mut state) = demo();
    // The customer with the longest timeline.
    let busiest = store
        .iter_sound::<Customer>()
        .map(Result::unwrap)
        .max_by_key(|c| store.orders_of(c.id).unwrap().len())
        .unwrap();
    state.open_customer(busiest.id);
    for _ in 0..200 {
        press(&mut state, &["j"]);
    }
    let shown = screen(&state, 80, 24);
    let timeline: Vec<&str> = shown
        .lines()
        .skip_while(|l| !l.contains("Timeline"))
        .skip(1)
        .take_while(|l| !l.starts_with('╰'))
        .collect();
    assert!(
        timeline
            .iter()
            .all(|l| l.trim_matches(|c| c == '│' || c == ' ').len() > 1),
        "no blank rows below the last entry: {shown}"
    );
    press(&mut state, &["k"]);
    assert_ne!(
        screen(&state, 80, 24),
        shown,
        "one key back scrolls back at once"
    );

    press(&mut state, &["esc", "3", "enter"]);
    for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] {
        press(&mut state, &["r"]);
        type_text(
            &mut state,
            &format!("A courier brings the new glass on {day} morning"),
        );
        press(&mut state, &["enter"]);
        let shown = screen(&state, 80, 24);
        assert!(
            shown.contains(&format!("glass on {day}")),
            "the reply is in view: {shown}"
        );
    }
}

#[test]
fn bug_10_esc_goes_back_where_the_rep_came_from() {
    let (_dir, _store, mut state) = demo();
    press(&mut state, &["2", "b"]);
    let customer = state.deals.selected().unwrap().customer;
    let name = state.customer_name(customer).to_string();
    press(&mut state, &["ctrl-p"]);
    type_text(&mut state, &name);
    state.settle();
    while state.finder().unwrap().selected().map(|e| e.id) != Some(customer.0) {
        press(&mut state, &["down"]);
    }
    press(&mut state, &["enter"]);
    assert_eq!(state.detail.as_ref().unwrap().customer.id, customer);
    press(&mut state, &["esc"]);
    assert_eq!(
        state.pane,
        Pane::Deals,
        "back in Deals, where the lookup began"
    );
    assert!(state.detail.is_none());
}

#[test]
fn bug_20_an_owner_is_chosen_from_the_team_not_made_by_a_typo() {
    use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    for (seed, name) in [(1u8, "bea"), (2, "dara")] {
        let pair = Ed25519Keypair::from_seed(&[seed; 32]);
        let key = russh::keys::PrivateKey::new(KeypairData::Ed25519(pair), "t").unwrap();
        let public = rapport::team::Key::of(key.public_key()).unwrap();
        rapport::team::add(&store, name, &public, rapport::domain::Role::Rep).unwrap();
    }
    let mut state = app(&store, false);
    // An owner from before the team stays when the rep changes something else.
    press(&mut state, &["2", "e"]);
    let legacy = state.deals.selected().unwrap().owner.clone();
    assert!(
        !matches!(legacy.as_deref(), Some("bea" | "dara")),
        "{legacy:?}"
    );
    type_text(&mut state, " (revised)");
    press(&mut state, &["enter"]);
    assert!(state.form().is_none(), "{:?}", state.status);
    press(&mut state, &["e"]);
    let owner = state
        .form()
        .unwrap()
        .fields
        .iter()
        .position(|f| f.key == "owner")
        .unwrap();
    for _ in 0..owner {
        press(&mut state, &["tab"]);
    }
    press(&mut state, &["ctrl-u"]);
    type_text(&mut state, "daar");
    press(&mut state, &["enter"]);
    let form = state.form().expect("a typo is not saved");
    assert_eq!(
        form.error.as_ref().unwrap().0,
        Some(rapport::domain::FieldId::Owner)
    );
    press(&mut state, &["right"]);
    let chosen = state.form().unwrap().fields[owner].input.value.clone();
    assert!(["bea", "dara"].contains(&chosen.as_str()), "{chosen}");
    let deal = state.deals.selected().unwrap().id;
    press(&mut state, &["enter"]);
    assert!(state.form().is_none(), "{:?}", state.status);
    let saved: Deal = store.get(deal.0).unwrap().unwrap();
    assert_eq!(saved.owner.as_deref(), Some(chosen.as_str()));
}

#[test]
fn bug_16_help_uses_the_width_it_has() {
    let (_dir, _store, mut state) = demo();
    press(&mut state, &["?"]);
    let mut wide = String::new();
    let mut narrow = String::new();
    for _ in 0..20 {
        wide.push_str(&screen(&state, 160, 40));
        narrow.push_str(&screen(&state, 80, 40));
        press(&mut state, &["pagedown"]);
    }
    let long = "open the deal's page (stages, history); there, its customer";
    assert!(wide.contains(long), "whole on one line at 160 columns");
    // Narrower, the description goes on to the next line instead of being cut.
    // (Pages overlap, so some page shows both of its lines.)
    let lines: Vec<&str> = narrow.lines().collect();
    let places: Vec<usize> = (0..lines.len() - 1)
        .filter(|&i| lines[i].contains("open the deal's page"))
        .collect();
    assert!(!places.is_empty(), "listed at 80 columns");
    assert!(
        places
            .iter()
            .any(|&at| lines[at].contains("customer") || lines[at + 1].contains("customer")),
        "wrapped, not cut: {}",
        lines[places[0]]
    );
}

#[test]
fn bug_08_a_form_takes_a_customer_by_name() {
    let (_dir, store, mut state) = demo();
    let customers: Vec<Customer> = store.all().unwrap();
    let count = |name: &str| {
        customers
            .iter()
            .filter(|c| c.name.eq_ignore_ascii_case(name))
            .count()
    };
    let unique = customers
        .iter()
        .rev()
        .find(|c| count(&c.name) == 1)
        .unwrap();
    let shared = customers.iter().find(|c| count(&c.name) > 1).unwrap();
    press(&mut state, &["2", "n"]);
    let form = state.form().unwrap();
    let selected = state.deals.selected().unwrap().customer;
    let field = form
        .fields
        .iter()
        .position(|f| f.key == "customer")
        .unwrap();
    assert_eq!(
        form.fields[field].input.value,
        format!("{} #{selected}", state.customer_name(selected)),
        "the customer is shown by name, not as a bare id"
    );
    type_text(&mut state, "Spring order");
    press(&mut state, &["tab", "ctrl-u"]);
    type_text(&mut state, &shared.name.to_lowercase());
    press(&mut state, &["tab"]);
    type_text(&mut state, "4,500");
    press(&mut state, &["enter"]);
    let (field, why) = state.form().unwrap().error.clone().unwrap();
    assert_eq!(field, Some(rapport::domain::FieldId::Customer));
    assert!(
        why.contains(&format!("#{}", shared.id)),
        "a shared name asks which: {why}"
    );
    // The error put the cursor back in the customer field.
    press(&mut state, &["ctrl-u"]);
    type_text(&mut state, &unique.name);
    press(&mut state, &["enter"]);
    assert!(state.form().is_none(), "{:?}", state.status);
    let deal = store
        .all::<Deal>()
        .unwrap()
        .into_iter()
        .find(|d| d.title == "Spring order")
        .unwrap();
    assert_eq!(deal.customer, unique.id);
}

#[test]
fn bug_08_a_form_chooses_its_customer_through_quick_lookup() {
    let (_dir, store, mut state) = demo();
    let customers: Vec<Customer> = store.all().unwrap();
    let shared = customers
        .iter()
        .find(|c| customers.iter().filter(|o| o.name == c.name).count() > 1)
        .unwrap();
    let twin = customers
        .iter()
        .rev()
        .find(|c| c.name == shared.name)
        .unwrap();
    assert_ne!(shared.id, twin.id);
    press(&mut state, &["3", "n"]);
    let title = state.form().expect("a new ticket").title.clone();
    assert!(title.contains("ticket"), "{title}");
    type_text(&mut state, "Lid does not fit");
    press(&mut state, &["tab", "ctrl-u"]);
    type_text(&mut state, &shared.name);
    // Two share the name: quick lookup, started from what was typed, tells them apart.
    press(&mut state, &["ctrl-p"]);
    let finder = state.finder().expect("quick lookup opens over the form");
    assert!(finder.pick);
    assert_eq!(finder.query.value, shared.name);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("Enter chooses the customer"), "{shown}");
    let mut steps = 0;
    while state.finder().unwrap().selected().map(|e| e.id) != Some(twin.id.0) {
        press(&mut state, &["down"]);
        steps += 1;
        assert!(steps < 50, "the twin is listed: {shown}");
    }
    press(&mut state, &["enter"]);
    assert!(state.finder().is_none());
    let form = state.form().expect("back in the form");
    let field = form.fields.iter().find(|f| f.key == "customer").unwrap();
    assert_eq!(field.input.value, format!("{} #{}", twin.name, twin.id));
    press(&mut state, &["enter"]);
    assert!(state.form().is_none(), "{:?}", state.status);
    let ticket = store
        .all::<Ticket>()
        .unwrap()
        .into_iter()
        .find(|t| t.subject == "Lid does not fit")
        .unwrap();
    assert_eq!(ticket.customer, twin.id);
}

#[test]
fn bug_16_a_long_error_and_a_long_email_read_whole_at_80_columns() {
    let (_dir, store, mut state) = demo();
    let taken = store
        .all::<Customer>()
        .unwrap()
        .into_iter()
        .max_by_key(|c| c.email.as_deref().map_or(0, str::len))
        .unwrap();
    let email = taken.email.clone().unwrap();
    press(&mut state, &["1", "n"]);
    type_text(&mut state, "Ada Copy");
    press(&mut state, &["tab", "tab"]);
    type_text(&mut state, &email);
    press(&mut state, &["enter"]);
    let (_, message) = state.form().unwrap().error.clone().expect("refused");
    assert!(message.len() > 60, "a long message: {message}");
    let shown = screen(&state, 80, 24);
    let joined: String = shown
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = message.split(' ').collect();
    assert!(
        joined.contains(words.last().unwrap()) && !shown.contains('…'),
        "the whole error is on screen: {shown}"
    );
    press(&mut state, &["esc", "esc"]);
    state.open_customer(taken.id);
    state.settle();
    press(&mut state, &["i"]);
    let card = screen(&state, 80, 24);
    assert!(card.contains(&email), "i shows the whole email: {card}");
}

/// A paste in the local app is one event: text in the box that has the keys, set aside elsewhere.
#[test]
fn a_paste_goes_into_the_box_or_is_set_aside_never_run_as_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    let mut app = common::app(&store, false);
    app.handle_paste("d\nq");
    assert!(
        !app.quit && app.popups().is_empty(),
        "the paste ran as keys"
    );
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .0
            .contains("pasted text goes into a box")
    );
    common::press(&mut app, &["/"]);
    app.handle_paste("Ada\r\nCosta");
    assert_eq!(app.customers.filter.value, "Ada Costa");
    let huge = "y".repeat(3 << 20);
    app.handle_paste(&huge);
    assert!(app.customers.filter.value.chars().count() <= 500);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .0
            .contains("at most 500 characters")
    );
}

/// On a customer page, `e` edits the customer until the rep moves into the timeline, even with a
/// note at its top (before, the top note was selected by default and `e` opened the note).
#[test]
fn e_on_a_customer_page_edits_the_customer_until_the_timeline_is_entered() {
    let (_dir, store, mut state) = demo();
    let id = state.customers.selected().unwrap().id();
    let mut note = Note::new(
        id,
        NoteKind::Call,
        "rang about the order",
        chrono::Utc::now(),
    );
    note.author = Some("me".into());
    store.create(note).unwrap();
    press(&mut state, &["enter"]);
    let top = state.detail.as_ref().unwrap().timeline[0].text.clone();
    assert!(top.contains("rang about the order"), "{top}");
    press(&mut state, &["e"]);
    let title = state.form().unwrap().title.clone();
    assert!(title.starts_with("Edit customer"), "{title}");
    press(&mut state, &["esc"]);
    press(&mut state, &["j", "k", "e"]);
    let title = state.form().unwrap().title.clone();
    assert!(title.starts_with("Note on"), "{title}");
    press(&mut state, &["esc"]);
    // `d` likewise: the note only once it is chosen.
    press(&mut state, &["esc", "enter", "d"]);
    let asked = state
        .confirm()
        .map(|c| c.question.clone())
        .unwrap_or_default();
    assert!(!asked.contains("rang about the order"), "{asked}");
}
