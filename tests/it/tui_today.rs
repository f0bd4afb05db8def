//! A rep's day in the app: a follow-up added from a customer, seen in Today, opened, its outcome
//! logged with the next step scheduled; "mine" narrowing every list.

use crate::common;

use common::{press, screen, session, small_demo, type_text};
use rapport::domain::Followup;
use rapport::model::ReadModel;
use rapport::tui::state::{AppState, Pane};

/// Moves the Today selection to the follow-up whose text is `text`.
fn select_followup(state: &mut AppState, text: &str) {
    for _ in 0..state.today.items.len() {
        if state
            .today
            .selected_followup()
            .is_some_and(|f| f.text == text)
        {
            return;
        }
        press(state, &["j"]);
    }
    panic!(
        "no follow-up '{text}' in Today:\n{}",
        screen(state, 100, 30)
    );
}

#[test]
fn a_follow_up_from_a_customer_is_in_today_and_its_outcome_schedules_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store.clone());
    let mut bea = session(&model, "bea");

    // Only Bea's customers, and the first of them.
    press(&mut bea, &["m"]);
    let first = bea.customers.selected().unwrap();
    assert_eq!(first.owner(), Some("bea"), "mine shows Bea's customers");
    let (customer, name) = (first.id(), first.name().to_string());
    assert!(
        bea.customers
            .view
            .iter()
            .all(|&i| bea.customers.rows[i].owner() == Some("bea"))
    );

    press(&mut bea, &["f"]);
    type_text(&mut bea, "Call back about the quote");
    press(&mut bea, &["tab", "ctrl-u"]);
    type_text(&mut bea, "today 15:00");
    press(&mut bea, &["enter"]);
    assert!(bea.form().is_none(), "saved: {:?}", bea.status);

    press(&mut bea, &["0"]);
    assert_eq!(bea.pane, Pane::Today);
    let shown = screen(&bea, 100, 30);
    assert!(shown.contains("Today · bea"), "{shown}");
    assert!(shown.contains("Call back about the quote"), "{shown}");
    assert!(
        bea.today
            .day
            .followups
            .iter()
            .all(|f| f.owner.as_deref() == Some("bea") && f.is_due_by_tonight(bea.now)),
        "only Bea's, only what is due by tonight"
    );

    // Enter opens the customer, whose page lists it; Esc comes back to Today.
    select_followup(&mut bea, "Call back about the quote");
    press(&mut bea, &["enter"]);
    let page = screen(&bea, 100, 30);
    assert!(
        page.contains(&name) && page.contains("Follow-ups"),
        "{page}"
    );
    assert!(page.contains("Call back about the quote"), "{page}");
    press(&mut bea, &["esc"]);
    assert_eq!(bea.pane, Pane::Today);

    // f logs how it went and schedules the next step.
    select_followup(&mut bea, "Call back about the quote");
    press(&mut bea, &["f"]);
    type_text(&mut bea, "Spoke to them: order on Monday");
    press(&mut bea, &["tab", "tab"]);
    type_text(&mut bea, "+3d");
    press(&mut bea, &["enter"]);
    assert!(bea.form().is_none(), "saved: {:?}", bea.status);
    let all: Vec<Followup> = store.followups_of(customer).unwrap();
    let done = all
        .iter()
        .find(|f| f.text == "Call back about the quote" && !f.is_open())
        .expect("the call is done");
    assert_eq!(
        done.outcome.as_deref(),
        Some("Spoke to them: order on Monday")
    );
    let next = all
        .iter()
        .find(|f| f.text == "Call back about the quote" && f.is_open())
        .expect("and the next step is scheduled");
    assert_eq!(next.due, bea.now + chrono::Duration::days(3));
    assert_eq!(next.owner.as_deref(), Some("bea"));
    let shown = screen(&bea, 100, 30);
    assert!(shown.contains("Coming up"), "{shown}");
    assert!(
        !bea.today
            .day
            .followups
            .iter()
            .any(|f| f.text == "Call back about the quote"),
        "done, it leaves today's list"
    );

    // Each of the two writes is undone on its own, newest first.
    press(&mut bea, &["u"]);
    press(&mut bea, &["u"]);
    let all: Vec<Followup> = store.followups_of(customer).unwrap();
    assert_eq!(
        all.iter()
            .filter(|f| f.text == "Call back about the quote")
            .count(),
        1
    );
    assert!(all.iter().all(Followup::is_open), "{all:?}");

    // m again: everyone's day.
    press(&mut bea, &["m"]);
    assert!(screen(&bea, 100, 30).contains("Today · everyone"));
    assert!(
        bea.today
            .day
            .followups
            .iter()
            .any(|f| f.owner.as_deref() != Some("bea")),
        "everyone's follow-ups"
    );
}

