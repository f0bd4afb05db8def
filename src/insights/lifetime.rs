//! Customer lifetime: the BG/NBD model of how often customers buy and when they stop, and the
//! Gamma-Gamma model of what they spend, both fitted by maximum likelihood with argmin's
//! Nelder-Mead. The customer summary follows Python's `lifetimes` so that the two can be set side
//! by side: purchases are grouped into periods (weeks by default, Monday to Sunday), frequency is
//! the number of repeat periods, recency and age are counted in periods from the first purchase,
//! and monetary value is the mean spend of the repeat periods.

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use chrono::{Datelike, NaiveDate};
use libm::lgamma;
use std::collections::BTreeMap;

/// One customer as the models see them, in periods.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Repeat {
    /// Periods with a purchase, after the first.
    pub frequency: f64,
    /// From the first purchase's period to the last's.
    pub recency: f64,
    /// From the first purchase's period to the end of observation (`T` in the papers).
    pub age: f64,
    /// Mean spend of the repeat periods; 0 without any.
    pub monetary: f64,
}

/// The period a day falls in: a count of `days`-long periods, weeks starting on Monday as
/// pandas' weekly periods do.
fn period(day: NaiveDate, days: i64) -> i64 {
    // 1970-01-05 was a Monday.
    let since_monday = i64::from(day.num_days_from_ce()) - 719_167;
    since_monday.div_euclid(days)
}

/// Each customer's summary from their purchases (customer, day, amount) up to and including
/// `end`; purchases after it are ignored.
pub fn summarise<K: Ord + Clone>(
    purchases: impl IntoIterator<Item = (K, NaiveDate, f64)>,
    end: NaiveDate,
    period_days: i64,
) -> BTreeMap<K, Repeat> {
    let mut spend: BTreeMap<K, BTreeMap<i64, f64>> = BTreeMap::new();
    for (customer, day, amount) in purchases {
        if day > end {
            continue;
        }
        *spend
            .entry(customer)
            .or_default()
            .entry(period(day, period_days))
            .or_default() += amount;
    }
    let last = period(end, period_days);
    spend
        .into_iter()
        .map(|(customer, periods)| {
            let first = *periods.keys().next().expect("a customer has a purchase");
            let newest = *periods
                .keys()
                .next_back()
                .expect("a customer has a purchase");
            let repeats: Vec<f64> = periods.values().skip(1).copied().collect();
            let monetary = match repeats.len() {
                0 => 0.0,
                n => repeats.iter().sum::<f64>() / n as f64,
            };
            let summary = Repeat {
                frequency: repeats.len() as f64,
                recency: (newest - first) as f64,
                age: (last - first) as f64,
                monetary,
            };
            (customer, summary)
        })
        .collect()
}

/// Repeat purchases after a calibration, predicted and made: the mean absolute error a customer,
/// of BG/NBD fitted to the calibration and of each customer's calibration rate carried on.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct HoldoutError {
    pub customers: usize,
    /// Periods from the split's to the end's.
    pub periods: f64,
    pub bgnbd: f64,
    pub naive_rate: f64,
}

/// Calibrates on the purchases up to `split`, and counts each customer's periods with a purchase
/// after it up to `end`, as `lifetimes`' `calibration_and_holdout_data` does.
pub fn holdout_error<K: Ord + Clone>(
    purchases: &[(K, NaiveDate, f64)],
    split: NaiveDate,
    end: NaiveDate,
    period_days: i64,
) -> Result<HoldoutError, FitError> {
    let calibration = summarise(purchases.iter().cloned(), split, period_days);
    let mut made: BTreeMap<&K, std::collections::BTreeSet<i64>> = BTreeMap::new();
    for (c, day, _) in purchases {
        if *day > split && *day <= end {
            made.entry(c).or_default().insert(period(*day, period_days));
        }
    }
    let periods = (period(end, period_days) - period(split, period_days)) as f64;
    let fit = BgNbd::fit(&calibration.values().copied().collect::<Vec<_>>())?;
    let (mut model, mut naive) = (0.0, 0.0);
    for (c, d) in &calibration {
        let actual = made.get(c).map_or(0, |p| p.len()) as f64;
        model += (fit.expected_purchases(periods, d) - actual).abs();
        let rate = if d.age > 0.0 {
            d.frequency / d.age
        } else {
            0.0
        };
        naive += (rate * periods - actual).abs();
    }
    let n = calibration.len().max(1) as f64;
    Ok(HoldoutError {
        customers: calibration.len(),
        periods,
        bgnbd: model / n,
        naive_rate: naive / n,
    })
}

