//! The new-customer form's look-alike warning: one look-up among 100,000 demo customers (the
//! issue's budget is 20 ms, the form checks on every key), and the index it needs, made once per
//! version of the records on the worker.
//!
//! `cargo bench --bench lookalike`

use criterion::{Criterion, criterion_group, criterion_main};
use rapport::clean::lookalike::LookAlikes;
use std::hint::black_box;

fn lookalike(c: &mut Criterion) {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date");
    let mut people = rapport::demo::people(100_000, 1, as_of);
    for (i, p) in people.iter_mut().enumerate() {
        p.id = rapport::domain::CustomerId(i as u64 + 1);
    }
    let started = std::time::Instant::now();
    let index = LookAlikes::new(&people);
    eprintln!(
        "index of {} customers made in {:.2} s",
        index.len(),
        started.elapsed().as_secs_f64()
    );
    // What a rep types: an existing customer's name in lower case and phone another way.
    let typed: Vec<_> = people
        .iter()
        .step_by(500)
        .map(|p| {
            let mut t = rapport::domain::Customer::new(p.name.to_lowercase(), p.created);
            t.phone = p.phone.as_ref().map(|n| n.replace(' ', "-"));
            t.address = p.address.clone();
            t
        })
        .collect();
    let found = typed.iter().filter(|t| index.of(t).is_some()).count();
    eprintln!("{found} of {} typed records look like one", typed.len());
    let mut next = typed.iter().cycle();
    c.bench_function("look-alike of one typed customer among 100,000", |b| {
        b.iter(|| black_box(index.of(next.next().expect("cycles"))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = lookalike
}
criterion_main!(benches);
