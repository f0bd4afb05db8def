//! Everything the app shows from the insights, computed together from one snapshot and cached by the
//! store's data version: an unchanged database answers from the cache.

use super::cluster::ClusterCount;
use super::forecast::{self, Band, Method, Weekly};
use super::outlook::{Contacts, Outlook, Outlooks};
use super::rfm::Segment;
use super::rules::{Rule, RuleOptions, rules_fitting};
use super::segments::{SegmentReport, segments};
use super::snapshot::Snapshot;
use super::suggest::{Model, Suggestion};
use crate::domain::CustomerId;
use crate::store::Records;
use crate::store::StoreError;

/// Itemsets mined for the app's rules before falling back to pairs: found in a fraction of a second.
pub const INTERACTIVE_ITEMSETS: usize = 200_000;

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Insights {
    pub version: u64,
    /// Product names by item number; the purchases themselves are dropped once everything is
    /// computed (at 100,000 customers they are 55 MB the app would carry all day).
    item_names: Vec<String>,
    pub segments: SegmentReport,
    /// Rules over orders at the default thresholds, strongest lift first.
    pub rules: Vec<Rule>,
    pub model: Model,
    /// What comes next for each customer; None where the purchases are too few to fit.
    pub outlook: Option<Outlooks>,
    /// Weekly revenue and its forecast; None before a complete week of purchases.
    pub forecast: Option<RevenueForecast>,
    /// How long each part took, for `rapport bench insights` and the log.
    #[serde(skip)]
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Weeks of revenue forecast in the app.
pub const FORECAST_WEEKS: usize = 12;
/// The app's horizon for purchases expected, and for churn.
pub const OUTLOOK_DAYS: i64 = 365;
pub const CHURN_DAYS: i64 = 90;

#[derive(serde::Serialize, serde::Deserialize)]
pub struct RevenueForecast {
    pub weekly: Weekly,
    pub method: Method,
    /// Why the forecast is the naive one, where no model could be chosen or fitted.
    pub fallback: Option<String>,
    pub revenue: Band,
    pub orders: Band,
}

impl std::fmt::Debug for Insights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Insights")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// Each part's time, in the order run (parts on different threads overlap).
#[derive(Default)]
struct Timings(Vec<(&'static str, std::time::Duration)>);

impl Timings {
    fn time<T>(&mut self, name: &'static str, work: impl FnOnce() -> T) -> T {
        let started = std::time::Instant::now();
        let out = work();
        self.0.push((name, started.elapsed()));
        out
    }
}

/// Rules over orders at the app's thresholds: triples where the data allows, pairs where big
/// baskets would make triples explode.
fn app_rules(snapshot: &Snapshot) -> Vec<Rule> {
    let baskets = snapshot.order_baskets();
    let options = RuleOptions {
        min_support: (10.0 / baskets.len().max(1) as f64).max(0.005),
        min_confidence: 0.3,
        min_lift: 1.0,
        max_len: 3,
        // A screen, not a report: give up on triples early and show pairs.
        max_itemsets: INTERACTIVE_ITEMSETS,
    };
    rules_fitting(&baskets, &options)
        .map(|fitted| fitted.rules)
        .unwrap_or_default()
}

/// Weekly revenue up to the newest purchase and the next weeks' forecast; None before a
/// complete week, or where no model fits.
fn revenue_forecast(
    snapshot: &Snapshot,
    newest: crate::domain::Timestamp,
) -> Option<RevenueForecast> {
    let weekly = Weekly::of(
        snapshot
            .purchases
            .iter()
            .map(|p| (p.placed.date_naive(), p.amount.to_f64())),
        newest.date_naive(),
    );
    let revenue = forecast::forecast(&weekly.revenue, FORECAST_WEEKS).ok()?;
    let orders = forecast::forecast(&weekly.orders, FORECAST_WEEKS).ok()?;
    Some(RevenueForecast {
        weekly,
        method: revenue.method,
        fallback: revenue.fallback,
        revenue: revenue.band,
        orders: orders.band,
    })
}

/// What a customer's page shows from the insights.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerInsight {
    pub segment: Segment,
    pub scores: (u8, u8, u8),
    pub cluster: Option<String>,
    pub suggestions: Vec<(String, String)>,
    pub outlook: Option<Outlook>,
}

impl Insights {
    /// From the disk cache where it holds the store's current data version; else computed, and
    /// cached for the next start (a cache that cannot be written is only logged).
    pub fn cached(store: &Records) -> Result<Insights, StoreError> {
        let version = store.data_version()?;
        let started = std::time::Instant::now();
        if let Some(mut insights) = super::cache::load(store.path(), version) {
            insights.timings = vec![("disk cache", started.elapsed())];
            return Ok(insights);
        }
        let insights = Insights::compute(store)?;
        if let Err(e) = super::cache::save(store.path(), &insights) {
            tracing::warn!("insights not cached: {e}");
        }
        Ok(insights)
    }

    pub fn compute(store: &Records) -> Result<Insights, StoreError> {
        let mut timings = Timings::default();
        // Tickets and notes are read on the other core meanwhile.
        let (snapshot, contacts) = std::thread::scope(|scope| {
            let contacts = scope.spawn(|| {
                let started = std::time::Instant::now();
                Contacts::read(store).map(|c| (c, started.elapsed()))
            });
            let snapshot = timings.time("snapshot", || Snapshot::load(store));
            let contacts = contacts
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok::<_, StoreError>((snapshot?, contacts?))
        })?;
        let (contacts, took) = contacts;
        timings.0.push(("tickets, notes", took));
        let newest = snapshot.purchases.iter().map(|p| p.placed).max();
        // Two halves of about equal weight, one on each of two cores: segments, rules and
        // suggestions beside each customer's outlook and the revenue forecast.
        let ((segments, rules, model, mut people), (outlook, forecast, ahead)) =
            std::thread::scope(|scope| {
                let people = scope.spawn(|| {
                    let mut timings = Timings::default();
                    let segments = timings.time("segments", || {
                        segments(&snapshot, None, ClusterCount::Auto, 7).unwrap_or_else(|_| {
                            SegmentReport {
                                rows: Vec::new(),
                                clustering: None,
                                as_of: None,
                            }
                        })
                    });
                    let rules = timings.time("rules", || app_rules(&snapshot));
                    let model = timings.time("suggestions", || Model::build(&snapshot));
                    (segments, rules, model, timings)
                });
                let mut timings = Timings::default();
                let outlook = newest.and_then(|newest| {
                    let activities = timings.time("activities", || contacts.beside(&snapshot));
                    let outlook = Outlooks::compute(
                        &activities,
                        newest.date_naive(),
                        OUTLOOK_DAYS,
                        CHURN_DAYS,
                    )
                    .ok()?;
                    timings.0.extend(outlook.timings.iter().copied());
                    Some(outlook)
                });
                let forecast = timings.time("forecast", || {
                    newest.and_then(|newest| revenue_forecast(&snapshot, newest))
                });
                let people = people
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (people, (outlook, forecast, timings))
            });
        timings.0.append(&mut people.0);
        timings.0.extend(ahead.0);
        Ok(Insights {
            version: snapshot.version,
            item_names: snapshot.products.iter().map(|p| p.name.clone()).collect(),
            segments,
            rules,
            model,
            outlook,
            forecast,
            timings: timings.0,
        })
    }

    /// The customer's row in `segments.rows`, which come by customer id.
    fn row_of(&self, customer: CustomerId) -> Option<usize> {
        self.segments
            .rows
            .binary_search_by_key(&customer, |r| r.customer)
            .ok()
    }

    pub fn item_name(&self, item: u32) -> &str {
        self.item_names
            .get(item as usize)
            .map_or("?", String::as_str)
    }

    pub fn for_customer(&self, customer: CustomerId, top: usize) -> Option<CustomerInsight> {
        let row = self.row_of(customer)?;
        let r = &self.segments.rows[row];
        let cluster = self.segments.clustering.as_ref().map(|c| {
            format!(
                "{} ({})",
                c.assignment[row] + 1,
                c.clusters[c.assignment[row]].description
            )
        });
        let suggestions = self
            .model
            .suggest(customer, top)
            .into_iter()
            .map(|s: Suggestion| (self.item_name(s.item).to_string(), s.reason))
            .collect();
        Some(CustomerInsight {
            segment: r.segment,
            scores: (r.r, r.f, r.m),
            cluster,
            suggestions,
            outlook: self.outlook.as_ref().and_then(|o| o.get(customer)).copied(),
        })
    }

    /// The customers worth a call first: the most value at risk (last year's spend times the
    /// risk of buying nothing in 90 days) where churn could be learned; else the highest spenders
    /// among Champions, Loyal and Can't-lose-them. Each with their best suggestion.
    /// `keep` narrows them (a rep's own customers).
    pub fn calls_to_make(
        &self,
        n: usize,
        keep: impl Fn(CustomerId) -> bool,
    ) -> Vec<(CustomerId, Segment, Suggestion)> {
        let at_risk = self
            .outlook
            .as_ref()
            .map(Outlooks::at_risk)
            .unwrap_or_default();
        let ranked: Vec<&super::rfm::Rfm> = match at_risk.is_empty() {
            false => at_risk
                .iter()
                .filter_map(|(c, _)| Some(&self.segments.rows[self.row_of(*c)?]))
                .filter(|r| keep(r.customer))
                .collect(),
            true => {
                let mut rows: Vec<_> = self
                    .segments
                    .rows
                    .iter()
                    .filter(|r| {
                        matches!(
                            r.segment,
                            Segment::Champions | Segment::Loyal | Segment::CantLoseThem
                        ) && keep(r.customer)
                    })
                    .collect();
                rows.sort_by(|a, b| {
                    b.monetary
                        .cmp(&a.monetary)
                        .then(a.customer.cmp(&b.customer))
                });
                rows
            }
        };
        ranked
            .into_iter()
            .filter_map(|r| {
                self.model
                    .suggest(r.customer, 1)
                    .into_iter()
                    .next()
                    .map(|s| (r.customer, r.segment, s))
            })
            .take(n)
            .collect()
    }
}
