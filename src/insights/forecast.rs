//! Weekly revenue and orders (ISO weeks, Monday to Sunday) and their forecast. The model is
//! chosen by a rolling-origin evaluation on the history itself: augurs' AutoETS, MSTL over AutoETS
//! once two years of weeks can show a yearly season, and the naive forecasts (the last week carried
//! on, and the same week a year before where there is a year).

use augurs::ets::AutoETS;
use augurs::ets::model::{
    ErrorComponent, ModelType, OptimizationCriteria, SeasonalComponent, TrendComponent, Unfit,
};
use augurs::mstl::MSTLModel;
use augurs::prelude::*;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

/// Weeks in the yearly season.
pub const SEASON: usize = 52;
/// The prediction interval's level.
pub const LEVEL: f64 = 0.95;
/// The normal quantile for `LEVEL`, for the naive forecasts' intervals.
const Z: f64 = 1.959_963_985;
/// Rolling origins tried when choosing a model.
const FOLDS: usize = 4;
/// The fewest weeks a model is fitted to.
const MIN_TRAIN: usize = 8;

/// Complete weeks from the one holding the first purchase to the last one ended by `as_of`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Weekly {
    /// Each week's Monday.
    pub mondays: Vec<NaiveDate>,
    pub revenue: Vec<f64>,
    pub orders: Vec<f64>,
}

pub fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(day.weekday().num_days_from_monday().into())
}

impl Weekly {
    /// Sums purchases (day, amount) into weeks. A week `as_of` cuts short is left out: a partial
    /// week would read as a slump.
    pub fn of(purchases: impl IntoIterator<Item = (NaiveDate, f64)>, as_of: NaiveDate) -> Weekly {
        let last = monday(as_of - Duration::days(6));
        let kept: Vec<(NaiveDate, f64)> = purchases
            .into_iter()
            .filter(|p| monday(p.0) <= last)
            .collect();
        let Some(first) = kept.iter().map(|p| monday(p.0)).min() else {
            return Weekly::default();
        };
        let n = ((last - first).num_days() / 7 + 1) as usize;
        let mut weekly = Weekly {
            mondays: (0..n).map(|k| first + Duration::weeks(k as i64)).collect(),
            revenue: vec![0.0; n],
            orders: vec![0.0; n],
        };
        for (day, amount) in kept {
            let k = ((monday(day) - first).num_days() / 7) as usize;
            weekly.revenue[k] += amount;
            weekly.orders[k] += 1.0;
        }
        weekly
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The last week carried on.
    Naive,
    /// The same week a year before.
    SeasonalNaive,
    /// AutoETS: exponential smoothing, error and trend chosen by AICc.
    Ets,
    /// Simple exponential smoothing fitted to the error over the weeks ahead rather than the
    /// next week's: it follows a noisy history less closely.
    EtsAhead,
    /// The yearly season taken out by MSTL, the rest forecast by AutoETS.
    MstlEts,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::Naive => "naive (last week)",
            Method::SeasonalNaive => "seasonal naive (a year before)",
            Method::Ets => "AutoETS",
            Method::EtsAhead => "ETS fitted to the weeks ahead",
            Method::MstlEts => "MSTL + AutoETS",
        }
    }

    /// The methods that can be fitted to `n` weeks.
    fn fit_to(n: usize) -> Vec<Method> {
        let mut all = vec![Method::Naive];
        if n >= SEASON {
            all.push(Method::SeasonalNaive);
        }
        if n >= MIN_TRAIN {
            all.extend([Method::Ets, Method::EtsAhead]);
        }
        if n >= 2 * SEASON {
            all.push(Method::MstlEts);
        }
        all
    }
}

/// A forecast with its interval at `LEVEL`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Band {
    pub point: Vec<f64>,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    #[error("no complete week of purchases to forecast from")]
    NoHistory,
    #[error(
        "{weeks} complete weeks of purchases leave nothing to learn from once {holdout} are held out"
    )]
    TooShort { weeks: usize, holdout: usize },
    #[error("{method} could not be fitted: {reason}")]
    Fit {
        method: &'static str,
        reason: String,
    },
}

