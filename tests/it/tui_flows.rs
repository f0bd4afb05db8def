//! What a rep does all day, driven through the app's state with key events, checked on screen and
//! in the store.

use crate::common;

use common::{app, press, screen, small_demo, type_text};
use rapport::domain::*;
use rapport::store::Store;
use rapport::tui::state::Pane;

#[test]
fn find_a_customer_by_part_of_their_name_and_open_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let target: Customer = store.get(17).unwrap().unwrap();
    let mut state = app(&store, false);

    press(&mut state, &["ctrl-p"]);
    // Words in any order, each only a part: "Lovelace Ada" -> "love ad".
    let (first, last) = target.name.split_once(' ').unwrap();
    let query = format!(
        "{} {}",
        &last[..4.min(last.len())].to_lowercase(),
        &first[..2].to_lowercase()
    );
    type_text(&mut state, &query);
    let finder = state.finder().unwrap();
    let hit = finder.selected().expect("the finder has a hit");
    assert!(
        hit.text.contains(&target.name),
        "top hit {:?} for {query:?}",
        hit.text
    );

    // Several customers can share a name; step to ours if another ranks first.
    while state.finder().unwrap().selected().map(|e| e.id) != Some(target.id.0) {
        press(&mut state, &["down"]);
    }
    press(&mut state, &["enter"]);
    let detail = state.detail.as_ref().expect("the customer is open");
    assert_eq!(detail.customer.id, target.id);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains(&target.name), "{shown}");
    assert!(shown.contains("Timeline"), "{shown}");
    press(&mut state, &["esc"]);
    assert!(state.detail.is_none());
    assert_eq!(
        state.customers.selected().unwrap().id(),
        target.id,
        "back on the list at the same customer"
    );
}

#[test]
fn moving_a_deal_from_proposal_to_won_changes_the_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["2", "l", "l"]);
    // The proposal closing soonest counts towards this month's or next month's forecast.
    let (this, next) = state.deals.forecast(state.now);
    let proposals = state.deals.columns[2].clone();
    let target = proposals
        .iter()
        .position(|&i| {
            let d = &state.deals.deals[i];
            let months = d
                .expected_close
                .map(|c| (c - state.now.date_naive()).num_days());
            months.is_some_and(|days| (-5..40).contains(&days))
        })
        .expect("the demo has a proposal closing soon");
    for _ in 0..target {
        press(&mut state, &["j"]);
    }
    let deal = state.deals.selected().unwrap().clone();
    assert_eq!(deal.stage, DealStage::Proposal);

    press(&mut state, &["w"]);
    let (this_after, next_after) = state.deals.forecast(state.now);
    let before = this + next;
    let after = this_after + next_after;
    assert_eq!(
        before.0 - after.0,
        deal.weighted_value().0,
        "the won deal leaves the open forecast"
    );
    assert!(screen(&state, 120, 40).contains(&format!(
        "this month {}",
        rapport::tui::ui::amount(this_after)
    )));

    let saved: Deal = store.get(deal.id.0).unwrap().unwrap();
    assert_eq!(saved.stage, DealStage::Won);
    assert_eq!(saved.probability, 100);
    assert_eq!(
        state.deals.selected().unwrap().id,
        deal.id,
        "the deal stays selected in its new column"
    );
    assert!(
        state.status.as_ref().unwrap().0.contains("saved"),
        "{:?}",
        state.status
    );
}

#[test]
fn closing_a_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["3"]);
    let ticket = state.tickets.selected().unwrap().clone();
    assert!(
        ticket.status.is_active(),
        "the queue starts with active tickets"
    );
    while store.get::<Ticket>(ticket.id.0).unwrap().unwrap().status != TicketStatus::Closed {
        state.tickets.select_ticket(ticket.id, 20);
        press(&mut state, &[">"]);
    }
    assert_eq!(
        state
            .tickets
            .tickets
            .iter()
            .find(|t| t.id == ticket.id)
            .unwrap()
            .status,
        TicketStatus::Closed
    );
    assert_ne!(state.tickets.selected().map(|t| t.id), None);
    let closed_at = state
        .tickets
        .queue
        .iter()
        .position(|&i| state.tickets.tickets[i].id == ticket.id)
        .unwrap();
    let active = state
        .tickets
        .tickets
        .iter()
        .filter(|t| t.status.is_active())
        .count();
    assert!(
        closed_at >= active,
        "a closed ticket leaves the active part of the queue"
    );
}

