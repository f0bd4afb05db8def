//! BG/NBD and Gamma-Gamma fitted on CDNOW as Python's `lifetimes` fits them: weekly, observation
//! ending 1998-06-30. The figures are `lifetimes`' own (see the issue and benches/peers.py).

use crate::common;

use chrono::NaiveDate;
use rapport::insights::lifetime::{BgNbd, GammaGamma, Repeat, lifetime_value, summarise};

/// CDNOW's lines as (customer, day, dollars), read here apart from rapport's importer; the header
/// line does not parse and is left out.
fn purchases(text: &str) -> impl Iterator<Item = (String, NaiveDate, f64)> + '_ {
    text.lines().filter_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let day = NaiveDate::parse_from_str(f.get(1)?, "%Y%m%d").ok()?;
        Some((f[0].to_string(), day, f.get(3)?.parse::<f64>().ok()?))
    })
}

fn weekly(text: &str, end: NaiveDate) -> Vec<Repeat> {
    summarise(purchases(text), end, 7).into_values().collect()
}

fn cdnow() -> Option<Vec<Repeat>> {
    let text = std::fs::read_to_string(common::dataset("CDNOW_master.txt")?).unwrap();
    Some(weekly(&text, NaiveDate::from_ymd_opt(1998, 6, 30).unwrap()))
}