/// Fitted BG/NBD parameters: purchase rates are gamma(r, alpha) across customers, and the chance
/// of dropping out after a purchase is beta(a, b).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    /// The log-likelihood at the fit, summed over customers.
    pub log_likelihood: f64,
}

/// Purchase cycles a history must span for BG/NBD's predictions to be used.
const MIN_CYCLES: f64 = 3.0;
/// Parameters (times scaled to a 10-period history) beyond these are the optimiser running off
/// to infinity or zero, not an estimate: sound fits on real data stay within 0.01 to 100.
const EDGE_LOW: f64 = 1e-4;
const EDGE_HIGH: f64 = 1e4;

/// Fitted Gamma-Gamma parameters: spend per purchase varies around each customer's mean, which
/// varies across customers.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub v: f64,
    pub log_likelihood: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error("no customers to fit")]
    Empty,
    #[error("no repeat customers: spend per purchase needs customers who bought twice")]
    NoRepeats,
    #[error("the fit did not converge: {0}")]
    Solver(String),
}

/// Customers with the same (frequency, recency, age) contribute alike: each is counted once with
/// a weight, which makes a likelihood evaluation a few thousand terms rather than every customer.
fn grouped(data: &[Repeat]) -> Vec<(f64, f64, f64, f64)> {
    let mut counts: BTreeMap<(u64, u64, u64), f64> = BTreeMap::new();
    for d in data {
        let key = (d.frequency.to_bits(), d.recency.to_bits(), d.age.to_bits());
        *counts.entry(key).or_default() += 1.0;
    }
    counts
        .into_iter()
        .map(|((x, t, age), n)| (f64::from_bits(x), f64::from_bits(t), f64::from_bits(age), n))
        .collect()
}

/// One customer's BG/NBD log-likelihood (Fader, Hardie and Lee 2005, equation 6).
fn bgnbd_ll(r: f64, alpha: f64, a: f64, b: f64, x: f64, t_x: f64, age: f64) -> f64 {
    let a1 = lgamma(r + x) - lgamma(r) + r * alpha.ln();
    let a2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
    let a3 = -(r + x) * (alpha + age).ln();
    if x > 0.0 {
        let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + t_x).ln();
        // log(e^a3 + e^a4) without overflow.
        let top = a3.max(a4);
        a1 + a2 + top + ((a3 - top).exp() + (a4 - top).exp()).ln()
    } else {
        a1 + a2 + a3
    }
}

/// Customers who share a (recency, age): the two, and how many customers.
type Group = (f64, f64, f64);

#[derive(Clone)]
struct BgNbdCost {
    /// Per frequency, the (recency, age, count) groups, times scaled for conditioning: the terms
    /// that depend on frequency alone (four log-gammas) are then worked out once per frequency.
    by_frequency: Vec<(f64, Vec<Group>)>,
    customers: f64,
}

impl BgNbdCost {
    fn new(groups: Vec<(f64, f64, f64, f64)>, customers: f64) -> BgNbdCost {
        let mut by: BTreeMap<u64, Vec<Group>> = BTreeMap::new();
        for (x, t_x, age, n) in groups {
            by.entry(x.to_bits()).or_default().push((t_x, age, n));
        }
        BgNbdCost {
            by_frequency: by
                .into_iter()
                .map(|(x, g)| (f64::from_bits(x), g))
                .collect(),
            customers,
        }
    }
}