#[test]
fn a_note_added_is_in_the_timeline_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let customer = {
        let store = small_demo(&path);
        let mut state = app(&store, false);
        press(&mut state, &["enter"]);
        let customer = state.detail.as_ref().unwrap().customer.id;
        press(&mut state, &["a"]);
        type_text(&mut state, "Called: wants 40 lanterns before Christmas");
        press(&mut state, &["enter"]);
        assert!(
            state.form().is_none(),
            "the form closes once the note is written"
        );
        let name = state.detail.as_ref().unwrap().customer.name.clone();
        assert_eq!(
            state.status.as_ref().unwrap().0,
            format!("created note on {name}")
        );
        customer
    };
    let store = Store::open(&path).unwrap();
    let mut state = app(&store, false);
    state.open_customer(customer);
    let timeline = &state.detail.as_ref().unwrap().timeline;
    assert_eq!(
        timeline[0].text, "Called: wants 40 lanterns before Christmas",
        "newest first"
    );
    assert!(screen(&state, 80, 24).contains("Called: wants 40 lanterns"));
}

#[test]
fn readonly_turns_every_write_key_off() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let version = store.data_version().unwrap();
    let mut state = app(&store, true);
    press(&mut state, &["a"]);
    assert!(state.prompt().is_none());
    press(&mut state, &["2", "w", ">", "3", ">", "r"]);
    assert_eq!(
        store.data_version().unwrap(),
        version,
        "nothing was written"
    );
    assert!(state.status.as_ref().unwrap().0.contains("read-only"));
    assert!(screen(&state, 80, 24).contains("read-only"));
}

#[test]
fn filter_narrows_the_customers_live_and_esc_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    let all = state.customers.view.len();
    let name = state.customers.rows[5].name().to_string();
    press(&mut state, &["/"]);
    type_text(&mut state, &name.to_lowercase());
    assert!(state.customers.view.len() < all);
    assert!(state.customers.view.iter().all(|&i| {
        state.customers.rows[i].name() == name
            || state.customers.rows[i]
                .email()
                .contains(&name.to_lowercase().replace(' ', "."))
    }));
    press(&mut state, &["esc"]);
    assert_eq!(state.customers.view.len(), all);
    assert_eq!(state.pane, Pane::Customers);
}

#[test]
fn ctrl_c_and_q_quit() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["ctrl-p"]);
    press(&mut state, &["ctrl-c"]);
    assert!(state.quit, "ctrl-c quits even from the finder");
    let mut state = app(&store, false);
    press(&mut state, &["q"]);
    assert!(state.quit);
}

#[test]
fn a_new_customer_form_shows_errors_by_field_and_undo_takes_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let count = store.count::<Customer>();
    let taken = store.get::<Customer>(3).unwrap().unwrap().email.unwrap();
    let mut state = app(&store, false);

    press(&mut state, &["n"]);
    type_text(&mut state, "Grace Hopper");
    press(&mut state, &["tab", "tab"]);
    type_text(&mut state, "grace.example.com");
    press(&mut state, &["enter"]);
    let form = state.form().expect("a bad email keeps the form open");
    assert_eq!(
        form.error.as_ref().unwrap().0,
        Some(rapport::domain::FieldId::Email)
    );
    assert_eq!(
        form.fields[form.focus].key, "email",
        "focus goes to the field at fault"
    );
    let shown = screen(&state, 80, 24);
    assert!(shown.contains("has no '@'"), "{shown}");

    // An address another customer has is refused by the store, and shown on the same field.
    press(&mut state, &["ctrl-u"]);
    type_text(&mut state, &taken.to_uppercase());
    press(&mut state, &["enter"]);
    let form = state.form().expect("a duplicate email keeps the form open");
    assert_eq!(
        form.error.as_ref().unwrap().0,
        Some(rapport::domain::FieldId::Email)
    );
    assert!(
        form.error
            .as_ref()
            .unwrap()
            .1
            .contains("already belongs to customer 3"),
        "{:?}",
        form.error
    );

    press(&mut state, &["ctrl-u"]);
    type_text(&mut state, "grace@navy.example.mil");
    press(&mut state, &["enter"]);
    assert!(state.form().is_none());
    assert_eq!(store.count::<Customer>(), count + 1);
    assert!(
        state
            .customers
            .rows
            .iter()
            .any(|r| r.name() == "Grace Hopper")
    );

    press(&mut state, &["u"]);
    assert_eq!(
        store.count::<Customer>(),
        count,
        "undo removes the new customer"
    );
    assert!(
        !state
            .customers
            .rows
            .iter()
            .any(|r| r.name() == "Grace Hopper")
    );
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}