#[test]
fn snoozing_and_a_bad_time_keep_the_rep_in_control() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store.clone());
    let now = session(&model, "x").now;
    let late = store
        .all::<Followup>()
        .unwrap()
        .into_iter()
        .find(|f| f.is_overdue(now))
        .expect("the demo has late follow-ups");
    let mut bea = session(&model, late.owner.as_deref().unwrap());
    press(&mut bea, &["m", "0"]);
    select_followup(&mut bea, &late.text);
    let id = bea.today.selected_followup().unwrap().id;
    let row = bea.today.nav.selected;
    press(&mut bea, &["z"]);
    let snoozed: Followup = store.get(id.0).unwrap().unwrap();
    assert_eq!(
        snoozed.due,
        rapport::domain::next_working_hour(bea.now + chrono::Duration::days(1)),
        "a late one comes back tomorrow, in working hours"
    );
    let hour = chrono::Timelike::hour(&snoozed.due);
    assert!((9..17).contains(&hour), "{}", snoozed.due);
    // The cursor stays on its row: the rep goes on down the list.
    bea.take_arrived();
    assert_eq!(bea.today.nav.selected, row);

    // A time the form cannot read is named at its field, and nothing is written.
    press(&mut bea, &["1", "f"]);
    type_text(&mut bea, "Send the catalogue");
    press(&mut bea, &["tab", "ctrl-u"]);
    type_text(&mut bea, "next tuesdayish");
    let before = store.count::<Followup>();
    press(&mut bea, &["enter"]);
    let form = bea.form().expect("the form stays open");
    let (field, message) = form.error.clone().unwrap();
    assert_eq!(field, Some(rapport::domain::FieldId::Due));
    assert!(message.contains("tomorrow 9:00"), "{message}");
    assert_eq!(store.count::<Followup>(), before);
}

/// "Mine" narrows deals and tickets too: the deal board holds only Bea's deals, the queue only
/// the tickets of her customers.
#[test]
fn mine_narrows_deals_and_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store.clone());
    let mut bea = session(&model, "bea");
    let all_deals: usize = bea.deals.columns.iter().map(Vec::len).sum();
    let all_tickets = bea.tickets.queue.len();
    press(&mut bea, &["2", "m"]);
    let records = std::sync::Arc::clone(&bea.records);
    let mine: Vec<usize> = bea.deals.columns.iter().flatten().copied().collect();
    assert!(
        !mine.is_empty() && mine.len() < all_deals,
        "{} of {all_deals}",
        mine.len()
    );
    assert!(
        mine.iter()
            .all(|&i| records.deals[i].owner.as_deref() == Some("bea"))
    );
    // The forecast line weighs the deals shown: bea's.
    use chrono::Datelike;
    let today = bea.now.date_naive();
    let this_month = |ids: &mut dyn Iterator<Item = &rapport::domain::Deal>| {
        ids.filter(|d| d.stage.is_open())
            .filter(|d| {
                d.expected_close
                    .is_some_and(|c| (c.year(), c.month()) == (today.year(), today.month()))
            })
            .map(|d| d.weighted_value())
            .fold(rapport::domain::Money::ZERO, |a, b| a + b)
    };
    let hers = this_month(&mut mine.iter().map(|&i| &records.deals[i]));
    let everyones = this_month(&mut records.deals.iter());
    assert_ne!(
        hers, everyones,
        "the demo gives others deals this month too"
    );
    assert_eq!(bea.deals.forecast(bea.now).0, hers);
    let owner_of = |t: &rapport::domain::Ticket| {
        records
            .customer(t.customer)
            .and_then(|c| c.owner())
            .map(str::to_string)
    };
    let queue: Vec<usize> = bea.tickets.queue.to_vec();
    assert!(!queue.is_empty() && queue.len() < all_tickets);
    press(&mut bea, &["3"]);
    let active = (queue.iter())
        .filter(|&&i| records.tickets[i].status.is_active())
        .count();
    let shown = common::screen(&bea, 100, 30);
    assert!(
        shown.contains(&format!("Tickets · {active} active")),
        "{shown}"
    );
    assert!(
        queue
            .iter()
            .all(|&i| owner_of(&records.tickets[i]).as_deref() == Some("bea"))
    );
    // A write by someone else keeps the narrowing.
    let mut ana = session(&model, "ana");
    press(&mut ana, &["2", "n"]);
    type_text(&mut ana, "Ana's new deal");
    press(&mut ana, &["tab", "ctrl-u"]);
    type_text(&mut ana, &records.customers[0].id().to_string());
    press(&mut ana, &["tab"]);
    type_text(&mut ana, "100");
    press(&mut ana, &["enter"]);
    bea.take_arrived();
    let records = std::sync::Arc::clone(&bea.records);
    assert!(
        records.deals.iter().any(|d| d.title == "Ana's new deal"),
        "Bea has the new snapshot"
    );
    assert!(
        bea.deals
            .columns
            .iter()
            .flatten()
            .all(|&i| records.deals[i].owner.as_deref() == Some("bea"))
    );
}