impl CostFunction for BgNbdCost {
    type Param = Vec<f64>;
    type Output = f64;

    /// Mean negative log-likelihood over the log of the parameters, which keeps them positive.
    /// The sum is `bgnbd_ll`'s, arranged so that each frequency's shared terms come once.
    fn cost(&self, log: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        let [r, alpha, a, b] = [log[0].exp(), log[1].exp(), log[2].exp(), log[3].exp()];
        let mut total = 0.0;
        for (x, groups) in &self.by_frequency {
            let x = *x;
            let a1 = lgamma(r + x) - lgamma(r) + r * alpha.ln();
            let a2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
            let dropped = a.ln() - (b + x - 1.0).ln();
            let (mut sum, mut count) = (0.0, 0.0);
            for &(t_x, age, n) in groups {
                let a3 = -(r + x) * (alpha + age).ln();
                let term = if x > 0.0 {
                    let a4 = dropped - (r + x) * (alpha + t_x).ln();
                    let top = a3.max(a4);
                    top + ((a3 - top).exp() + (a4 - top).exp()).ln()
                } else {
                    a3
                };
                sum += n * term;
                count += n;
            }
            total += count * (a1 + a2) + sum;
        }
        let cost = -total / self.customers;
        Ok(if cost.is_finite() { cost } else { f64::MAX })
    }
}

/// Minimises `cost` from `start` (log-parameters), restarting from the best point until a restart
/// no longer improves it: one Nelder-Mead run can stall short of the optimum on a flat ridge.
fn minimise<C>(cost: C, start: Vec<f64>) -> Result<(Vec<f64>, f64), FitError>
where
    C: CostFunction<Param = Vec<f64>, Output = f64> + Clone,
{
    let mut best = start;
    let mut best_cost = f64::MAX;
    for _ in 0..8 {
        let simplex: Vec<Vec<f64>> = std::iter::once(best.clone())
            .chain((0..best.len()).map(|i| {
                let mut p = best.clone();
                p[i] += 0.5;
                p
            }))
            .collect();
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(1e-12)
            .map_err(|e| FitError::Solver(e.to_string()))?;
        let result = Executor::new(cost.clone(), solver)
            .configure(|state| state.max_iters(5_000))
            .run()
            .map_err(|e| FitError::Solver(e.to_string()))?;
        let state = result.state();
        let param = state
            .get_best_param()
            .cloned()
            .ok_or_else(|| FitError::Solver("no parameters".into()))?;
        let found = state.get_best_cost();
        let improved = best_cost - found;
        if found < best_cost {
            best = param;
            best_cost = found;
        }
        if improved.abs() < 1e-12 {
            break;
        }
    }
    Ok((best, best_cost))
}

impl BgNbd {
    /// The maximum-likelihood fit to `data`.
    pub fn fit(data: &[Repeat]) -> Result<BgNbd, FitError> {
        let oldest = data.iter().map(|d| d.age).fold(0.0, f64::max);
        if data.is_empty() || oldest <= 0.0 {
            return Err(FitError::Empty);
        }
        // Times scaled so the oldest customer is 10 periods old: alpha is then near 1 and the
        // simplex moves every parameter on the same footing. Only alpha carries the scale.
        let scale = 10.0 / oldest;
        let groups = grouped(data)
            .into_iter()
            .map(|(x, t_x, age, n)| (x, t_x * scale, age * scale, n))
            .collect();
        let cost = BgNbdCost::new(groups, data.len() as f64);
        let (log, _) = minimise(cost, vec![0.0; 4])?;
        let mut fit = BgNbd {
            r: log[0].exp(),
            alpha: log[1].exp() / scale,
            a: log[2].exp(),
            b: log[3].exp(),
            log_likelihood: 0.0,
        };
        fit.log_likelihood = data.iter().map(|d| fit.customer_ll(d)).sum();
        Ok(fit)
    }