#[test]
fn deleting_asks_first_and_undo_restores_the_same_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["2"]);
    let deal = state.deals.selected().unwrap().clone();

    press(&mut state, &["d"]);
    assert!(screen(&state, 80, 24).contains(&format!("Delete deal {}?", deal.title)));
    press(&mut state, &["n"]);
    assert!(
        store.get::<Deal>(deal.id.0).unwrap().is_some(),
        "n keeps it"
    );

    press(&mut state, &["d", "y"]);
    assert!(store.get::<Deal>(deal.id.0).unwrap().is_none());
    assert!(!state.deals.deals.iter().any(|d| d.id == deal.id));

    press(&mut state, &["u"]);
    assert_eq!(
        store.get::<Deal>(deal.id.0).unwrap(),
        Some(deal.clone()),
        "back, same id, same fields"
    );
    assert!(state.deals.deals.iter().any(|d| d.id == deal.id));
    assert!(
        state.status.as_ref().unwrap().0 == format!("done: undo deleting deal {}", deal.title),
        "{:?}",
        state.status
    );
}

#[test]
fn editing_a_deal_and_undoing_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["2"]);
    let deal = state.deals.selected().unwrap().clone();
    press(&mut state, &["e", "tab", "tab", "ctrl-u"]);
    type_text(&mut state, "12345.50");
    press(&mut state, &["enter"]);
    assert_eq!(
        store.get::<Deal>(deal.id.0).unwrap().unwrap().value,
        Money::parse("12345.50").unwrap()
    );
    press(&mut state, &["u"]);
    assert_eq!(
        store.get::<Deal>(deal.id.0).unwrap().unwrap().value,
        deal.value
    );
}

#[test]
fn a_customer_with_history_is_not_deleted_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    let with_orders = state
        .customers
        .view
        .iter()
        .position(|&i| {
            !store
                .orders_of(state.customers.rows[i].id())
                .unwrap()
                .is_empty()
        })
        .unwrap();
    for _ in 0..with_orders {
        press(&mut state, &["j"]);
    }
    press(&mut state, &["d", "y"]);
    let (message, _) = state.status.clone().unwrap();
    assert!(
        message.contains(" order") && message.contains("kept for the books"),
        "{message}"
    );
    assert_eq!(store.count::<Customer>(), 300);
}

#[test]
fn a_burst_of_typing_in_the_finder_is_searched_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["ctrl-p"]);
    let unfiltered: Vec<u64> = state.finder().unwrap().lines().map(|(e, _)| e.id).collect();
    for c in "zzq".chars() {
        state.handle_key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        ));
    }
    let finder = state.finder().unwrap();
    assert!(finder.stale, "keys only mark the query");
    assert_eq!(
        finder.lines().map(|(e, _)| e.id).collect::<Vec<_>>(),
        unfiltered,
        "no search ran per key"
    );
    state.settle();
    let finder = state.finder().unwrap();
    assert!(!finder.stale);
    assert!(finder.is_empty(), "nothing in the demo matches 'zzq'");
}

#[test]
fn a_bulk_change_is_previewed_applied_together_and_undone_together() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["2", "b"]);
    let first_three: Vec<Deal> = state.deals.list[..3]
        .iter()
        .map(|&i| state.deals.deals[i].clone())
        .collect();
    press(&mut state, &["v", "j", "v", "j", "v"]);
    assert_eq!(state.marked.len(), 3);

    press(&mut state, &["e"]);
    assert!(
        state.form().unwrap().bulk.is_some(),
        "e with marks opens the bulk change"
    );
    type_text(&mut state, "zara");
    press(&mut state, &["enter"]);
    let confirm = state.confirm().expect("a preview before anything changes");
    assert_eq!(confirm.details.len(), 3);
    assert!(
        confirm.details.iter().all(|d| d.ends_with("→ zara")),
        "{:?}",
        confirm.details
    );
    assert!(
        first_three
            .iter()
            .all(|d| store.get::<Deal>(d.id.0).unwrap().unwrap().owner != Some("zara".into()))
    );
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("Set owner to 'zara' on these 3?"), "{shown}");

    let version = store.data_version().unwrap();
    press(&mut state, &["y"]);
    assert_eq!(
        store.data_version().unwrap(),
        version + 1,
        "one transaction for the whole batch"
    );
    for d in &first_three {
        assert_eq!(
            store.get::<Deal>(d.id.0).unwrap().unwrap().owner.as_deref(),
            Some("zara")
        );
    }
    assert_eq!(state.marked.len(), 3, "marked still, for the next field");

    // A second pass on the same marks: another field.
    press(&mut state, &["e", "down"]);
    type_text(&mut state, "negotiation");
    assert_eq!(
        state.form().unwrap().bulk_changes(),
        vec![(rapport::domain::FieldId::Stage, "negotiation".to_string())],
        "a field left empty is not changed"
    );
    press(&mut state, &["enter", "y"]);
    for d in &first_three {
        let now = store.get::<Deal>(d.id.0).unwrap().unwrap();
        assert_eq!(
            (now.owner.as_deref(), now.stage),
            (Some("zara"), DealStage::Negotiation)
        );
    }

    press(&mut state, &["u", "u"]);
    for d in &first_three {
        assert_eq!(
            store.get::<Deal>(d.id.0).unwrap().unwrap(),
            *d,
            "undo puts every one back"
        );
    }
}

