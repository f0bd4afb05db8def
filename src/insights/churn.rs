//! Churn risk: the chance that a customer buys nothing in the next N days, learned with linfa's
//! logistic regression from what happened in the N days before the cut. Unlike BG/NBD, which
//! counts a one-time buyer as certainly alive, the classifier sees how long a one-time buyer has
//! been silent, and learns from the one-time buyers who never came back.

use super::lifetime::{BgNbd, Repeat, summarise};
use chrono::NaiveDate;
use linfa::prelude::*;
use linfa_logistic::{FittedLogisticRegression, LogisticRegression};
use ndarray::{Array1, Array2};

/// What is known of one customer: purchases (day, spend), returns, tickets (opened, closed) and
/// the days a rep noted or called. In any order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Activity {
    pub purchases: Vec<(NaiveDate, f64)>,
    pub returns: Vec<NaiveDate>,
    pub tickets: Vec<(NaiveDate, Option<NaiveDate>)>,
    pub contacts: Vec<NaiveDate>,
}

/// The features, in the order `features` gives them.
pub const FEATURES: [&str; 13] = [
    "log days since the last purchase",
    "log purchase days",
    "log mean spend a purchase day",
    "log days since the first purchase",
    "log mean days between purchases",
    "one purchase day only",
    "log silence over the usual gap",
    "log purchase days in the last horizon",
    "log returns",
    "open tickets",
    "log days since the last note or call",
    "BG/NBD chance still buying",
    "log BG/NBD purchases expected in the horizon",
];

const N: usize = FEATURES.len();
/// The features read from a customer alone; the last two come from BG/NBD fitted to everyone.
const OWN: usize = N - 2;

/// The features as of `cut` (what happened after it is not looked at), or None for a customer
/// who had bought nothing by then.
pub fn features(a: &Activity, cut: NaiveDate, horizon_days: i64) -> Option<[f64; OWN]> {
    let mut days: Vec<(NaiveDate, f64)> = Vec::new();
    let mut sorted: Vec<&(NaiveDate, f64)> = a.purchases.iter().filter(|p| p.0 <= cut).collect();
    sorted.sort_by_key(|p| p.0);
    for &&(day, spend) in &sorted {
        match days.last_mut() {
            Some(last) if last.0 == day => last.1 += spend,
            _ => days.push((day, spend)),
        }
    }
    let (first, last) = (days.first()?.0, days.last()?.0);
    let n = days.len() as f64;
    let since = |day: NaiveDate| (cut - day).num_days() as f64;
    let recency = since(last);
    let tenure = since(first);
    let gap = match days.len() {
        1 => 0.0,
        _ => (last - first).num_days() as f64 / (n - 1.0),
    };
    let overdue = match days.len() {
        1 => 0.0,
        _ => recency / gap.max(1.0),
    };
    let recent = days
        .iter()
        .filter(|d| since(d.0) < horizon_days as f64)
        .count() as f64;
    let returns = a.returns.iter().filter(|&&d| d <= cut).count() as f64;
    let open = a
        .tickets
        .iter()
        .filter(|(opened, closed)| *opened <= cut && closed.is_none_or(|c| c > cut))
        .count() as f64;
    // Never contacted counts as silent since the first purchase.
    let contact = a
        .contacts
        .iter()
        .filter(|&&d| d <= cut)
        .max()
        .map_or(tenure, |&d| since(d));
    let spend = days.iter().map(|d| d.1).sum::<f64>() / n;
    Some([
        recency.ln_1p(),
        n.ln_1p(),
        spend.max(0.0).ln_1p(),
        tenure.ln_1p(),
        gap.ln_1p(),
        f64::from(u8::from(days.len() == 1)),
        overdue.ln_1p(),
        recent.ln_1p(),
        returns.ln_1p(),
        open,
        contact.ln_1p(),
    ])
}

/// Every customer's features as of `cut` with BG/NBD's view of them beside (fitted to the
/// purchases up to `cut`, weekly); None for those who had not bought by then.
fn all_features(
    activities: &[&Activity],
    cut: NaiveDate,
    horizon_days: i64,
) -> Result<Vec<Option<[f64; N]>>, ChurnError> {
    let repeats = summaries(activities, cut);
    let fitted: Vec<Repeat> = repeats.iter().flatten().copied().collect();
    let bg = BgNbd::fit(&fitted).map_err(|e| ChurnError::Fit(e.to_string()))?;
    Ok(features_with(activities, cut, horizon_days, &repeats, &bg))
}

