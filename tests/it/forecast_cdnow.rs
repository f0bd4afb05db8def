//! CDNOW's weekly revenue, forecast with the last 13 weeks held out. The naive forecast's errors
//! are those statsmodels' peers script reckons (benches/forecast_peers.sh).

use crate::common;

use chrono::{Datelike, NaiveDate};
use rapport::insights::forecast::{self, Method, Weekly};

fn purchases(text: &str) -> Vec<(NaiveDate, f64)> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let day = NaiveDate::parse_from_str(f.get(1)?, "%Y%m%d").ok()?;
            Some((day, f.get(3)?.parse::<f64>().ok()?))
        })
        .collect()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn the_chosen_model_beats_the_naive_forecasts_on_cdnow() {
    let Some(path) = common::dataset("CDNOW_master.txt") else {
        return;
    };
    let all = purchases(&std::fs::read_to_string(path).unwrap());
    let weekly = Weekly::of(all.iter().copied(), day(1998, 6, 30));
    // 1996-12-30 to the week ending Sunday 1998-06-28; Monday and Tuesday after it are cut short.
    assert_eq!(weekly.mondays.len(), 78);
    assert_eq!(weekly.mondays[0], day(1996, 12, 30));
    assert!(
        weekly
            .mondays
            .iter()
            .all(|m| m.weekday() == chrono::Weekday::Mon)
    );
    let counted: f64 = all
        .iter()
        .filter(|p| p.0 <= day(1998, 6, 28))
        .map(|p| p.1)
        .sum();
    assert!((weekly.revenue.iter().sum::<f64>() - counted).abs() < 1e-6 * counted);

    let e = forecast::evaluate(&weekly.revenue, 13).unwrap();
    let of = |m| e.methods.iter().find(|s| s.method == m).unwrap();
    // statsmodels' side: naive MASE 1.3847, sMAPE 37.68%.
    let naive = of(Method::Naive);
    assert!((naive.mase - 1.3847).abs() < 1e-3, "{naive:?}");
    assert!((naive.smape - 37.68).abs() < 1e-2, "{naive:?}");
    eprintln!("{e:#?}");
    assert!(e.model.mase < naive.mase, "{e:?}");
    assert!(e.model.mase < of(Method::SeasonalNaive).mase, "{e:?}");
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn the_forecast_commands_report_what_the_library_finds() {
    let Some((_dir, db, head)) = common::cdnow_head(6_000) else {
        return;
    };
    let as_of = day(1998, 6, 30);
    let weekly = Weekly::of(purchases(&head), as_of);

    let rows = common::stdout_of(
        &db,
        &[
            "forecast",
            "--as-of",
            "1998-06-30",
            "--weeks",
            "5",
            "--format",
            "ndjson",
        ],
    );
    let rows: Vec<serde_json::Value> = rows
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want = forecast::forecast(&weekly.revenue, 5).unwrap().band;
    let orders = forecast::forecast(&weekly.orders, 5).unwrap().band;
    assert_eq!(rows.len(), 5);
    for (k, row) in rows.iter().enumerate() {
        let monday = *weekly.mondays.last().unwrap() + chrono::Duration::weeks(k as i64 + 1);
        assert_eq!(row["week"], monday.to_string());
        let f = |name: &str| row[name].as_f64().unwrap();
        // Amounts come back in cents.
        assert!(
            (f("revenue") - want.point[k]).abs() < 0.05 * want.point[k].max(1.0),
            "{row}"
        );
        assert!(
            f("low") <= f("revenue") && f("revenue") <= f("high"),
            "{row}"
        );
        assert!(f("low") >= 0.0);
        // Orders come back to a tenth.
        assert!(
            (f("orders") - orders.point[k]).abs() <= 0.05 + 1e-9,
            "{row}"
        );
    }

    let out = common::stdout_of(
        &db,
        &[
            "eval",
            "forecast",
            "--holdout-weeks",
            "13",
            "--as-of",
            "1998-06-30",
            "--format",
            "json",
        ],
    );
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();
    let want = forecast::evaluate(&weekly.revenue, 13).unwrap();
    assert_eq!(got["weeks_trained"], want.weeks_trained);
    assert_eq!(got["chosen"], serde_json::to_value(want.chosen).unwrap());
    let naive = got["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["method"] == "naive")
        .unwrap();
    let expected = want
        .methods
        .iter()
        .find(|m| m.method == Method::Naive)
        .unwrap();
    assert!((naive["mase"].as_f64().unwrap() - expected.mase).abs() < 1e-3);
}