#[test]
fn a_bulk_change_to_a_value_that_does_not_exist_is_refused_in_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["3", "v", "j", "v", "e", "down"]);
    type_text(&mut state, "whenever");
    press(&mut state, &["enter"]);
    let form = state.form().expect("the form stays open");
    let (field, message) = form.error.clone().unwrap();
    assert_eq!(field, Some(rapport::domain::FieldId::Priority));
    assert!(
        message.contains("is not one of: low, normal, high, urgent"),
        "{message}"
    );
    assert!(state.confirm().is_none());
}

#[test]
fn insights_sections_and_a_customers_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["4"]);
    let engine = state
        .insights
        .engine()
        .cloned()
        .expect("insights computed when the pane opens");
    assert!(screen(&state, 100, 30).contains("Top products"));
    press(&mut state, &["l"]);
    let shown = screen(&state, 100, 30);
    assert!(
        shown.contains("Champions") && shown.contains("Clusters (k-means"),
        "{shown}"
    );
    press(&mut state, &["l"]);
    assert_eq!(state.insights.rule_order.len(), engine.rules.len());
    let lifts: Vec<f64> = state
        .insights
        .rule_order
        .iter()
        .map(|&i| engine.rules[i].lift)
        .collect();
    assert!(
        lifts.windows(2).all(|w| w[0] >= w[1]),
        "rules start sorted by lift"
    );
    press(&mut state, &["s"]);
    let conf: Vec<f64> = state
        .insights
        .rule_order
        .iter()
        .map(|&i| engine.rules[i].confidence)
        .collect();
    assert!(
        conf.windows(2).all(|w| w[0] >= w[1]),
        "s sorts by confidence"
    );
    press(&mut state, &["l"]);
    assert!(screen(&state, 100, 30).contains("Value at risk"));
    press(&mut state, &["l"]);
    assert!(screen(&state, 100, 30).contains("Calls to make"));

    // A customer with purchases shows their segment and reasoned suggestions.
    let buyer = store.all::<Order>().unwrap()[0].customer.unwrap();
    state.open_customer(buyer);
    let detail = state.detail.as_ref().unwrap();
    let insight = detail.insight.as_ref().expect("a buyer has a segment");
    assert_eq!(insight.suggestions.len(), 3);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains(insight.segment.name()), "{shown}");
    assert!(shown.contains("→ "), "{shown}");

    // Reopening the pane without a write answers from the cache: the same bundle.
    press(&mut state, &["esc", "1", "4"]);
    assert!(std::sync::Arc::ptr_eq(
        &engine,
        state.insights.engine().unwrap()
    ));
}

#[test]
fn a_bulk_change_with_nothing_filled_in_says_so_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    let before: Vec<Customer> = store.iter_sound().map(Result::unwrap).collect();
    press(&mut state, &["v", "j", "v", "e", "enter"]);
    let form = state.form().expect("the form stays open");
    let (_, message) = form.error.clone().unwrap();
    assert!(message.contains("fill in at least one field"), "{message}");
    assert!(state.confirm().is_none());
    let after: Vec<Customer> = store.iter_sound().map(Result::unwrap).collect();
    assert_eq!(before, after, "nothing changed");
}

#[test]
fn a_deals_page_shows_its_stages_and_who_moved_it_and_opens_its_customer() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["2", "l"]);
    let deal = state.deals.selected().unwrap().clone();
    assert_eq!(deal.stage, DealStage::Qualified);

    press(&mut state, &["enter"]);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains(&format!("deal #{}", deal.id)), "{shown}");
    assert!(shown.contains("nothing logged yet"), "{shown}");

    // Moves made from the page are the page's deal's, and land in its history at once.
    press(&mut state, &[">", ">"]);
    let saved: Deal = store.get(deal.id.0).unwrap().unwrap();
    assert_eq!(saved.stage, DealStage::Negotiation);
    let page = state.deals.page.as_ref().expect("the page stays open");
    assert_eq!(page.history.len(), 2);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("History · 2 changes"), "{shown}");
    assert!(shown.contains("stage: proposal → negotiation"), "{shown}");
    assert!(shown.contains("probability: 50 → 75"), "{shown}");
    assert!(shown.contains("sam"), "{shown}");
    assert!(
        shown.contains("qualified")
            && shown.contains("→ proposal")
            && shown.contains("→ negotiation"),
        "the stage path: {shown}"
    );

    // Enter goes on to the customer, and Esc comes back the way it came.
    press(&mut state, &["enter"]);
    let detail = state.detail.as_ref().expect("the customer is open");
    assert_eq!(detail.customer.id, deal.customer);
    press(&mut state, &["esc"]);
    assert!(state.detail.is_none());
    assert_eq!(state.pane, Pane::Deals, "back where the rep came from");
    assert_eq!(state.deals.open, Some(deal.id), "on the deal's page");
    press(&mut state, &["esc"]);
    assert_eq!(state.deals.open, None);
    assert!(screen(&state, 100, 30).contains("Forecast"));
}