    /// Why this fit to `data` should not be used to predict, if it should not: a history of
    /// fewer than three purchase cycles (a typical repeat customer's gap between purchases), or
    /// parameters run to the edge of what the data can pin down (on three weeks of Online
    /// Retail: r 56,433,175, alpha 452,759,587, a 0.0000).
    pub fn unsound(&self, data: &[Repeat]) -> Option<String> {
        let span = data.iter().map(|d| d.age).fold(0.0, f64::max);
        let mut gaps: Vec<f64> = (data.iter())
            .filter(|d| d.frequency > 0.0)
            .map(|d| d.recency / d.frequency)
            .collect();
        if gaps.is_empty() {
            return Some(
                "no customer bought in two periods: nothing to learn repeat buying from".into(),
            );
        }
        gaps.sort_by(f64::total_cmp);
        let gap = gaps[gaps.len() / 2].max(1.0);
        let cycles = span / gap;
        if cycles < MIN_CYCLES {
            return Some(format!(
                "the history covers {span:.0} weeks, about {cycles:.1} purchase cycles (a repeat customer buys every {gap:.0} weeks or so); at least {MIN_CYCLES:.0} are needed to predict from"
            ));
        }
        // Times scaled as the fit scales them, so alpha is judged on the others' footing.
        let scaled_alpha = self.alpha * 10.0 / span.max(f64::MIN_POSITIVE);
        let edge = |v: f64| !(EDGE_LOW..=EDGE_HIGH).contains(&v);
        if [self.r, scaled_alpha, self.a, self.b].into_iter().any(edge) {
            return Some(format!(
                "the fit ran to the edge of what it can estimate (r {:.4}, alpha {:.4}, a {:.4}, b {:.4}): the purchases do not pin the model down",
                self.r, self.alpha, self.a, self.b
            ));
        }
        None
    }

    /// The chance the customer is still buying. `lifetimes` gives one-time buyers 1 (the model
    /// says they cannot have left before a repeat); churn risk must not take that at its word.
    pub fn p_alive(&self, d: &Repeat) -> f64 {
        if d.frequency == 0.0 {
            return 1.0;
        }
        let x = d.frequency;
        let log_odds_dead = (self.r + x) * ((self.alpha + d.age) / (self.alpha + d.recency)).ln()
            + (self.a / (self.b + x - 1.0)).ln();
        1.0 / (1.0 + log_odds_dead.exp())
    }

    /// Purchases expected in the next `t` periods (Fader, Hardie and Lee 2005, equation 10).
    pub fn expected_purchases(&self, t: f64, d: &Repeat) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let (x, t_x, age) = (d.frequency, d.recency, d.age);
        let hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, t / (alpha + age + t));
        let first = (a + b + x - 1.0) / (a - 1.0)
            * (1.0 - ((alpha + age) / (alpha + age + t)).powf(r + x) * hyp);
        let repeat = if x > 0.0 { 1.0 } else { 0.0 };
        let denominator =
            1.0 + repeat * (a / (b + x - 1.0)) * ((alpha + age) / (alpha + t_x)).powf(r + x);
        first / denominator
    }

    fn customer_ll(&self, d: &Repeat) -> f64 {
        bgnbd_ll(
            self.r,
            self.alpha,
            self.a,
            self.b,
            d.frequency,
            d.recency,
            d.age,
        )
    }
}

/// Gauss's hypergeometric function 2F1(a, b; c; z) by its series, for 0 <= z < 1 (where the
/// BG/NBD needs it: z = t / (alpha + T + t)).
fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 0..100_000 {
        let k = f64::from(k);
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-15 * sum.abs() {
            break;
        }
    }
    sum
}

/// A customer's value over the next `months`: expected purchases month by month times expected
/// spend per purchase, each month discounted at `monthly_discount` (0.01 is 1% a month, about
/// 12.7% a year), as `lifetimes`' `customer_lifetime_value` reckons it. `periods_per_month`
/// is 4.345 for weekly periods.
pub fn lifetime_value(
    purchases: &BgNbd,
    spend: &GammaGamma,
    d: &Repeat,
    months: u32,
    monthly_discount: f64,
    periods_per_month: f64,
) -> f64 {
    spend.expected_spend(d)
        * discounted_purchases(purchases, d, months, monthly_discount, periods_per_month)
}