/// Each customer's weekly summary as of `cut`, in their order; None for those who had not bought.
pub fn summaries(activities: &[&Activity], cut: NaiveDate) -> Vec<Option<Repeat>> {
    let by = summarise(
        activities
            .iter()
            .enumerate()
            .flat_map(|(i, a)| a.purchases.iter().map(move |p| (i, p.0, p.1))),
        cut,
        7,
    );
    (0..activities.len()).map(|i| by.get(&i).copied()).collect()
}

/// The features, with BG/NBD already fitted at `cut` to `repeats` (as `summaries` gives them).
fn features_with(
    activities: &[&Activity],
    cut: NaiveDate,
    horizon_days: i64,
    repeats: &[Option<Repeat>],
    bg: &BgNbd,
) -> Vec<Option<[f64; N]>> {
    let weeks = horizon_days as f64 / 7.0;
    activities
        .iter()
        .zip(repeats)
        .map(|(a, d)| {
            let own = features(a, cut, horizon_days)?;
            let d = d.as_ref()?;
            let mut all = [0.0; N];
            all[..OWN].copy_from_slice(&own);
            all[OWN] = bg.p_alive(d);
            all[OWN + 1] = bg.expected_purchases(weeks, d).max(0.0).ln_1p();
            Some(all)
        })
        .collect()
}

/// Whether the customer bought nothing in the `horizon_days` after `cut`.
pub fn churned(a: &Activity, cut: NaiveDate, horizon_days: i64) -> bool {
    let end = cut + chrono::Duration::days(horizon_days);
    !a.purchases.iter().any(|p| p.0 > cut && p.0 <= end)
}

#[derive(Debug, thiserror::Error)]
pub enum ChurnError {
    #[error(
        "too little history to learn churn: of {customers} customers who had bought by {cut}, {churned} bought nothing in the next {horizon} days (both kinds are needed)"
    )]
    OneClass {
        customers: usize,
        churned: usize,
        cut: NaiveDate,
        horizon: i64,
    },
    #[error("the churn model could not be fitted: {0}")]
    Fit(String),
}

/// Customers the classifier learns from at most, evenly spaced in the order given: fourteen
/// weights are as well fixed by 30,000 customers as by 100,000, and learning from 100,000 (BG/NBD
/// fitted again at the earlier cut, then the regression) took a second of the insights' three.
pub const TRAIN_AT_MOST: usize = 30_000;

pub struct ChurnModel {
    horizon_days: i64,
    mean: [f64; N],
    scale: [f64; N],
    fitted: FittedLogisticRegression<f64, bool>,
    /// Customers the model learned from, and how many of them churned.
    pub trained_on: usize,
    pub churned: usize,
}