#[test]
fn a_lost_deal_says_why_and_its_page_keeps_its_notes_and_follow_ups() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["2", "l"]);
    let deal = state.deals.selected().unwrap().clone();
    assert!(deal.stage.is_open());

    // A note and a follow-up made on the deal's page are about the deal.
    press(&mut state, &["enter", "a"]);
    assert!(
        state.form().unwrap().title.contains(&deal.title),
        "the note says which deal"
    );
    type_text(&mut state, "Asked for a second quote");
    press(&mut state, &["enter", "f"]);
    type_text(&mut state, "Send the revised quote");
    press(&mut state, &["enter"]);
    assert!(state.form().is_none(), "{:?}", state.status);
    let page = state.deals.page.as_ref().expect("the page is open");
    assert_eq!(page.notes.len(), 1);
    assert_eq!(page.notes[0].deal, Some(deal.id));
    assert_eq!(page.followups.len(), 1);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("Follow-ups 1 · notes 1"), "{shown}");
    assert!(shown.contains("Asked for a second quote"), "{shown}");
    assert!(shown.contains("Send the revised quote"), "{shown}");

    // x asks why; → offers the usual reasons, and any text is kept as typed.
    press(&mut state, &["x", "right"]);
    let form = state.form().expect("x asks why");
    assert_eq!(form.fields[0].input.value, "price");
    press(&mut state, &["ctrl-u"]);
    type_text(&mut state, "Chose the Leeds supplier");
    press(&mut state, &["enter"]);
    let saved: Deal = store.get(deal.id.0).unwrap().unwrap();
    assert_eq!(saved.stage, DealStage::Lost);
    assert_eq!(
        saved.lost_reason.as_deref(),
        Some("Chose the Leeds supplier")
    );
    let closed = saved.closed.expect("losing dates the deal");
    let shown = screen(&state, 100, 30);
    assert!(
        shown.contains(&format!(
            "lost {} · Chose the Leeds",
            closed.format("%Y-%m-%d")
        )),
        "{shown}"
    );

    // Reopened in the form, it has no reason and no close date.
    press(
        &mut state,
        &["esc", "e", "tab", "tab", "tab", "tab", "ctrl-u"],
    );
    type_text(&mut state, "negotiation");
    press(&mut state, &["enter"]);
    assert!(state.form().is_none(), "{:?}", state.status);
    let reopened: Deal = store.get(deal.id.0).unwrap().unwrap();
    assert_eq!(
        (reopened.stage, reopened.closed, reopened.lost_reason),
        (DealStage::Negotiation, None, None)
    );
}

#[test]
fn a_reply_can_run_over_several_lines() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["3", "enter", "r"]);
    let ticket = state.tickets.open_ticket().unwrap().id;
    type_text(&mut state, "Hello Ada,");
    press(&mut state, &["alt-enter"]);
    type_text(&mut state, "the glass ships Monday.");
    press(&mut state, &["ctrl-n"]);
    type_text(&mut state, "Sam");
    let typing = screen(&state, 80, 24);
    let box_lines: Vec<&str> = typing
        .lines()
        .skip_while(|l| !l.contains("Reply:"))
        .take(5)
        .collect();
    assert!(
        box_lines[1].contains("Hello Ada,")
            && box_lines[2].contains("the glass ships Monday.")
            && box_lines[3].contains("Sam"),
        "the box grows a line at a time: {typing}"
    );
    press(&mut state, &["enter"]);
    assert!(state.prompt().is_none(), "Enter sends");
    let saved: Ticket = store.get(ticket.0).unwrap().unwrap();
    assert_eq!(
        saved.messages.last().unwrap().body,
        "Hello Ada,\nthe glass ships Monday.\nSam"
    );
    let shown = screen(&state, 80, 24);
    let at = shown
        .lines()
        .position(|l| l.contains("Hello Ada,"))
        .expect("the reply is shown");
    let next: Vec<&str> = shown.lines().skip(at + 1).take(2).collect();
    assert!(
        next[0].contains("the glass ships Monday.") && next[1].contains("Sam"),
        "each line on its own row, no ␊: {shown}"
    );
    assert!(!shown.contains('␊'), "{shown}");
}