/// The purchases `lifetime_value` counts: expected month by month, each month discounted. It
/// depends on the customer's frequency, recency and age alone, which many customers share.
pub fn discounted_purchases(
    purchases: &BgNbd,
    d: &Repeat,
    months: u32,
    monthly_discount: f64,
    periods_per_month: f64,
) -> f64 {
    // Nothing is expected in no time: each month's purchases are the growth since the last.
    let mut before = 0.0;
    (1..=months)
        .map(|month| {
            let so_far = purchases.expected_purchases(f64::from(month) * periods_per_month, d);
            let bought = so_far - before;
            before = so_far;
            bought / (1.0 + monthly_discount).powf(f64::from(month))
        })
        .sum()
}

#[derive(Clone)]
struct GammaGammaCost {
    /// Repeat customers by frequency: how many, the sum of their ln(monetary), and each
    /// monetary value. Only ln(x m + v) needs each customer on every evaluation.
    by_frequency: Vec<(f64, f64, f64, Vec<f64>)>,
    customers: f64,
}

impl GammaGammaCost {
    fn new(data: &[(f64, f64)]) -> GammaGammaCost {
        let mut by: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
        for &(x, m) in data {
            by.entry(x.to_bits()).or_default().push(m);
        }
        GammaGammaCost {
            by_frequency: by
                .into_iter()
                .map(|(x, ms)| {
                    let ln_m = ms.iter().map(|m| m.ln()).sum();
                    (f64::from_bits(x), ms.len() as f64, ln_m, ms)
                })
                .collect(),
            customers: data.len() as f64,
        }
    }
}

impl CostFunction for GammaGammaCost {
    type Param = Vec<f64>;
    type Output = f64;

    /// The sum of `gamma_gamma_ll` over the customers, each frequency's shared terms once.
    fn cost(&self, log: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        let [p, q, v] = [log[0].exp(), log[1].exp(), log[2].exp()];
        let mut total = 0.0;
        for (x, n, ln_m, ms) in &self.by_frequency {
            let px = p * x;
            let shared = lgamma(px + q) - lgamma(px) - lgamma(q) + q * v.ln() + px * x.ln();
            let own: f64 = ms.iter().map(|m| (x * m + v).ln()).sum();
            total += n * shared + (px - 1.0) * ln_m - (px + q) * own;
        }
        let cost = -total / self.customers;
        Ok(if cost.is_finite() { cost } else { f64::MAX })
    }
}

/// One repeat customer's Gamma-Gamma log-likelihood (Fader, Hardie and Lee 2005b).
fn gamma_gamma_ll(p: f64, q: f64, v: f64, x: f64, m: f64) -> f64 {
    lgamma(p * x + q) - lgamma(p * x) - lgamma(q)
        + q * v.ln()
        + (p * x - 1.0) * m.ln()
        + (p * x) * x.ln()
        - (p * x + q) * (x * m + v).ln()
}

impl GammaGamma {
    /// Spend expected per purchase: the customer's own mean, shrunk towards everyone's by how few
    /// purchases it rests on (everyone's, for a one-time buyer).
    pub fn expected_spend(&self, d: &Repeat) -> f64 {
        let (p, q, v) = (self.p, self.q, self.v);
        let population = v * p / (q - 1.0);
        let own = p * d.frequency / (p * d.frequency + q - 1.0);
        (1.0 - own) * population + own * d.monetary
    }