/// `h` weeks ahead of `y` by `method`.
pub fn predict(method: Method, y: &[f64], h: usize) -> Result<Band, ForecastError> {
    let fail = |reason: String| ForecastError::Fit {
        method: method.label(),
        reason,
    };
    let model: Result<augurs::Forecast, String> = match method {
        Method::Naive => return Ok(naive(y, 1, h)),
        Method::SeasonalNaive => return Ok(naive(y, SEASON, h)),
        Method::Ets => AutoETS::non_seasonal()
            .fit(y)
            .map_err(|e| e.to_string())
            .and_then(|m| m.predict(h, LEVEL).map_err(|e| e.to_string())),
        Method::EtsAhead => Unfit::new(ModelType {
            error: ErrorComponent::Additive,
            trend: TrendComponent::None,
            season: SeasonalComponent::None,
        })
        .opt_crit(OptimizationCriteria::AMSE)
        // augurs averages over at most 30 steps.
        .nmse(h.clamp(1, 30))
        .fit(y)
        .map_err(|e| e.to_string())
        .and_then(|m| m.predict(h, LEVEL).map_err(|e| e.to_string())),
        Method::MstlEts => MSTLModel::new(vec![SEASON], AutoETS::non_seasonal().into_trend_model())
            .fit(y)
            .map_err(|e| e.to_string())
            .and_then(|m| m.predict(h, LEVEL).map_err(|e| e.to_string())),
    };
    let forecast = model.map_err(fail)?;
    let intervals = forecast
        .intervals
        .ok_or_else(|| fail("no prediction interval".into()))?;
    let band = Band {
        point: forecast.point,
        low: intervals.lower,
        high: intervals.upper,
    };
    match band
        .point
        .iter()
        .chain(&band.low)
        .chain(&band.high)
        .all(|v| v.is_finite())
    {
        true => Ok(band),
        false => Err(fail("the forecast is not a number".into())),
    }
}

/// The value `lag` weeks before, carried on; the interval widens with each season passed, from the
/// spread of the history's `lag`-week changes.
fn naive(y: &[f64], lag: usize, h: usize) -> Band {
    let n = y.len();
    let changes: Vec<f64> = (lag..n).map(|t| y[t] - y[t - lag]).collect();
    let sigma = match changes.len() {
        0 | 1 => 0.0,
        k => {
            let mean = changes.iter().sum::<f64>() / k as f64;
            (changes.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (k - 1) as f64).sqrt()
        }
    };
    let mut band = Band {
        point: Vec::with_capacity(h),
        low: Vec::with_capacity(h),
        high: Vec::with_capacity(h),
    };
    for k in 0..h {
        let point = match n {
            0 => 0.0,
            _ if n >= lag => y[n - lag + k % lag],
            _ => y[n - 1],
        };
        let width = Z * sigma * ((k / lag + 1) as f64).sqrt();
        band.point.push(point);
        band.low.push(point - width);
        band.high.push(point + width);
    }
    band
}

/// The mean absolute error over that of the one-week naive forecast within the history. A flat
/// history, which the naive forecast fits exactly, scales by 1 instead.
pub fn mase(history: &[f64], actual: &[f64], forecast: &[f64]) -> f64 {
    let scale = match history.len() {
        0 | 1 => 1.0,
        n => history.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (n - 1) as f64,
    };
    let mae = mean(actual.iter().zip(forecast).map(|(a, f)| (a - f).abs()));
    mae / if scale > 0.0 { scale } else { 1.0 }
}