#[test]
fn a_note_on_the_timeline_is_read_whole_corrected_and_deleted_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let ada = store.iter_sound::<Customer>().next().unwrap().unwrap();
    let long = "Called about the spring order: wants the lantern range in three colours, \
                delivery split over two dates, and a call back once the samples are in";
    let mut note = Note::new(ada.id, NoteKind::Call, long, chrono::Utc::now());
    note.author = Some("bea".into());
    let created = store.create(note).unwrap();
    let note: Note = store.get(created.id.0).unwrap().unwrap();
    let mut state = app(&store, false);
    state.open_customer(ada.id);
    state.settle();
    let at = state
        .detail
        .as_ref()
        .unwrap()
        .timeline
        .iter()
        .position(|i| i.text == long)
        .expect("the note is on the timeline");
    for _ in 0..at {
        press(&mut state, &["j"]);
    }
    let shown = screen(&state, 80, 24);
    assert!(
        !shown.contains("once the samples are in"),
        "cut at 80: {shown}"
    );

    press(&mut state, &["enter"]);
    let shown = screen(&state, 80, 24);
    assert!(
        shown.contains("once the samples are in"),
        "read whole: {shown}"
    );
    assert!(shown.contains("— bea"), "{shown}");
    press(&mut state, &["esc"]);
    assert!(state.popups().is_empty());

    // e corrects the note, not the customer; it keeps its time and author.
    press(&mut state, &["e"]);
    assert_eq!(state.form().unwrap().fields[1].input.value, long);
    press(&mut state, &["ctrl-u"]);
    type_text(&mut state, "Wants the lantern range in three colours");
    press(&mut state, &["enter"]);
    assert!(state.form().is_none(), "{:?}", state.status);
    let saved: Note = store.get(note.id.0).unwrap().unwrap();
    assert_eq!(saved.text, "Wants the lantern range in three colours");
    assert_eq!(
        (saved.at, saved.author.clone()),
        (note.at, note.author.clone())
    );
    assert_eq!(
        state.detail.as_ref().unwrap().selected_note().map(|n| n.id),
        Some(note.id),
        "still selected after the page is read again"
    );

    // d deletes the note (the customer stays), and u brings it back.
    press(&mut state, &["d"]);
    let question = state.confirm().expect("it asks").question.clone();
    assert!(question.contains("Delete the call"), "{question}");
    press(&mut state, &["y"]);
    assert!(store.get::<Note>(note.id.0).unwrap().is_none());
    assert!(store.get::<Customer>(ada.id.0).unwrap().is_some());
    press(&mut state, &["u"]);
    assert_eq!(
        store.get::<Note>(note.id.0).unwrap().unwrap().text,
        "Wants the lantern range in three colours"
    );
}

#[test]
fn c_and_shift_c_copy_the_customers_email_and_phone() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    let row = state.customers.selected().unwrap();
    let (email, phone) = (row.email().to_string(), row.phone().to_string());
    assert!(!email.is_empty() && !phone.is_empty());
    press(&mut state, &["c"]);
    assert_eq!(state.clipboard.take(), Some(email.clone()));
    assert!(state.status.as_ref().unwrap().0.contains(&email));
    press(&mut state, &["enter", "C"]);
    assert_eq!(
        state.clipboard.take(),
        Some(phone),
        "from the customer's page too"
    );
    press(&mut state, &["esc", "2", "c"]);
    assert_eq!(state.clipboard, None, "not a deals key");
}

#[test]
fn customers_sort_by_churn_risk_and_by_value_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    let figures = |state: &rapport::tui::state::AppState, risk: bool| -> Vec<Option<f64>> {
        let c = &state.customers;
        c.view
            .iter()
            .map(|&i| {
                let o = c.outlook(c.rows[i].id()).expect("insights are in")?;
                if risk { o.churn_risk } else { o.value }
            })
            .collect()
    };
    // Name, company, segment, last order, value, deals, tickets, then risk.
    press(&mut state, &["s"; 7]);
    for risk in [true, false] {
        let seen = figures(&state, risk);
        let known: Vec<f64> = seen.iter().flatten().copied().collect();
        assert!(known.len() > 100, "{}", known.len());
        // Highest first, and those without a figure after everyone with one.
        assert!(known.windows(2).all(|w| w[0] >= w[1]), "{known:?}");
        assert!(seen[..known.len()].iter().all(Option::is_some));
        assert!(known[0] > known[known.len() - 1]);
        let shown = screen(&state, 80, 24);
        let header = if risk { "Risk ▼" } else { "Next 12 mo ▼" };
        assert!(shown.contains(header), "{shown}");
        press(&mut state, &["s"]);
    }
}