    /// The maximum-likelihood fit over the customers with repeat purchases and spend.
    pub fn fit(data: &[Repeat]) -> Result<GammaGamma, FitError> {
        let repeat: Vec<(f64, f64)> = data
            .iter()
            .filter(|d| d.frequency > 0.0 && d.monetary > 0.0)
            .map(|d| (d.frequency, d.monetary))
            .collect();
        if repeat.is_empty() {
            return Err(FitError::NoRepeats);
        }
        let (log, _) = minimise(GammaGammaCost::new(&repeat), vec![0.0; 3])?;
        let [p, q, v] = [log[0].exp(), log[1].exp(), log[2].exp()];
        let log_likelihood = repeat
            .iter()
            .map(|&(x, m)| gamma_gamma_ll(p, q, v, x, m))
            .sum();
        Ok(GammaGamma {
            p,
            q,
            v,
            log_likelihood,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_of_too_few_purchase_cycles_is_not_predicted_from() {
        let one = |frequency: f64, recency: f64, age: f64| Repeat {
            frequency,
            recency,
            age,
            monetary: 10.0,
        };
        // Repeat buyers come back every 4 weeks; the history is 6 weeks long.
        let mut data: Vec<Repeat> = (0..40)
            .map(|i| one(1.0, 4.0, 4.0 + (i % 3) as f64))
            .collect();
        data.extend((0..60).map(|i| one(0.0, 0.0, 1.0 + (i % 6) as f64)));
        let fit = BgNbd::fit(&data).unwrap();
        let why = fit.unsound(&data).expect("too short");
        assert!(why.contains("about 1.5 purchase cycles"), "{why}");
        // No one bought twice: nothing to learn from either.
        let once: Vec<Repeat> = (0..30).map(|i| one(0.0, 0.0, 1.0 + i as f64)).collect();
        let fit = BgNbd::fit(&once).unwrap();
        assert!(fit.unsound(&once).is_some());
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Worked by hand: weeks run Monday to Sunday; two purchases in one week are one period.
    #[test]
    fn a_summary_counts_repeat_weeks_from_the_first() {
        let purchases = vec![
            ("ann", day("2026-01-05"), 10.0), // Monday, week 0
            ("ann", day("2026-01-11"), 5.0),  // Sunday, still week 0
            ("ann", day("2026-01-12"), 20.0), // Monday, week 1
            ("ann", day("2026-01-28"), 40.0), // week 3
            ("ann", day("2026-03-01"), 99.0), // after the end: ignored
            ("bob", day("2026-01-20"), 7.0),  // week 2, only once
        ];
        let s = summarise(purchases, day("2026-02-04"), 7);
        assert_eq!(
            s["ann"],
            Repeat {
                frequency: 2.0,
                recency: 3.0,
                age: 4.0,
                monetary: 30.0
            }
        );
        assert_eq!(
            s["bob"],
            Repeat {
                frequency: 0.0,
                recency: 0.0,
                age: 2.0,
                monetary: 0.0
            }
        );
        assert_eq!(period(day("1970-01-05"), 7), 0);
        assert_eq!(period(day("1970-01-04"), 7), -1);
    }

    /// The likelihood against the closed form worked separately for a one-time buyer:
    /// (alpha/(alpha+T))^r.
    #[test]
    fn a_one_time_buyers_likelihood_is_the_gamma_survival() {
        let (r, alpha, a, b, age): (f64, f64, f64, f64, f64) = (0.5, 3.0, 0.7, 2.0, 12.0);
        let want = r * (alpha / (alpha + age)).ln();
        assert!((bgnbd_ll(r, alpha, a, b, 0.0, 0.0, age) - want).abs() < 1e-12);
    }

    /// ln of the integral of exp(log_f) over [lo, hi], by Simpson's rule on n (even) steps,
    /// scaled by the largest term so that nothing overflows.
    fn log_integral(log_f: impl Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> f64 {
        let h = (hi - lo) / n as f64;
        let terms: Vec<f64> = (0..=n)
            .map(|i| {
                let w: f64 = match i {
                    0 => 1.0,
                    _ if i == n => 1.0,
                    _ if i % 2 == 1 => 4.0,
                    _ => 2.0,
                };
                w.ln() + log_f(lo + i as f64 * h)
            })
            .filter(|t| t.is_finite())
            .collect();
        let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        top + terms.iter().map(|t| (t - top).exp()).sum::<f64>().ln() + (h / 3.0).ln()
    }

    /// E[λ^x e^(-λ s)] for λ ~ gamma(shape r, rate alpha), integrated numerically.
    fn gamma_term(r: f64, alpha: f64, x: f64, s: f64) -> f64 {
        let hi = (r + x + 80.0) / (alpha + s);
        let density = r * alpha.ln() - lgamma(r);
        density
            + log_integral(
                |l| (r - 1.0 + x) * l.ln() - l * (alpha + s),
                0.0,
                hi,
                20_000,
            )
    }

    /// E[p^k (1-p)^j] for p ~ beta(a, b), integrated numerically.
    fn beta_term(a: f64, b: f64, k: f64, j: f64) -> f64 {
        let norm = lgamma(a + b) - lgamma(a) - lgamma(b);
        norm + log_integral(
            |p| (a - 1.0 + k) * p.ln() + (b - 1.0 + j) * (1.0 - p).ln(),
            0.0,
            1.0,
            20_000,
        )
    }

    fn log_add(x: f64, y: f64) -> f64 {
        let top = x.max(y);
        top + ((x - top).exp() + (y - top).exp()).ln()
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// BG/NBD: a customer alive at the end, who bought x times, and one who dropped out after
        /// the last purchase, each integrated over the gamma of rates and the beta of dropping
        /// out (Fader, Hardie and Lee 2005, equation 3, before its closed form).
        #[test]
        fn bgnbd_likelihood_matches_direct_integration(
            r in 2.0f64..5.0, alpha in 0.5f64..10.0, a in 2.0f64..6.0, b in 2.0f64..6.0,
            x in 0u32..6, recency in 0u32..30, extra in 0u32..20,
        ) {
            let x = f64::from(x);
            let t_x = if x > 0.0 { f64::from(recency.max(1)) } else { 0.0 };
            let age = t_x + f64::from(extra) + 1.0;
            let alive = beta_term(a, b, 0.0, x) + gamma_term(r, alpha, x, age);
            let direct = match x > 0.0 {
                true => log_add(alive, beta_term(a, b, 1.0, x - 1.0) + gamma_term(r, alpha, x, t_x)),
                false => alive,
            };
            let ll = bgnbd_ll(r, alpha, a, b, x, t_x, age);
            prop_assert!((ll - direct).abs() < 1e-6, "{ll} vs {direct}");
        }

        /// The fitting costs, which share each frequency's terms, are the plain sums of the
        /// customers' log-likelihoods.
        #[test]
        fn the_fitting_costs_are_the_customers_likelihoods_summed(
            rows in proptest::collection::vec((0u32..5, 0u32..20, 0u32..20, 1.0f64..300.0), 1..40),
            log in proptest::collection::vec(-2.0f64..2.0, 4),
        ) {
            let data: Vec<Repeat> = rows.iter().map(|&(x, t, extra, m)| {
                let recency = if x > 0 { f64::from(t.max(1)) } else { 0.0 };
                Repeat { frequency: f64::from(x), recency, age: recency + f64::from(extra), monetary: m }
            }).collect();
            let [r, alpha, a, b] = [log[0].exp(), log[1].exp(), log[2].exp(), log[3].exp()];
            let plain: f64 = data.iter().map(|d| bgnbd_ll(r, alpha, a, b, d.frequency, d.recency, d.age)).sum();
            let cost = BgNbdCost::new(grouped(&data), data.len() as f64).cost(&log).unwrap();
            prop_assert!((-cost * data.len() as f64 - plain).abs() < 1e-9 * plain.abs().max(1.0));
            let repeat: Vec<(f64, f64)> = data.iter().filter(|d| d.frequency > 0.0).map(|d| (d.frequency, d.monetary)).collect();
            if !repeat.is_empty() {
                let (p, q, v) = (r, alpha + 1.0, a);
                let plain: f64 = repeat.iter().map(|&(x, m)| gamma_gamma_ll(p, q, v, x, m)).sum();
                let log3 = vec![p.ln(), q.ln(), v.ln()];
                let cost = GammaGammaCost::new(&repeat).cost(&log3).unwrap();
                prop_assert!((-cost * repeat.len() as f64 - plain).abs() < 1e-9 * plain.abs().max(1.0));
            }
        }

        /// Gamma-Gamma: the mean of x spends, each gamma(p, rate nu), is gamma(p x, rate nu x);
        /// nu is gamma(q, rate v) across customers. Integrated over nu.
        #[test]
        fn gamma_gamma_likelihood_matches_direct_integration(
            p in 0.5f64..5.0, q in 2.0f64..6.0, v in 1.0f64..50.0, x in 1u32..10, m in 1.0f64..200.0,
        ) {
            let x = f64::from(x);
            let (shape, rate) = (q - 1.0 + p * x, v + x * m);
            let direct = q * v.ln() - lgamma(q) + p * x * x.ln() + (p * x - 1.0) * m.ln()
                - lgamma(p * x)
                + log_integral(|nu| shape * nu.ln() - nu * rate, 0.0, (shape + 80.0) / rate, 20_000);
            let ll = gamma_gamma_ll(p, q, v, x, m);
            prop_assert!((ll - direct).abs() < 1e-6, "{ll} vs {direct}");
        }

        /// The chance of still buying is a probability, and falls the longer a customer has been
        /// silent: with the same purchases, a later end or an earlier last purchase.
        #[test]
        fn p_alive_is_a_probability_that_falls_with_silence(
            r in 0.05f64..5.0, alpha in 0.1f64..30.0, a in 0.05f64..5.0, b in 0.05f64..10.0,
            x in 1u32..20, recency in 1u32..40, extra in 0u32..40,
        ) {
            let m = BgNbd { r, alpha, a, b, log_likelihood: 0.0 };
            let x = f64::from(x);
            let t_x = f64::from(recency);
            let d = |t_x: f64, age: f64| Repeat { frequency: x, recency: t_x, age, monetary: 10.0 };
            let age = t_x + f64::from(extra);
            let now = m.p_alive(&d(t_x, age));
            prop_assert!((0.0..=1.0).contains(&now));
            prop_assert!(m.p_alive(&d(t_x, age + 5.0)) <= now + 1e-12);
            prop_assert!(m.p_alive(&d(t_x - 1.0, age)) <= now + 1e-12);
            let once = Repeat { frequency: 0.0, recency: 0.0, age, monetary: 0.0 };
            prop_assert_eq!(m.p_alive(&once), 1.0);
        }

        /// A year's value grows with spend per purchase; and, for a customer who bought in the
        /// latest period and spends at least the average, with how often they bought.
        #[test]
        fn lifetime_value_grows_with_frequency_and_spend(
            r in 0.1f64..3.0, alpha in 0.5f64..20.0, a in 0.1f64..3.0, b in 0.5f64..6.0,
            p in 1.0f64..8.0, q in 1.5f64..8.0, v in 1.0f64..50.0,
            x in 1u32..15, age in 20u32..60, spend in 0.0f64..3.0,
        ) {
            let purchases = BgNbd { r, alpha, a, b, log_likelihood: 0.0 };
            let gg = GammaGamma { p, q, v, log_likelihood: 0.0 };
            let average = v * p / (q - 1.0);
            let d = |x: f64, monetary: f64| {
                let age = f64::from(age);
                Repeat { frequency: x, recency: age, age, monetary }
            };
            let clv = |d: Repeat| lifetime_value(&purchases, &gg, &d, 12, 0.01, 4.345);
            let x = f64::from(x);
            let monetary = average * (1.0 + spend);
            let base = clv(d(x, monetary));
            prop_assert!(base > 0.0);
            prop_assert!(clv(d(x, monetary * 1.5)) > base);
            prop_assert!(clv(d(x + 1.0, monetary)) >= base * (1.0 - 1e-12), "x {x}");
        }
    }
}