impl ChurnModel {
    /// Learns from the window before `cut`: features as of `cut - horizon`, and whether each
    /// customer then bought in the `horizon_days` up to `cut`.
    pub fn train<'a>(
        activities: impl IntoIterator<Item = &'a Activity>,
        cut: NaiveDate,
        horizon_days: i64,
    ) -> Result<ChurnModel, ChurnError> {
        let start = cut - chrono::Duration::days(horizon_days);
        let mut activities: Vec<&Activity> = activities.into_iter().collect();
        if activities.len() > TRAIN_AT_MOST {
            let n = activities.len();
            activities = (0..TRAIN_AT_MOST)
                .map(|i| activities[i * n / TRAIN_AT_MOST])
                .collect();
        }
        let mut rows: Vec<[f64; N]> = Vec::new();
        let mut labels: Vec<bool> = Vec::new();
        let known = activities
            .iter()
            .any(|a| a.purchases.iter().any(|p| p.0 <= start));
        let all = match known {
            true => all_features(&activities, start, horizon_days)?,
            false => Vec::new(),
        };
        for (a, f) in activities.iter().zip(all) {
            if let Some(f) = f {
                rows.push(f);
                labels.push(churned(a, start, horizon_days));
            }
        }
        let churned_count = labels.iter().filter(|&&c| c).count();
        if churned_count == 0 || churned_count == labels.len() {
            return Err(ChurnError::OneClass {
                customers: labels.len(),
                churned: churned_count,
                cut: start,
                horizon: horizon_days,
            });
        }
        let (mean, scale) = standardise(&rows);
        let x = matrix(&rows, &mean, &scale);
        let dataset = Dataset::new(x, Array1::from(labels.clone()));
        let fitted = LogisticRegression::default()
            // Where the window nearly separates who comes back (a small or regular book), weak
            // shrinkage left weights in the tens and a customer who bought today at 99% risk.
            .alpha(1.0)
            // The loss is summed over customers, so linfa's absolute 1e-4 asked a hundred
            // thousand customers' gradient for a millionth each: iterations nobody could see.
            .gradient_tolerance(1e-4 * labels.len() as f64)
            .max_iterations(200)
            .fit(&dataset)
            .map_err(|e| ChurnError::Fit(e.to_string()))?;
        Ok(ChurnModel {
            horizon_days,
            mean,
            scale,
            fitted,
            trained_on: labels.len(),
            churned: churned_count,
        })
    }

    /// Each customer's chance of buying nothing in the horizon after `cut`; None for those who
    /// had not bought by then.
    pub fn risk<'a>(
        &self,
        activities: impl IntoIterator<Item = &'a Activity>,
        cut: NaiveDate,
    ) -> Result<Vec<Option<f64>>, ChurnError> {
        let activities: Vec<&Activity> = activities.into_iter().collect();
        let all = all_features(&activities, cut, self.horizon_days)?;
        Ok(self.risk_of(&all))
    }

    /// As `risk`, with BG/NBD already fitted at `cut` to `repeats` (as `summaries` gives them):
    /// the fit is the slow part, and the caller may need it anyway.
    pub fn risk_given(
        &self,
        activities: &[&Activity],
        cut: NaiveDate,
        repeats: &[Option<Repeat>],
        bg: &BgNbd,
    ) -> Vec<Option<f64>> {
        self.risk_of(&features_with(
            activities,
            cut,
            self.horizon_days,
            repeats,
            bg,
        ))
    }

    /// The risk of customers whose features are known (None where they are not).
    fn risk_of(&self, all: &[Option<[f64; N]>]) -> Vec<Option<f64>> {
        let rows: Vec<[f64; N]> = all.iter().flatten().copied().collect();
        if rows.is_empty() {
            return vec![None; all.len()];
        }
        let p = self
            .fitted
            .predict_probabilities(&matrix(&rows, &self.mean, &self.scale));
        // linfa gives the chance of the class it saw more of, which may be "bought again".
        let churn_is_positive = self.fitted.labels().pos.class;
        let mut p = p
            .iter()
            .map(|&p| if churn_is_positive { p } else { 1.0 - p });
        all.iter().map(|f| f.and_then(|_| p.next())).collect()
    }
}

/// How well each score ranks the customers who went quiet after `split`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Ranking {
    pub auc: f64,
    pub precision_top_10: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ChurnEvaluation {
    pub split: NaiveDate,
    pub horizon_days: i64,
    pub customers: usize,
    pub churned: usize,
    pub classifier: Ranking,
    pub bgnbd: Ranking,
    pub recency: Ranking,
}

/// Learns on the window before `split`, scores every customer who had bought by then, and checks
/// the scores against who bought nothing in the `horizon_days` after it: the classifier, BG/NBD's
/// expected purchases (fewer is riskier) and the days since the last purchase.
pub fn evaluate(
    activities: &[&Activity],
    split: NaiveDate,
    horizon_days: i64,
) -> Result<ChurnEvaluation, ChurnError> {
    let model = ChurnModel::train(activities.iter().copied(), split, horizon_days)?;
    // Features (and BG/NBD's fit) once, for the classifier and the two scores beside it.
    let all = all_features(activities, split, horizon_days)?;
    let risk = model.risk_of(&all);
    let (mut ours, mut bgnbd, mut recency, mut truth) = (vec![], vec![], vec![], vec![]);
    for ((a, r), f) in activities.iter().zip(risk).zip(all) {
        if let (Some(r), Some(f)) = (r, f) {
            ours.push(r);
            bgnbd.push(-f[OWN + 1]);
            recency.push(f[0]);
            truth.push(churned(a, split, horizon_days));
        }
    }
    let churned_count = truth.iter().filter(|&&t| t).count();
    let rank = |scores: &[f64]| -> Result<Ranking, ChurnError> {
        let auc = super::metrics::auc(scores, &truth).ok_or(ChurnError::OneClass {
            customers: truth.len(),
            churned: churned_count,
            cut: split,
            horizon: horizon_days,
        })?;
        let precision_top_10 = super::metrics::precision_at(scores, &truth, 0.1).unwrap_or(0.0);
        Ok(Ranking {
            auc,
            precision_top_10,
        })
    };
    Ok(ChurnEvaluation {
        split,
        horizon_days,
        customers: truth.len(),
        churned: churned_count,
        classifier: rank(&ours)?,
        bgnbd: rank(&bgnbd)?,
        recency: rank(&recency)?,
    })
}