/// Symmetric mean absolute percentage error, in percent; a week where both are 0 counts as 0.
pub fn smape(actual: &[f64], forecast: &[f64]) -> f64 {
    100.0
        * mean(actual.iter().zip(forecast).map(|(a, f)| {
            let d = a.abs() + f.abs();
            if d > 0.0 {
                2.0 * (a - f).abs() / d
            } else {
                0.0
            }
        }))
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Each method's mean MASE over rolling origins: fitted to the weeks before each origin, scored
/// on the `h` after it. Methods that fail to fit at an origin are left out.
pub fn rolling_origin(y: &[f64], h: usize) -> Vec<(Method, f64)> {
    let n = y.len();
    let step = (h / 3).max(1);
    let origins: Vec<usize> = (0..FOLDS)
        .filter_map(|i| n.checked_sub(h + i * step))
        .filter(|&o| o >= MIN_TRAIN)
        .collect();
    let Some(&shortest) = origins.last() else {
        return Vec::new();
    };
    Method::fit_to(shortest)
        .into_iter()
        .filter_map(|method| {
            let scores: Option<Vec<f64>> = origins
                .iter()
                .map(|&o| {
                    let band = predict(method, &y[..o], h).ok()?;
                    Some(mase(&y[..o], &y[o..o + h], &band.point))
                })
                .collect();
            scores.map(|s| (method, mean(s.into_iter())))
        })
        .collect()
}

/// The method with the lowest rolling-origin MASE; the naive forecast where the history is too
/// short to compare (or a tie).
pub fn choose(y: &[f64], h: usize) -> Method {
    best_of(rolling_origin(y, h))
}

fn best_of(scored: Vec<(Method, f64)>) -> Method {
    scored
        .into_iter()
        .fold((Method::Naive, f64::INFINITY), |best, (m, s)| {
            if s < best.1 - 1e-12 { (m, s) } else { best }
        })
        .0
}

/// A forecast: the method used, its band, and why it is the naive one where a model could not
/// be chosen or fitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    pub method: Method,
    pub band: Band,
    pub fallback: Option<String>,
}

