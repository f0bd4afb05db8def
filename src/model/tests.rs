use super::*;
use crate::domain::{DealStage, TicketStatus};
use crate::ops::{Actor, Ops};
use rand::{Rng, SeedableRng};

/// What a snapshot shows, by id and in each shared order, to compare two of them.
fn shown(s: &Snapshot) -> Vec<String> {
    let mut out = vec![format!("{} customers", s.customers.len())];
    out.extend(s.by_name.iter().map(|&i| format!("{:?}", s.customers[i])));
    for column in s.pipeline.iter() {
        out.push(format!(
            "{:?}",
            column.iter().map(|&i| &s.deals[i]).collect::<Vec<_>>()
        ));
    }
    out.extend(
        s.deals_by_close
            .iter()
            .map(|&i| format!("{:?}", s.deals[i])),
    );
    out.extend(s.queue.iter().map(|&i| format!("{:?}", s.tickets[i])));
    out.extend(s.followups.iter().map(|f| format!("{f:?}")));
    let mut summaries: Vec<_> = s.summaries.as_deref().unwrap().iter().collect();
    summaries.sort_by_key(|(id, _)| **id);
    out.extend(summaries.iter().map(|(id, v)| format!("{id} {v:?}")));
    out
}

#[test]
fn an_unchanged_database_answers_insights_from_memory() {
    let (_dir, store) = crate::demo::test_store(150, 3);
    let model = ReadModel::new(store.clone());
    let first = model.insights(false).unwrap();
    let second = model.insights(true).unwrap();
    assert!(Arc::ptr_eq(&first, &second), "no write, no recompute");
    store
        .create(Customer::new("New Person", chrono::Utc::now()))
        .unwrap();
    let kept = model.insights(false).unwrap();
    assert!(
        Arc::ptr_eq(&first, &kept),
        "young insights serve after a write"
    );
    let third = model.insights(true).unwrap();
    assert!(
        !Arc::ptr_eq(&first, &third),
        "asked fresh, a write makes them stale"
    );
    assert_eq!(third.version(), store.data_version().unwrap());
}