/// Each feature's mean and spread; a constant feature (no tickets in the data) keeps a spread of 1.
fn standardise(rows: &[[f64; N]]) -> ([f64; N], [f64; N]) {
    let n = rows.len().max(1) as f64;
    let mut mean = [0.0; N];
    let mut scale = [0.0; N];
    for row in rows {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v / n;
        }
    }
    for row in rows {
        for ((s, v), m) in scale.iter_mut().zip(row).zip(&mean) {
            *s += (v - m).powi(2) / n;
        }
    }
    for s in &mut scale {
        *s = if *s > 1e-12 { s.sqrt() } else { 1.0 };
    }
    (mean, scale)
}

fn matrix(rows: &[[f64; N]], mean: &[f64; N], scale: &[f64; N]) -> Array2<f64> {
    Array2::from_shape_fn((rows.len(), N), |(i, j)| (rows[i][j] - mean[j]) / scale[j])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(d)
    }

    fn buyer(every: i64, from: i64, until: i64) -> Activity {
        Activity {
            purchases: (0..)
                .map(|k| from + k * every)
                .take_while(|&d| d <= until)
                .map(|d| (day(d), 20.0))
                .collect(),
            ..Activity::default()
        }
    }

    #[test]
    fn features_look_only_before_the_cut() {
        let mut a = buyer(10, 0, 100);
        a.tickets.push((day(50), None));
        a.tickets.push((day(55), Some(day(58))));
        a.contacts.push(day(40));
        let f = features(&a, day(60), 30).unwrap();
        assert_eq!(f[0], 0f64.ln_1p(), "bought on the cut day");
        assert_eq!(f[1], 7f64.ln_1p(), "days 0 to 60");
        assert_eq!(f[3], 60f64.ln_1p());
        assert_eq!(f[4], 10f64.ln_1p());
        assert_eq!(f[5], 0.0);
        assert_eq!(f[7], 3f64.ln_1p(), "days 40, 50 and 60 within 30 days");
        assert_eq!(f[9], 1.0, "one ticket open at the cut");
        assert_eq!(f[10], 20f64.ln_1p());
        assert_eq!(features(&a, day(-1), 30), None);
        let once = features(&buyer(10, 0, 0), day(45), 30).unwrap();
        assert_eq!((once[5], once[4], once[6]), (1.0, 0.0, 0.0));
        assert!(churned(&a, day(100), 30) && !churned(&a, day(80), 30));
    }

    #[test]
    fn a_big_book_is_learned_from_an_even_sample() {
        let all: Vec<Activity> = (0..TRAIN_AT_MOST as i64 + 3_000)
            .map(|k| match k % 2 {
                0 => buyer(7 + k % 5, k % 50, 400),
                _ => buyer(7 + k % 5, k % 50, 120 + k % 150),
            })
            .collect();
        let model = ChurnModel::train(&all, day(300), 60).unwrap();
        assert_eq!(model.trained_on, TRAIN_AT_MOST);
        // An even sample keeps the book's mix of those who came back and those who did not.
        let start = day(240);
        let known: Vec<&Activity> = all.iter().filter(|a| a.purchases[0].0 <= start).collect();
        let whole = known.iter().filter(|a| churned(a, start, 60)).count() as f64;
        let share = model.churned as f64 / model.trained_on as f64;
        let expected = whole / known.len() as f64;
        assert!(
            expected > 0.2 && (share - expected).abs() < 0.01,
            "{share} against {expected}"
        );
    }

    #[test]
    fn customers_who_stopped_rank_above_those_who_buy_on() {
        // Half buy weekly to the end; half stopped at various days. Trained at day 300 on the 60
        // days before, the risk at day 300 puts every lapsed customer above every active one.
        let mut all = Vec::new();
        for k in 0..40 {
            all.push(buyer(7 + k % 5, k, 400));
            all.push(buyer(7 + k % 5, k, 120 + 4 * k));
        }
        let model = ChurnModel::train(&all, day(300), 60).unwrap();
        assert!(model.churned > 0 && model.churned < model.trained_on);
        let risk: Vec<f64> = model
            .risk(&all, day(300))
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        let active = risk.iter().step_by(2);
        let lapsed = risk.iter().skip(1).step_by(2);
        let most_active = active.fold(0f64, |m, &r| m.max(r));
        let least_lapsed = lapsed.fold(1f64, |m, &r| m.min(r));
        assert!(
            most_active < least_lapsed,
            "{most_active} vs {least_lapsed}"
        );
        assert!(risk.iter().all(|r| (0.0..=1.0).contains(r)));
    }

    #[test]
    fn one_kind_of_customer_only_is_said_plainly() {
        let all = vec![buyer(7, 0, 400), buyer(5, 3, 400)];
        let err = ChurnModel::train(&all, day(300), 60).err().unwrap();
        assert!(err.to_string().contains("both kinds are needed"), "{err}");
    }
}