/// Forecast `h` weeks: the chosen method's band, falling back to the naive forecast where the
/// history is too short to choose a model or the chosen one fails to fit the whole history.
/// Neither revenue nor orders go below 0.
pub fn forecast(y: &[f64], h: usize) -> Result<Forecast, ForecastError> {
    if y.is_empty() {
        return Err(ForecastError::NoHistory);
    }
    let scored = rolling_origin(y, h);
    let mut fallback = scored.is_empty().then(|| {
        format!(
            "too few complete weeks ({}) to choose a model by its past errors ({} are needed): the last week is carried on",
            y.len(),
            MIN_TRAIN + h
        )
    });
    let method = best_of(scored);
    let (method, mut band) = match predict(method, y, h) {
        Ok(band) => (method, band),
        Err(e) => {
            fallback = Some(format!("{e}: the last week is carried on"));
            (Method::Naive, predict(Method::Naive, y, h)?)
        }
    };
    for v in band
        .point
        .iter_mut()
        .chain(&mut band.low)
        .chain(&mut band.high)
    {
        *v = v.max(0.0);
    }
    Ok(Forecast {
        method,
        band,
        fallback,
    })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    pub method: Method,
    pub mase: f64,
    pub smape: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForecastEvaluation {
    pub weeks_trained: usize,
    pub holdout_weeks: usize,
    /// What the rolling-origin evaluation chose on the weeks trained.
    pub chosen: Method,
    pub model: Score,
    /// Every method that could be fitted, the naive baselines among them.
    pub methods: Vec<Score>,
}

/// Holds out the last `holdout` weeks, chooses a model on the rest as `forecast` does, and scores
/// it and every other method on the weeks held out.
pub fn evaluate(y: &[f64], holdout: usize) -> Result<ForecastEvaluation, ForecastError> {
    let n = y.len();
    if n == 0 {
        return Err(ForecastError::NoHistory);
    }
    if holdout == 0 || n < holdout + 2 {
        return Err(ForecastError::TooShort { weeks: n, holdout });
    }
    let (train, test) = y.split_at(n - holdout);
    let score = |method: Method| -> Result<Score, ForecastError> {
        let band = predict(method, train, holdout)?;
        Ok(Score {
            method,
            mase: mase(train, test, &band.point),
            smape: smape(test, &band.point),
        })
    };
    let chosen = forecast(train, holdout)?.method;
    let methods: Vec<Score> = Method::fit_to(train.len())
        .into_iter()
        .filter_map(|m| score(m).ok())
        .collect();
    Ok(ForecastEvaluation {
        weeks_trained: train.len(),
        holdout_weeks: holdout,
        chosen,
        model: score(chosen)?,
        methods,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weeks_run_monday_to_sunday_and_a_cut_short_week_is_left_out() {
        // 2026-11-02 is a Monday; as of Tuesday 17th, the week of the 16th is not over.
        let purchases = [
            (day(2026, 11, 4), 10.0),
            (day(2026, 11, 8), 5.0),
            (day(2026, 11, 9), 7.0),
            (day(2026, 11, 16), 100.0),
            (day(2026, 11, 20), 100.0),
        ];
        let w = Weekly::of(purchases, day(2026, 11, 17));
        assert_eq!(w.mondays, [day(2026, 11, 2), day(2026, 11, 9)]);
        assert_eq!((w.revenue, w.orders), (vec![15.0, 7.0], vec![2.0, 1.0]));
        let sunday = Weekly::of(purchases, day(2026, 11, 22));
        assert_eq!(sunday.revenue, [15.0, 7.0, 200.0]);
        let gap = Weekly::of(
            [(day(2026, 11, 2), 1.0), (day(2026, 11, 23), 2.0)],
            day(2026, 11, 29),
        );
        assert_eq!(
            gap.revenue,
            [1.0, 0.0, 0.0, 2.0],
            "weeks without sales count as 0"
        );
        assert_eq!(Weekly::of(purchases, day(2026, 11, 7)), Weekly::default());
    }

    #[test]
    fn errors_are_those_of_hand_counted_forecasts() {
        let history = [1.0, 3.0, 2.0, 4.0];
        // One-week naive errors in the history: 2, 1, 2 (mean 5/3).
        let m = mase(&history, &[4.0, 6.0], &[4.0, 4.0]);
        assert!((m - 1.0 / (5.0 / 3.0)).abs() < 1e-12, "{m}");
        let s = smape(&[100.0, 0.0, 50.0], &[50.0, 0.0, 50.0]);
        assert!(
            (s - 100.0 * (2.0 * 50.0 / 150.0) / 3.0).abs() < 1e-12,
            "{s}"
        );
    }

    #[test]
    fn naive_forecasts_carry_the_last_week_or_the_last_year() {
        let y: Vec<f64> = (0..60).map(|t| (t % SEASON) as f64).collect();
        let last = naive(&y, 1, 3);
        assert_eq!(last.point, [59.0 % 52.0; 3]);
        assert!(
            last.low[0] < last.point[0] && last.high[2] - last.low[2] > last.high[0] - last.low[0]
        );
        let season = naive(&y, SEASON, 3);
        assert_eq!(season.point, [8.0, 9.0, 10.0]);
        assert!(season.low.iter().zip(&season.point).all(|(l, p)| l <= p));
    }

    #[test]
    fn a_yearly_pattern_is_found_and_beats_the_last_week() {
        // Three years of a sharp season with a little noise: the same week a year before is far
        // better than the last week carried on, and the choice says so.
        let mut state = 7u64;
        let mut noise = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f64 / (1u64 << 31) as f64) - 0.5
        };
        let y: Vec<f64> = (0..156)
            .map(|t| 100.0 + 50.0 * (2.0 * std::f64::consts::PI * t as f64 / 52.0).sin() + noise())
            .collect();
        let e = evaluate(&y, 13).unwrap();
        let of = |m| e.methods.iter().find(|s| s.method == m).unwrap().mase;
        assert!(of(Method::SeasonalNaive) < of(Method::Naive) / 3.0);
        assert_ne!(e.chosen, Method::Naive);
        assert!(e.model.mase < of(Method::Naive));
        let band = forecast(&y, 12).unwrap().band;
        assert_eq!(band.point.len(), 12);
        assert!(
            band.low
                .iter()
                .zip(&band.point)
                .zip(&band.high)
                .all(|((l, p), h)| l <= p && p <= h)
        );
    }

    #[test]
    fn too_little_history_is_said_plainly() {
        assert!(matches!(forecast(&[], 12), Err(ForecastError::NoHistory)));
        let f = forecast(&[5.0, 6.0], 3).unwrap();
        assert_eq!((f.method, f.band.point), (Method::Naive, vec![6.0; 3]));
        let why = f.fallback.expect("the naive forecast says why");
        assert!(why.contains("too few complete weeks (2)"), "{why}");
        // Long enough to compare, a model chosen by its errors needs no excuse.
        let y: Vec<f64> = (0..60).map(|i| 100.0 + (i % 7) as f64).collect();
        assert_eq!(forecast(&y, 4).unwrap().fallback, None);
        let err = evaluate(&[1.0; 10], 13).unwrap_err();
        assert!(err.to_string().contains("held out"), "{err}");
    }
}