#[test]
fn the_customer_page_shows_an_address_where_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let state = app(&store, false);
    let id = state.customers.selected().unwrap().id();
    let mut c = store.get::<Customer>(id.0).unwrap().unwrap();
    c.address = Address {
        street: Some("12 Quay Street".into()),
        city: Some("Bristol".into()),
        postcode: Some("BS1 4DJ".into()),
        region: None,
    };
    store.update(&c).unwrap();
    let mut state = app(&store, false);
    press(&mut state, &["enter"]);
    let shown = screen(&state, 100, 30);
    assert!(
        shown.contains("address  12 Quay Street, Bristol BS1 4DJ"),
        "{shown}"
    );
    // The row it takes pushes nothing off the card.
    assert!(shown.contains("owner "), "{shown}");
}

#[test]
fn a_message_belongs_to_the_screen_that_said_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["0", "m"]);
    assert!(state.status.is_some(), "m says whose day is shown");
    press(&mut state, &["j"]);
    assert!(state.status.is_some(), "a move on the same screen keeps it");
    press(&mut state, &["2"]);
    assert_eq!(
        state.status, None,
        "another pane does not show Today's message"
    );
    press(&mut state, &["enter"]);
    assert!(state.deals.open.is_some());
    assert!(!screen(&state, 100, 30).contains("shows yours"));
    // A message said by the key that changed the screen is that screen's.
    press(&mut state, &["e", "enter"]);
    let (said, _) = state.status.clone().expect("the save is said");
    assert!(said.contains("saved"), "{said}");
}

#[test]
fn expected_close_takes_what_due_dates_take_and_x_changes_why_a_deal_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = app(&store, false);
    press(&mut state, &["2"]);
    let deal = state.deals.selected().cloned().unwrap();
    // Expected close is the 8th field of the deal form.
    press(&mut state, &["e"]);
    for _ in 0..6 {
        press(&mut state, &["tab"]);
    }
    let form = state.form().unwrap();
    assert_eq!(form.fields[form.focus].key, "expected_close");
    press(&mut state, &["ctrl-u"]);
    type_text(&mut state, "+2w");
    press(&mut state, &["enter"]);
    let saved: Deal = store.get(deal.id.0).unwrap().unwrap();
    let want = state.now.date_naive() + chrono::Duration::weeks(2);
    assert_eq!(saved.expected_close, Some(want), "{:?}", state.status);

    // Lost with a reason; x again offers that reason, to change.
    press(&mut state, &["x"]);
    type_text(&mut state, "price");
    press(&mut state, &["enter"]);
    let lost: Deal = store.get(deal.id.0).unwrap().unwrap();
    assert_eq!(lost.stage, DealStage::Lost, "{:?}", state.status);
    while state.deals.selected().map(|d| d.id) != Some(deal.id) {
        press(&mut state, &["l"]);
    }
    press(&mut state, &["x"]);
    let form = state
        .form()
        .expect("x on a lost deal opens why it was lost");
    assert_eq!(form.fields[0].input.value, "price");
    press(&mut state, &["ctrl-u"]);
    type_text(&mut state, "timing");
    press(&mut state, &["enter"]);
    let changed: Deal = store.get(deal.id.0).unwrap().unwrap();
    assert_eq!(changed.lost_reason.as_deref(), Some("timing"));
    assert_eq!(changed.closed, lost.closed, "still lost when it was");
}