fn close(name: &str, got: f64, want: f64) {
    let off = (got - want).abs() / want;
    assert!(
        off < 1e-3,
        "{name}: {got} against lifetimes' {want} ({off:.2e} off)"
    );
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn bg_nbd_and_gamma_gamma_match_lifetimes_on_cdnow() {
    let Some(data) = cdnow() else {
        return;
    };
    assert_eq!(data.len(), 23_570, "CDNOW's customers");
    let fit = BgNbd::fit(&data).unwrap();
    eprintln!("{fit:?}");
    close("r", fit.r, 0.2868);
    close("alpha", fit.alpha, 7.5935);
    close("a", fit.a, 0.4687);
    close("b", fit.b, 2.1784);
    let repeat = data.iter().filter(|d| d.frequency > 0.0).count();
    let with_spend = data
        .iter()
        .filter(|d| d.frequency > 0.0 && d.monetary > 0.0)
        .count();
    eprintln!("repeat {repeat}, with spend {with_spend}");
    assert_eq!(with_spend, 11_349, "repeat customers");
    let spend = GammaGamma::fit(&data).unwrap();
    eprintln!("{spend:?}");
    close("p", spend.p, 4.921);
    close("q", spend.q, 3.8511);
    close("v", spend.v, 21.8337);

    // Each customer's figures beside lifetimes' for the same customers (benches/lifetime_peers.sh
    // prints them): a one-time buyer, a lapsing one, and CDNOW's most frequent.
    let customer = |x: f64, t_x: f64, age: f64, m: f64| Repeat {
        frequency: x,
        recency: t_x,
        age,
        monetary: m,
    };
    // (name, frequency, recency, age, monetary) and lifetimes' p_alive, purchases in 52 weeks,
    // spend per purchase and 12-month value.
    let expected = [
        (
            "once",
            [0.0, 0.0, 78.0, 0.0],
            [1.0, 0.163_951_848, 37.685_165_652, 5.816_426_062],
        ),
        (
            "lapsing",
            [2.0, 30.0, 78.0, 20.735],
            [0.508_187_019, 0.647_387_822, 24.542_305_457, 14.963_537_965],
        ),
        (
            "recent",
            [2.0, 68.0, 78.0, 20.735],
            [0.836_189_452, 1.065_235_528, 24.542_305_457, 24.621_551_001],
        ),
        (
            "best",
            [71.0, 71.0, 71.0, 126.359_718_31],
            [
                0.993_548_818,
                41.366_340_299,
                125.641_975_338,
                4_897.768_957_801,
            ],
        ),
    ];
    for (name, [x, t_x, age, m], [alive, bought, per, value]) in expected {
        let d = customer(x, t_x, age, m);
        close(&format!("p_alive {name}"), fit.p_alive(&d), alive);
        close(
            &format!("purchases {name}"),
            fit.expected_purchases(52.0, &d),
            bought,
        );
        close(&format!("spend {name}"), spend.expected_spend(&d), per);
        let clv = lifetime_value(&fit, &spend, &d, 12, 0.01, 4.345);
        close(&format!("value {name}"), clv, value);
    }
}

/// The command fits what the library fits: the same purchases read back from the database (dates,
/// amounts in currency units, the as-of day) give the same parameters.
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn the_lifetime_command_fits_the_imported_purchases() {
    let Some((_dir, db, head)) = common::cdnow_head(4_000) else {
        return;
    };
    let out = common::stdout_of(
        &db,
        &[
            "lifetime",
            "--params",
            "--format",
            "json",
            "--as-of",
            "1997-12-31",
        ],
    );
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();

    let data = weekly(&head, NaiveDate::from_ymd_opt(1997, 12, 31).unwrap());
    let fit = BgNbd::fit(&data).unwrap();
    let spend = GammaGamma::fit(&data).unwrap();
    assert_eq!(got["customers"], data.len());
    for (name, want) in [
        ("r", fit.r),
        ("alpha", fit.alpha),
        ("a", fit.a),
        ("b", fit.b),
        ("p", spend.p),
        ("q", spend.q),
        ("v", spend.v),
    ] {
        close(name, got[name].as_f64().unwrap(), want);
    }

    // Each customer's churn risk, a probability, from the model the library learns.
    let rows = common::stdout_of(
        &db,
        &["lifetime", "--format", "ndjson", "--as-of", "1997-12-31"],
    );
    let risks: Vec<f64> = rows
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["churn_risk"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert_eq!(risks.len(), data.len());
    assert!(risks.iter().all(|r| (0.0..=1.0).contains(r)));
    let mut by: std::collections::BTreeMap<String, rapport::insights::churn::Activity> =
        Default::default();
    for (c, day, spend) in purchases(&head) {
        by.entry(c).or_default().purchases.push((day, spend));
    }
    let cut = NaiveDate::from_ymd_opt(1997, 12, 31).unwrap();
    let model = rapport::insights::churn::ChurnModel::train(by.values(), cut, 90).unwrap();
    let mut want: Vec<f64> = model
        .risk(by.values(), cut)
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    let mut got = risks.clone();
    want.sort_by(f64::total_cmp);
    got.sort_by(f64::total_cmp);
    for (g, w) in got.iter().zip(&want) {
        // Amounts come back in cents: the fits differ in the sixth decimal.
        assert!((g - w).abs() < 1e-4, "{g} vs {w}");
    }

    // `eval churn` reports what the library's evaluation finds.
    let out = common::stdout_of(
        &db,
        &[
            "eval",
            "churn",
            "--split-date",
            "1997-09-30",
            "--holdout-end",
            "1998-06-30",
            "--format",
            "json",
        ],
    );
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();
    let all: Vec<&rapport::insights::churn::Activity> = by.values().collect();
    let split = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
    let want = rapport::insights::churn::evaluate(&all, split, 90).unwrap();
    assert_eq!(got["customers"], want.customers);
    assert_eq!(got["churned"], want.churned);
    for score in ["classifier", "bgnbd", "recency"] {
        let auc = got[score]["auc"].as_f64().unwrap();
        let expected = serde_json::to_value(&want).unwrap()[score]["auc"]
            .as_f64()
            .unwrap();
        assert!(
            (auc - expected).abs() < 1e-4,
            "{score}: {auc} vs {expected}"
        );
    }
    let rows: Vec<(String, NaiveDate, f64)> = purchases(&head).collect();
    let end = NaiveDate::from_ymd_opt(1998, 6, 30).unwrap();
    let want = rapport::insights::lifetime::holdout_error(&rows, split, end, 7).unwrap();
    assert_eq!(got["purchases"]["customers"], want.customers);
    assert_eq!(got["purchases"]["periods"], want.periods);
    for (name, want) in [("bgnbd", want.bgnbd), ("naive_rate", want.naive_rate)] {
        close(name, got["purchases"][name].as_f64().unwrap(), want);
    }
}

/// Churn on CDNOW split at 1997-09-30: learned on the 90 days before, scored on the 90 after,
/// against recency alone and BG/NBD's expected purchases.
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn churn_ranks_cdnow_customers_better_than_recency_alone() {
    use rapport::insights::churn::{Activity, ChurnModel, churned};
    use rapport::insights::metrics::{auc, precision_at};
    let Some(path) = common::dataset("CDNOW_master.txt") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let mut by: std::collections::BTreeMap<String, Activity> = Default::default();
    for (c, day, spend) in purchases(&text) {
        by.entry(c).or_default().purchases.push((day, spend));
    }
    let all: Vec<Activity> = by.into_values().collect();
    let split = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
    let horizon = 90;
    let model = ChurnModel::train(&all, split, horizon).unwrap();
    let risk: Vec<f64> = model
        .risk(&all, split)
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let truth: Vec<bool> = all.iter().map(|a| churned(a, split, horizon)).collect();
    let recency: Vec<f64> = all
        .iter()
        .map(|a| {
            (split
                - a.purchases
                    .iter()
                    .map(|p| p.0)
                    .filter(|&d| d <= split)
                    .max()
                    .unwrap())
            .num_days() as f64
        })
        .collect();
    let calibration = weekly(&text, split);
    let bg = BgNbd::fit(&calibration).unwrap();
    let expected: Vec<f64> = calibration
        .iter()
        .map(|d| -bg.expected_purchases(horizon as f64 / 7.0, d))
        .collect();
    let ours = auc(&risk, &truth).unwrap();
    let by_recency = auc(&recency, &truth).unwrap();
    let by_bgnbd = auc(&expected, &truth).unwrap();
    eprintln!(
        "churn AUC: classifier {ours:.4} (top 10% {:.3}), recency {by_recency:.4} ({:.3}), BG/NBD {by_bgnbd:.4} ({:.3}); churned {} of {}",
        precision_at(&risk, &truth, 0.1).unwrap(),
        precision_at(&recency, &truth, 0.1).unwrap(),
        precision_at(&expected, &truth, 0.1).unwrap(),
        truth.iter().filter(|&&t| t).count(),
        truth.len()
    );
    assert!(ours > by_recency, "{ours} vs {by_recency}");
}

/// Calibrated to 1997-09-30, BG/NBD's repeat purchases over the 39 weeks to 1998-06-30 against
/// what each customer bought: the mean absolute error `lifetimes` makes (0.7844, by
/// benches/churn_peers.sh) and a naive rate's (0.9389).
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn holdout_purchases_err_as_lifetimes_does_and_less_than_a_naive_rate() {
    let Some(path) = common::dataset("CDNOW_master.txt") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let split = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
    let end = NaiveDate::from_ymd_opt(1998, 6, 30).unwrap();
    let all: Vec<(String, NaiveDate, f64)> = purchases(&text).collect();
    let e = rapport::insights::lifetime::holdout_error(&all, split, end, 7).unwrap();
    eprintln!("holdout purchase MAE: {e:?}");
    assert_eq!((e.periods, e.customers), (39.0, 23_570));
    close("BG/NBD's error", e.bgnbd, 0.7844);
    close("the naive rate's error", e.naive_rate, 0.9389);
    assert!(e.bgnbd < e.naive_rate);
}

/// Three weeks of Online Retail: too short for BG/NBD (its fit runs off to r 56 million), and for
/// any forecast model but the naive one. Both are said, and no numbers are made up.
#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn a_history_too_short_to_predict_from_is_said_and_leaves_the_predictions_empty() {
    let Some(file) = common::dataset("online_retail_dec2010.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = file.to_str().unwrap();
    common::stdout_of(
        &db,
        &["import", "orders", file, "--format", "online-retail"],
    );
    let out = common::output_of(&db, &["lifetime", "--format", "csv"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no expected purchases or value: the fit ran to the edge"),
        "{stderr}"
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (expected, clv) = (at("expected_purchases"), at("clv"));
    let mut rows = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!((cells[expected], cells[clv]), ("", ""), "{line}");
        rows += 1;
    }
    assert!(rows > 800, "{rows} customers");

    let out = common::output_of(&db, &["forecast"]);
    assert!(out.status.success());
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("naive (last week)"), "{said}");
    assert!(said.contains("too few complete weeks"), "{said}");
}

#[cfg_attr(not(shared_data), ignore = "needs ../shared/data: see README")]
#[test]
fn cdnow_fits_soundly() {
    let Some(data) = cdnow() else {
        return;
    };
    let fit = BgNbd::fit(&data).unwrap();
    assert_eq!(fit.unsound(&data), None, "{fit:?}");
}