/// A caller's number typed as they say it, part of an email, an order number in lower case: each
/// finds its customer in quick lookup, and Enter opens them.
#[test]
fn the_finder_finds_a_caller_by_phone_an_email_and_an_order_number() {
    use rapport::domain::{Customer, Order};
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = common::app(&store, false);
    let customers: Vec<Customer> = store.all().unwrap();
    let caller = customers
        .iter()
        .find(|c| c.phone.as_deref().is_some_and(|p| p.starts_with("+44 ")))
        .expect("the demo has UK numbers");
    // "+44 433 167 2211" as a caller reads it out: "(0433) 167-2211".
    let national = format!("0{}", &caller.phone.as_deref().unwrap()[4..]);
    let mut parts = national.splitn(2, ' ');
    let typed = format!(
        "({}) {}",
        parts.next().unwrap(),
        parts.next().unwrap().replace(' ', "-")
    );
    let open = |state: &mut AppState, typed: &str| {
        press(state, &["ctrl-p"]);
        type_text(state, typed);
        let finder = state.finder().expect("quick lookup is open");
        let top = finder.selected().map(|e| (e.kind, e.id));
        press(state, &["enter"]);
        top
    };
    let top = open(&mut state, &typed);
    assert_eq!(top.map(|t| t.1), Some(caller.id.0), "{typed}");
    assert_eq!(
        state.detail.as_ref().map(|d| d.customer.id),
        Some(caller.id)
    );
    press(&mut state, &["esc"]);

    let with_email = customers.iter().find(|c| c.email.is_some()).unwrap();
    let local = with_email
        .email
        .as_deref()
        .unwrap()
        .split('@')
        .next()
        .unwrap()
        .to_string();
    press(&mut state, &["ctrl-p"]);
    type_text(&mut state, &local);
    let finder = state.finder().unwrap();
    let found: Vec<u64> = (0..finder.len())
        .filter_map(|i| finder.entry(i).map(|e| e.id))
        .collect();
    assert!(found.contains(&with_email.id.0), "{local}: {found:?}");
    press(&mut state, &["esc"]);

    let order = store
        .all::<Order>()
        .unwrap()
        .into_iter()
        .find(|o| o.customer.is_some())
        .unwrap();
    let top = open(&mut state, &order.number.to_lowercase());
    assert_eq!(
        top,
        Some((rapport::search::Kind::Order, order.customer.unwrap().0)),
        "the order is found by its number, first"
    );
    assert_eq!(state.detail.as_ref().map(|d| d.customer.id), order.customer);
}

/// Insights lead somewhere: a segment opens into its customers, a rule into the customers who
/// bought its left side and not its right, a call to make into its customer.
#[test]
fn insights_open_into_the_customers_they_are_about() {
    use rapport::insights::Segment;
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut state = common::app(&store, false);
    press(&mut state, &["4", "l", "j"]);
    let view = state.insights.view.clone().expect("insights computed");
    press(&mut state, &["enter"]);
    assert_eq!(state.pane, Pane::Customers);
    let loyal: Vec<_> = view
        .segments
        .iter()
        .filter(|(_, s)| **s == Segment::Loyal)
        .map(|(id, _)| *id)
        .collect();
    assert!(!loyal.is_empty());
    let shown: Vec<_> = state
        .customers
        .view
        .iter()
        .map(|&i| state.customers.rows[i].id())
        .collect();
    assert_eq!(
        shown.len(),
        loyal.len(),
        "every Loyal customer, no one else"
    );
    assert!(shown.iter().all(|id| loyal.contains(id)));
    assert!(screen(&state, 100, 30).contains("Loyal: buys often"));
    press(&mut state, &["esc"]);
    assert_eq!(
        state.customers.view.len(),
        state.customers.rows.len(),
        "esc shows everyone"
    );

    press(&mut state, &["4", "l", "enter"]);
    let rule = &view.engine.rules[state.insights.rule_order[0]];
    let expected = view
        .engine
        .model
        .bought_but_not(&rule.antecedent, rule.consequent);
    let shown: Vec<_> = state
        .customers
        .view
        .iter()
        .map(|&i| state.customers.rows[i].id())
        .collect();
    assert_eq!(state.pane, Pane::Customers);
    assert_eq!(shown.len(), expected.len());
    assert!(screen(&state, 100, 30).contains("bought "));

    press(&mut state, &["esc", "4", "l", "j"]);
    let call = state.insights.calls[1].customer;
    press(&mut state, &["enter"]);
    assert_eq!(state.detail.as_ref().map(|d| d.customer.id), Some(call));
}