#[test]
fn a_customers_account_opens_with_its_people_and_enter_opens_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    // An account of several people, and one of them, as the store has them.
    let accounts: Vec<Account> = store.all().unwrap();
    let (account, people) = accounts
        .iter()
        .map(|a| (a, store.contacts_of(a.id).unwrap()))
        .find(|(_, people)| {
            people.len() >= 2
                && people
                    .iter()
                    .any(|p| !store.deals_of(p.id).unwrap().is_empty())
        })
        .expect("the demo has a business of two or more with a deal");
    let revenue = people
        .iter()
        .flat_map(|p| store.orders_of(p.id).unwrap())
        .fold(Money::ZERO, |sum, o| sum + o.total());
    let mut state = app(&store, false);
    state.open_customer(people[0].id);
    state.settle();
    press(&mut state, &["A"]);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains(&account.name), "{shown}");
    assert!(
        shown.contains(&format!("People {}", people.len())),
        "{shown}"
    );
    for p in &people {
        assert!(shown.contains(&p.name), "{}: {shown}", p.name);
    }
    let revenue = format!("{revenue}");
    let (units, cents) = revenue.split_once('.').unwrap();
    let units: i64 = units.parse().unwrap();
    assert!(
        shown.contains(&format!(
            "{}.{cents}",
            rapport::text::thousands(units as usize)
        )),
        "the revenue of all its people ({revenue}):\n{shown}"
    );
    // Its people are listed by name; Enter opens the one selected, Esc comes back to it.
    let mut by_name: Vec<&Customer> = people.iter().collect();
    by_name.sort_by_key(|c| (c.name.to_lowercase(), c.id));
    press(&mut state, &["j", "enter"]);
    let detail = state.detail.as_ref().expect("a person is open");
    assert_eq!(detail.customer.id, by_name[1].id);
    press(&mut state, &["esc"]);
    assert!(screen(&state, 100, 30).contains(&account.name));
    press(&mut state, &["esc"]);
    let table = screen(&state, 100, 30);
    assert!(table.contains("Customers"), "{table}");
    // A deal of one of its people is the account's: its page names both.
    let deal = (store.all::<Deal>().unwrap().into_iter())
        .find(|d| people.iter().any(|p| p.id == d.customer))
        .expect("one of its people has a deal");
    press(&mut state, &["ctrl-p"]);
    type_text(&mut state, &deal.title);
    for _ in 0..50 {
        let at = state.finder().unwrap().selected().map(|e| (e.kind, e.id));
        if at == Some((rapport::search::Kind::Deal, deal.id.0)) {
            break;
        }
        press(&mut state, &["down"]);
    }
    press(&mut state, &["enter"]);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains(&format!("· {}", account.name)), "{shown}");
    press(&mut state, &["esc", "1"]);
    // A person in no account says so, and the table stays.
    let alone: Vec<Customer> = store.all().unwrap();
    let alone = alone.iter().find(|c| c.account.is_none()).unwrap();
    state.open_customer(alone.id);
    state.settle();
    press(&mut state, &["A"]);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("this customer is in no account"), "{shown}");
}

#[test]
fn a_rep_makes_an_account_and_adds_two_people_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let before = store.all::<Account>().unwrap().len();
    let mut state = app(&store, false);
    press(&mut state, &["1", "N"]);
    type_text(&mut state, "Harbour Lights Ltd");
    press(&mut state, &["tab"]);
    type_text(&mut state, "www.HarbourLights.co.uk");
    press(&mut state, &["enter"]);
    let accounts: Vec<Account> = store.all().unwrap();
    assert_eq!(accounts.len(), before + 1);
    let made = accounts
        .iter()
        .find(|a| a.name == "Harbour Lights Ltd")
        .unwrap();
    assert_eq!(made.domain.as_deref(), Some("harbourlights.co.uk"));
    let shown = screen(&state, 100, 30);
    assert!(
        shown.contains("Harbour Lights Ltd · account"),
        "its page opens:\n{shown}"
    );
    for name in ["Maria Lopez", "Tom Reyes"] {
        press(&mut state, &["n"]);
        type_text(&mut state, name);
        press(&mut state, &["enter"]);
    }
    let people = store.contacts_of(made.id).unwrap();
    let mut names: Vec<&str> = people.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Maria Lopez", "Tom Reyes"]);
    assert!(
        people
            .iter()
            .all(|c| c.company.as_deref() == Some("Harbour Lights Ltd")),
        "a new person's company is the account's name"
    );
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("People 2"), "{shown}");
    // e edits the account; a bad domain is refused under its field, and nothing is written.
    press(&mut state, &["e", "tab", "ctrl-u"]);
    type_text(&mut state, "not a domain");
    press(&mut state, &["enter"]);
    let form = screen(&state, 100, 30);
    assert!(form.contains("is not a domain like example.com"), "{form}");
    let again: Account = store.get(made.id.0).unwrap().unwrap();
    assert_eq!(again.domain.as_deref(), Some("harbourlights.co.uk"));
    // Editing a person keeps their account (the form shows it by name).
    press(&mut state, &["esc", "esc", "enter", "e"]);
    let form = screen(&state, 100, 30);
    assert!(
        form.contains(&format!("Harbour Lights Ltd #{}", made.id)),
        "{form}"
    );
    press(&mut state, &["enter"]);
    let person: Customer = store.get(people[0].id.0).unwrap().unwrap();
    assert_eq!(person.account, Some(made.id));
    // Quick lookup finds it by its domain, and opens its page.
    press(&mut state, &["esc", "esc", "ctrl-p"]);
    type_text(&mut state, "harbourlights");
    let hit = state.finder().unwrap().selected().cloned().expect("a hit");
    assert_eq!(hit.kind, rapport::search::Kind::Account);
    assert_eq!(hit.id, made.id.0);
    press(&mut state, &["enter"]);
    let shown = screen(&state, 100, 30);
    assert!(shown.contains("Harbour Lights Ltd · account"), "{shown}");
}
