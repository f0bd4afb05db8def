//! The outlook on a demo book, where the window learned from nearly separates who comes back.

use crate::common;

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

/// Customers with the same history share their figures: each must still be what the formulas
/// give that customer alone.
#[test]
fn each_customer_gets_the_formulas_own_figures() {
    use rapport::insights::lifetime::lifetime_value;
    use rapport::insights::outlook::{MONTHLY_DISCOUNT, VALUE_MONTHS, WEEKS_PER_MONTH};
    let dir = tempfile::tempdir().unwrap();
    let store = common::demo(&dir.path().join("db"), 1_000);
    let insights = Insights::compute(&store).unwrap();
    let outlook = insights.outlook.as_ref().unwrap();
    let spend = outlook.spend.as_ref().unwrap();
    assert_eq!(
        outlook.unsound, None,
        "two years of demo history fit soundly"
    );
    let horizon = rapport::insights::bundle::OUTLOOK_DAYS as f64 / 7.0;
    let mut histories = std::collections::HashSet::new();
    for (_, o) in &outlook.customers {
        let d = &o.summary;
        histories.insert([d.frequency, d.recency, d.age].map(f64::to_bits));
        assert_eq!(o.p_alive, outlook.bgnbd.p_alive(d));
        assert_eq!(
            o.expected_purchases,
            Some(outlook.bgnbd.expected_purchases(horizon, d))
        );
        let clv = lifetime_value(
            &outlook.bgnbd,
            spend,
            d,
            VALUE_MONTHS,
            MONTHLY_DISCOUNT,
            WEEKS_PER_MONTH,
        );
        let value = o.value.unwrap();
        assert!(
            (value - clv).abs() <= 1e-9 * clv.abs().max(1.0),
            "{value} against {clv}"
        );
    }
    // Shared histories are what the sharing is for: make sure the test sees some.
    assert!(histories.len() < outlook.customers.len());
}