/// Saved views from config.toml: V steps through them (pane, filter, mine), then back to none.
#[test]
fn saved_views_are_stepped_through_with_one_key() {
    use rapport::config::View;
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store.clone());
    let mut bea = session(&model, "bea");
    std::fs::write(
        dir.path().join("config.toml"),
        "me = \"bea\"\n[[views]]\nname = \"my Ans\"\nfilter = \"an\"\nmine = true\n\n[[views]]\nname = \"pipeline\"\npane = \"deals\"\n",
    )
    .unwrap();
    let config = rapport::config::Config::load(Some(dir.path())).unwrap();
    assert_eq!(config.me.as_deref(), Some("bea"));
    assert_eq!(
        config.views[0],
        View {
            name: "my Ans".into(),
            pane: None,
            filter: Some("an".into()),
            mine: true
        }
    );
    bea.views = config.views;
    press(&mut bea, &["V"]);
    assert_eq!(bea.pane, Pane::Customers);
    let expected = bea
        .customers
        .rows
        .iter()
        .filter(|r| r.owner() == Some("bea") && r.matches(&["an".to_string()]))
        .count();
    let shown: Vec<_> = bea
        .customers
        .view
        .iter()
        .map(|&i| &bea.customers.rows[i])
        .collect();
    assert!(expected > 0, "the demo has some");
    assert_eq!(shown.len(), expected, "{:?}", bea.status);
    assert!(shown.iter().all(|r| r.owner() == Some("bea")));
    press(&mut bea, &["V"]);
    assert_eq!(bea.pane, Pane::Deals);
    assert!(!bea.mine);
    press(&mut bea, &["V"]);
    assert_eq!(bea.view_at, None);
    assert_eq!(
        bea.customers.view.len(),
        bea.customers.rows.len(),
        "no view: everyone, no filter"
    );
    press(&mut bea, &["V"]);
    assert_eq!(bea.view_at, Some(0));
}

/// A view saved in the app is the rep's own, kept in the database: a later session of theirs
/// (over SSH, say) has it, another rep's does not.
#[test]
fn a_view_saved_in_the_app_follows_the_rep_to_their_next_session() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store.clone());
    let mut bea = session(&model, "bea");
    press(&mut bea, &["2", "m", "ctrl-s"]);
    type_text(&mut bea, "My pipeline");
    press(&mut bea, &["enter"]);
    assert!(bea.prompt().is_none());
    let said = bea.status.as_ref().unwrap().0.clone();
    assert!(said.contains("view 'My pipeline' saved"), "{said}");

    let mut later = session(&model, "bea");
    press(&mut later, &["V"]);
    assert_eq!(later.pane, Pane::Deals);
    assert!(later.mine, "{:?}", later.status);
    let mut sam = session(&model, "sam");
    press(&mut sam, &["V"]);
    assert_eq!(sam.view_at, None, "Bea's views are hers");

    // Saved again under the same name, it is replaced, not doubled.
    press(&mut later, &["1", "/"]);
    type_text(&mut later, "an");
    press(&mut later, &["enter", "esc", "ctrl-s"]);
    let typed = later.prompt().unwrap().input.value.clone();
    assert_eq!(
        typed, "",
        "the box is empty: typing is the name, not added to one"
    );
    let shown = common::screen(&later, 100, 30);
    assert!(shown.contains("(now: My pipeline)"), "{shown}");
    assert!(
        shown.contains("rename shown") && !shown.contains("new line"),
        "{shown}"
    );
    type_text(&mut later, "My pipeline");
    press(&mut later, &["enter"]);
    let views = store.views_of("bea").unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(
        (views[0].pane.as_deref(), views[0].filter.as_deref()),
        (Some("customers"), Some("an"))
    );
}

