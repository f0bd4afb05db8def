//! BG/NBD and Gamma-Gamma fitted on CDNOW as Python's `lifetimes` fits them: weekly, observation
//! ending 1998-06-30. The figures are `lifetimes`' own (see the issue and benches/peers.py).

mod common;

use chrono::NaiveDate;
use rapport::insights::lifetime::{BgNbd, GammaGamma, Repeat, summarise};

fn cdnow() -> Option<Vec<Repeat>> {
    let path = common::dataset("CDNOW_master.txt")?;
    let text = std::fs::read_to_string(path).unwrap();
    let purchases = text.lines().filter_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let day = NaiveDate::parse_from_str(f.get(1)?, "%Y%m%d").ok()?;
        Some((f[0].to_string(), day, f.get(3)?.parse::<f64>().ok()?))
    });
    let end = NaiveDate::from_ymd_opt(1998, 6, 30).unwrap();
    Some(summarise(purchases, end, 7).into_values().collect())
}

fn close(name: &str, got: f64, want: f64) {
    let off = (got - want).abs() / want;
    assert!(
        off < 1e-3,
        "{name}: {got} against lifetimes' {want} ({off:.2e} off)"
    );
}

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
}