/// Two writers through the control socket at once, each asking for a reload: every snapshot
/// a session hears of holds every record (an empty one took every selection off its deals).
#[test]
fn concurrent_reloads_never_publish_a_snapshot_without_the_records() {
    let (_dir, store) = crate::demo::test_store(60, 5);
    let model = ReadModel::new(store.clone());
    model.with_summaries().unwrap();
    let deals = model.peek().unwrap().deals.len();
    assert!(deals > 0);
    let bad = Arc::new(AtomicU64::new(0));
    let told = Arc::new(AtomicU64::new(0));
    let (b, t) = (Arc::clone(&bad), Arc::clone(&told));
    model.subscribe(Box::new(move |s| {
        t.fetch_add(1, Ordering::Relaxed);
        if s.deals.len() != deals
            || s.pipeline.len() != crate::domain::DealStage::ALL.len()
            || s.summaries.is_none()
        {
            b.fetch_add(1, Ordering::Relaxed);
        }
        true
    }));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (model, store) = (Arc::clone(&model), store.clone());
            std::thread::spawn(move || {
                for i in 0..25 {
                    let text = format!("note {w}/{i}");
                    let note = crate::domain::Note::new(
                        CustomerId(1 + i % 10),
                        crate::domain::NoteKind::Note,
                        &text,
                        chrono::Utc::now(),
                    );
                    store.create(note).unwrap();
                    model.changed().unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(told.load(Ordering::Relaxed), 75, "one new snapshot a write");
    assert_eq!(bad.load(Ordering::Relaxed), 0, "snapshots missing records");
    let last = model.peek().unwrap();
    assert_eq!(last.version, store.data_version().unwrap());
    assert!(last.summaries.is_some());
}

#[test]
fn sessions_share_one_look_alike_index_a_version() {
    let (_dir, store) = crate::demo::test_store(150, 3);
    let model = ReadModel::new(store.clone());
    let (v1, first) = model.look_alikes().unwrap();
    let (_, second) = model.look_alikes().unwrap();
    assert!(Arc::ptr_eq(&first, &second), "made once for the version");
    assert_eq!(first.len(), 150);
    let mut c = Customer::new("Ada Newcomer", chrono::Utc::now());
    c.phone = Some("+44 20 7946 0111".into());
    store.create(c.clone()).unwrap();
    let (v2, third) = model.look_alikes().unwrap();
    assert!(v2 > v1 && !Arc::ptr_eq(&first, &third));
    c.id = CustomerId(0);
    let found = third.of(&c).expect("the new customer is in the new index");
    assert_eq!(found.name, "Ada Newcomer");
}

#[test]
fn the_filter_ignores_case_in_any_script() {
    let mut c = Customer::new("Zoë O'Brien", chrono::Utc::now());
    c.company = Some("Oakridge CAFÉ".into());
    c.email = Some("Zoe.OBrien@Example.com".into());
    let row = CustomerRow::new(&c);
    assert_eq!(
        [row.name(), row.company(), row.email(), row.country()],
        ["Zoë O'Brien", "Oakridge CAFÉ", "Zoe.OBrien@Example.com", ""]
    );
    let yes =
        |words: &[&str]| row.matches(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>());
    assert!(yes(&["zoë", "café"]));
    assert!(yes(&["obrien@ex"]));
    assert!(yes(&["o'b", "oak"]));
    assert!(yes(&[]));
    assert!(!yes(&["zoe", "tea"]));
    assert!(!yes(&["café "]));
}

/// One of the writes a session makes, on records of `s`, chosen by `rng`.
fn random_write(
    rng: &mut rand_chacha::ChaCha8Rng,
    s: &Snapshot,
    store: &crate::store::Store,
    round: usize,
    now: crate::domain::Timestamp,
) -> Write {
    match rng.random_range(0..8) {
        0 => Write::Create(Record::Customer(Customer::new(format!("New {round}"), now))),
        1 => {
            let id = s.customers[rng.random_range(0..s.customers.len())].id();
            let old: Customer = store.get(id.0).unwrap().unwrap();
            let mut new = old.clone();
            new.name = format!("Aaron {round}");
            Write::Update {
                old: Record::Customer(old),
                new: Record::Customer(new),
            }
        }
        2 => {
            let old = s.deals[rng.random_range(0..s.deals.len())].clone();
            let mut new = old.clone();
            new.move_to(
                DealStage::ALL[rng.random_range(0..DealStage::ALL.len())],
                None,
                now,
            );
            Write::Update {
                old: Record::Deal(old),
                new: Record::Deal(new),
            }
        }
        3 => {
            let t = s.tickets[rng.random_range(0..s.tickets.len())].clone();
            Write::Delete {
                record: Record::Ticket(t),
                notes: Vec::new(),
            }
        }
        4 => {
            let customer = s.customers[rng.random_range(0..s.customers.len())].id();
            let mut t = Ticket::new(format!("Help {round}"), customer, now);
            t.status = TicketStatus::Open;
            Write::Create(Record::Ticket(t))
        }
        5 | 6 if s.followups.is_empty() || rng.random_bool(0.5) => {
            let customer = s.customers[rng.random_range(0..s.customers.len())].id();
            let due = now + chrono::Duration::hours(rng.random_range(-48..96));
            Write::Create(Record::Followup(Followup::new(
                customer,
                format!("Call {round}"),
                due,
                now,
            )))
        }
        5 | 6 => {
            let old = s.followups[rng.random_range(0..s.followups.len())].clone();
            let mut new = old.clone();
            match old.is_open() {
                true => new.complete(Some(format!("spoke {round}")), now),
                false => new.snooze(now),
            }
            Write::Update {
                old: Record::Followup(old),
                new: Record::Followup(new),
            }
        }
        _ => Write::Batch(
            s.tickets
                .iter()
                .take(3)
                .map(|t| {
                    let mut new = t.clone();
                    new.status = TicketStatus::Closed;
                    (Record::Ticket(t.clone()), Record::Ticket(new))
                })
                .collect(),
        ),
    }
}

/// A snapshot patched by many random writes is the snapshot a fresh read gives.
#[test]
fn a_patched_snapshot_is_what_a_fresh_read_gives() {
    let (_dir, store) = crate::demo::test_store(80, 9);
    let model = ReadModel::new(store.clone());
    let ops = Ops::shared(Arc::clone(&model), Actor::named("t"));
    model.with_summaries().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    // The store keeps milliseconds.
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 3);
    model.peek().unwrap().finder();
    model.peek().unwrap().contacts();
    for round in 0..60 {
        let s = model.peek().unwrap();
        assert!(
            s.finder_ready().is_some() && s.contacts_ready().is_some(),
            "each write patches the lookup indexes it found built"
        );
        let write = random_write(&mut rng, &s, &store, round, now);
        let customers = matches!(
            &write,
            Write::Create(Record::Customer(_))
                | Write::Update {
                    new: Record::Customer(_),
                    ..
                }
        );
        let contacts = s.contacts_ready().unwrap();
        ops.apply(write).unwrap();
        let after = model.peek().unwrap().contacts_ready().unwrap();
        assert_eq!(
            Arc::ptr_eq(&contacts, &after),
            !customers,
            "a write that leaves the customers alone shares their contacts index"
        );
    }
    let patched = model.peek().unwrap();
    let fresh = ReadModel::new(store).with_summaries().unwrap();
    assert_eq!(patched.version, fresh.version);
    assert!(
        *patched.finder_ready().unwrap() == fresh.finder_index(),
        "the patched lookup index is the one a fresh read builds"
    );
    assert!(
        *patched.contacts_ready().unwrap() == *fresh.contacts(),
        "the patched contacts index is the one a fresh read builds"
    );
    let (patched, fresh) = (shown(&patched), shown(&fresh));
    if let Some(i) = (0..patched.len().max(fresh.len())).find(|&i| patched.get(i) != fresh.get(i)) {
        panic!(
            "line {i}: patched {:?}\nfresh {:?}",
            patched.get(i),
            fresh.get(i)
        );
    }
}

/// A command's write through `Ops` is in the model already: catching up reads nothing again. A
/// write the model did not see (another handle, a command that failed part-way) is read in.
#[test]
fn catching_up_reads_again_only_what_the_model_missed() {
    let (_dir, store) = crate::demo::test_store(20, 3);
    let model = ReadModel::new(store.clone());
    let ops = Ops::shared(Arc::clone(&model), Actor::named("t"));
    model.load().unwrap();
    let now = chrono::Utc::now();
    ops.apply(Write::Create(Record::Customer(Customer::new("Seen", now))))
        .unwrap();
    let patched = model.peek().unwrap();
    model.catch_up().unwrap();
    assert!(
        Arc::ptr_eq(&patched, &model.peek().unwrap()),
        "read again for nothing"
    );
    store.create(Customer::new("Missed", now)).unwrap();
    model.catch_up().unwrap();
    let after = model.peek().unwrap();
    assert!(!Arc::ptr_eq(&patched, &after));
    assert!((after.customers.iter()).any(|c| c.name() == "Missed"));
}
