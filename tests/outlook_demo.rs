//! The outlook on a demo book, where the window learned from nearly separates who comes back.

mod common;

use rapport::insights::Insights;

#[test]
fn nobody_who_bought_this_week_is_taken_for_gone() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::demo(&dir.path().join("db"), 3_000);
    let insights = Insights::compute(&store).unwrap();
    let outlook = insights
        .outlook
        .as_ref()
        .expect("the demo has enough history");
    assert!(
        outlook.churn_unknown.is_none(),
        "{:?}",
        outlook.churn_unknown
    );
    let recent: Vec<f64> = outlook
        .customers
        .iter()
        .filter(|(_, o)| o.summary.recency == o.summary.age && o.summary.frequency > 0.0)
        .filter_map(|(_, o)| o.churn_risk)
        .collect();
    assert!(recent.len() > 20, "{}", recent.len());
    let worst = recent.iter().copied().fold(0.0, f64::max);
    assert!(
        worst < 0.5,
        "a repeat customer who bought this week at {worst:.3} risk"
    );
    // Those long silent are at high risk.
    let silent: Vec<f64> = outlook
        .customers
        .iter()
        .filter(|(_, o)| o.summary.age - o.summary.recency > 40.0)
        .filter_map(|(_, o)| o.churn_risk)
        .collect();
    let mean = silent.iter().sum::<f64>() / silent.len() as f64;
    assert!(mean > 0.8, "{mean}");
}