#[test]
fn a_viewer_keeps_renames_and_deletes_views() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let model = ReadModel::new(store.clone());
    let mut cal = common::session_as(
        &model,
        rapport::ops::Actor::with_role("cal", rapport::ops::Role::Viewer),
    );
    cal.readonly = true;
    press(&mut cal, &["2", "ctrl-s"]);
    type_text(&mut cal, "Board");
    press(&mut cal, &["enter"]);
    let names = || -> Vec<String> {
        store
            .views_of("cal")
            .unwrap()
            .into_iter()
            .map(|v| v.name)
            .collect()
    };
    assert_eq!(names(), vec!["Board"], "{:?}", cal.status);
    // The view shown (the one just saved) is renamed to what is typed, then deleted with
    // nothing typed.
    press(&mut cal, &["ctrl-s"]);
    type_text(&mut cal, "Pipeline");
    press(&mut cal, &["ctrl-r"]);
    assert_eq!(names(), vec!["Pipeline"], "{:?}", cal.status);
    assert!(cal.status.as_ref().unwrap().0.contains("is now 'Pipeline'"));
    assert_eq!(
        cal.views
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>(),
        ["Pipeline"]
    );
    press(&mut cal, &["ctrl-s", "ctrl-d"]);
    assert!(names().is_empty(), "{:?}", cal.status);
    assert!(cal.views.is_empty());
    // A pasted name is text, on one line, however many lines it came in.
    press(&mut cal, &["ctrl-s"]);
    cal.handle_paste("North\nq\n");
    let typed = cal
        .prompt()
        .expect("the box stays open")
        .input
        .value
        .clone();
    assert!(
        typed.starts_with("North") && !typed.contains('\n'),
        "{typed:?}"
    );
    assert!(!cal.quit, "a q in the paste is not the quit key");
    press(&mut cal, &["esc", "esc"]);
    // A name that is no view of theirs is said so.
    press(&mut cal, &["ctrl-s"]);
    type_text(&mut cal, "Nothing");
    press(&mut cal, &["ctrl-d"]);
    let (said, _) = cal.status.clone().unwrap();
    assert!(said.contains("no saved view called 'Nothing'"), "{said}");
}

#[test]
fn a_phone_stored_nationally_is_found_by_its_international_form() {
    use rapport::domain::Customer;
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let mut nadia = Customer::new("Nadia Sato", chrono::Utc::now());
    nadia.phone = Some("07700 900123".into());
    nadia.country = Some("United Kingdom".into());
    let nadia = store.create(nadia).unwrap();
    let mut state = common::app(&store, false);
    for typed in [
        "+44 7700 900123",
        "+447700900123",
        "0044 7700 900 123",
        "07700 900123",
    ] {
        press(&mut state, &["ctrl-p"]);
        type_text(&mut state, typed);
        let finder = state.finder().expect("quick lookup is open");
        let top = finder.selected().map(|e| e.id);
        assert_eq!(top, Some(nadia.id.0), "{typed}");
        press(&mut state, &["esc"]);
    }
}

#[test]
fn a_deal_past_its_close_date_is_marked_overdue_in_words_and_tickets_show_when_due() {
    use rapport::domain::{Deal, Money};
    let dir = tempfile::tempdir().unwrap();
    let store = small_demo(&dir.path().join("db"));
    let customer = store
        .iter_sound::<rapport::domain::Customer>()
        .next()
        .unwrap()
        .unwrap();
    let day = common::demo_day();
    let mut late = Deal::new(
        "Ten days late",
        customer.id,
        Money::from_units(900),
        chrono::Utc::now(),
    );
    late.expected_close = Some(day - chrono::Duration::days(10));
    late.owner = Some("sam".into());
    store.create(late).unwrap();
    let mut state = common::app(&store, false);
    press(&mut state, &["0"]);
    let shown = common::screen(&state, 140, 80);
    let row = shown
        .lines()
        .find(|l| l.contains("Ten days late"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(row.contains("overdue"), "{row}");
    assert!(
        shown.contains("overdue)"),
        "the heading counts them: {shown}"
    );
    // Everyone's day has tickets due.
    press(&mut state, &["m"]);
    let shown = common::screen(&state, 140, 80);
    let tickets = shown
        .lines()
        .skip_while(|l| !l.contains("Tickets due"))
        .nth(1)
        .unwrap();
    assert!(
        tickets.contains("late") || tickets.contains("today"),
        "a ticket row says when it is due: {tickets}"
    );
}
