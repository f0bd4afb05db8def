//! What comes next for each customer: the chance they still buy, the purchases expected, the risk
//! they buy nothing soon and what they are worth over a year. BG/NBD and Gamma-Gamma are fitted
//! once and serve both the columns of their own and the churn classifier's features.

use super::churn::{Activity, ChurnModel, summaries};
use super::lifetime::{BgNbd, FitError, GammaGamma, Repeat, discounted_purchases};
use super::snapshot::Snapshot;
use crate::domain::{CustomerId, Note, Ticket, TicketStatus};
use crate::store::Records;
use crate::store::StoreError;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Days in a period: weeks, as `lifetimes` counts by default.
pub const PERIOD_DAYS: i64 = 7;
/// Weeks in a month, for the month-by-month value.
pub const WEEKS_PER_MONTH: f64 = 4.345;
/// The value reckoned over a year, discounted 1% a month (about 12.7% a year).
pub const VALUE_MONTHS: u32 = 12;
pub const MONTHLY_DISCOUNT: f64 = 0.01;

/// What churn risk reads of each customer who bought: purchases, returns (cancelled invoices),
/// tickets (a resolved or closed one closed when last changed) and notes and calls.
pub fn activities(
    store: &Records,
    snapshot: &Snapshot,
) -> Result<HashMap<CustomerId, Activity>, StoreError> {
    Ok(Contacts::read(store)?.beside(snapshot))
}

/// Tickets and notes as churn risk reads them: read from the store apart from the snapshot,
/// so that both can be read at once.
pub struct Contacts {
    tickets: Vec<(CustomerId, NaiveDate, Option<NaiveDate>)>,
    notes: Vec<(CustomerId, NaiveDate)>,
}

impl Contacts {
    pub fn read(store: &Records) -> Result<Contacts, StoreError> {
        let mut tickets = Vec::new();
        for ticket in store.iter_sound::<Ticket>() {
            let t = ticket?;
            let closed = matches!(t.status, TicketStatus::Resolved | TicketStatus::Closed);
            tickets.push((
                t.customer,
                t.created.date_naive(),
                closed.then(|| t.updated.date_naive()),
            ));
        }
        let mut notes = Vec::new();
        for note in store.iter_sound::<Note>() {
            let n = note?;
            notes.push((n.customer, n.at.date_naive()));
        }
        Ok(Contacts { tickets, notes })
    }

    /// The same, each person's taken for their group's (see `Snapshot::regrouped`).
    pub fn regrouped(self, group: &HashMap<CustomerId, CustomerId>) -> Contacts {
        Contacts {
            tickets: (self.tickets.into_iter())
                .filter_map(|(c, opened, closed)| Some((*group.get(&c)?, opened, closed)))
                .collect(),
            notes: (self.notes.into_iter())
                .filter_map(|(c, at)| Some((*group.get(&c)?, at)))
                .collect(),
        }
    }

    /// Each buyer's activity: their purchases and returns from the snapshot, with these.
    pub fn beside(self, snapshot: &Snapshot) -> HashMap<CustomerId, Activity> {
        let mut by: HashMap<CustomerId, Activity> = HashMap::new();
        for p in &snapshot.purchases {
            if let Some(c) = p.customer {
                by.entry(c)
                    .or_default()
                    .purchases
                    .push((p.placed.date_naive(), p.amount.to_f64()));
            }
        }
        for (c, at) in &snapshot.returns {
            if let Some(a) = by.get_mut(c) {
                a.returns.push(at.date_naive());
            }
        }
        for (c, opened, closed) in self.tickets {
            if let Some(a) = by.get_mut(&c) {
                a.tickets.push((opened, closed));
            }
        }
        for (c, at) in self.notes {
            if let Some(a) = by.get_mut(&c) {
                a.contacts.push(at);
            }
        }
        by
    }
}

/// One customer's outlook.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outlook {
    pub summary: Repeat,
    pub p_alive: f64,
    /// Over the horizon `Outlooks::compute` was given; None where the fit is not to be used
    /// (`Outlooks::unsound` says why).
    pub expected_purchases: Option<f64>,
    /// None where the history is too short to learn churn from.
    pub churn_risk: Option<f64>,
    /// The next 12 months, discounted; None without repeat customers to fit spend to.
    pub value: Option<f64>,
    /// Spent in the year up to the day the outlook is as of: what losing them costs.
    pub spent_last_year: f64,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Outlooks {
    pub as_of: NaiveDate,
    pub bgnbd: BgNbd,
    pub spend: Option<GammaGamma>,
    /// Why there is no churn risk, where there is none.
    pub churn_unknown: Option<String>,
    /// Why the lifetime fit is not used to predict (a history too short, a fit that diverged):
    /// then no customer has expected purchases or a value.
    pub unsound: Option<String>,
    /// Customers who bought by `as_of`, by id.
    pub customers: Vec<(CustomerId, Outlook)>,
    /// How long the fits, the churn model's training and the scoring took.
    #[serde(skip)]
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

impl Outlooks {
    /// Fits to the purchases up to `as_of`; churn is buying nothing in `churn_days`.
    pub fn compute(
        activities: &HashMap<CustomerId, Activity>,
        as_of: NaiveDate,
        horizon_days: i64,
        churn_days: i64,
    ) -> Result<Outlooks, FitError> {
        let mut timings = Vec::new();
        let mut clock = std::time::Instant::now();
        let mut lap = |name: &'static str| {
            timings.push((name, clock.elapsed()));
            clock = std::time::Instant::now();
        };
        let mut ids: Vec<CustomerId> = activities.keys().copied().collect();
        ids.sort();
        let all: Vec<&Activity> = ids.iter().map(|id| &activities[id]).collect();
        let repeats = summaries(&all, as_of);
        let data: Vec<Repeat> = repeats.iter().flatten().copied().collect();
        let bgnbd = BgNbd::fit(&data)?;
        let unsound = bgnbd.unsound(&data);
        let spend = match GammaGamma::fit(&data) {
            Ok(fit) => Some(fit),
            Err(FitError::NoRepeats) => None,
            Err(e) => return Err(e),
        };
        lap("lifetime fit");
        let (risks, churn_unknown) = match ChurnModel::train(all.iter().copied(), as_of, churn_days)
        {
            Ok(model) => (model.risk_given(&all, as_of, &repeats, &bgnbd), None),
            Err(e) => (vec![None; all.len()], Some(e.to_string())),
        };
        lap("churn risk");
        // Keyed by the summary's bits: customers with the same history share these figures.
        let mut shared: HashMap<[u64; 3], (f64, f64, f64)> = HashMap::new();
        let horizon = horizon_days as f64 / PERIOD_DAYS as f64;
        let year_before = as_of - chrono::Duration::days(365);
        let customers = ids
            .into_iter()
            .zip(all.iter())
            .zip(repeats)
            .zip(risks)
            .filter_map(|(((id, a), d), churn_risk)| {
                let d = d?;
                let spent_last_year = a
                    .purchases
                    .iter()
                    .filter(|p| p.0 > year_before && p.0 <= as_of)
                    .map(|p| p.1)
                    .sum();
                let key = [d.frequency, d.recency, d.age].map(f64::to_bits);
                let &mut (p_alive, expected_purchases, discounted) =
                    shared.entry(key).or_insert_with(|| {
                        (
                            bgnbd.p_alive(&d),
                            bgnbd.expected_purchases(horizon, &d),
                            discounted_purchases(
                                &bgnbd,
                                &d,
                                VALUE_MONTHS,
                                MONTHLY_DISCOUNT,
                                WEEKS_PER_MONTH,
                            ),
                        )
                    });
                let value = (spend.as_ref())
                    .filter(|_| unsound.is_none())
                    .map(|gg| gg.expected_spend(&d) * discounted);
                let expected_purchases = Some(expected_purchases).filter(|_| unsound.is_none());
                Some((
                    id,
                    Outlook {
                        summary: d,
                        p_alive,
                        expected_purchases,
                        churn_risk,
                        value,
                        spent_last_year,
                    },
                ))
            })
            .collect();
        lap("lifetime scoring");
        Ok(Outlooks {
            as_of,
            bgnbd,
            spend,
            churn_unknown,
            unsound,
            customers,
            timings,
        })
    }

    pub fn get(&self, id: CustomerId) -> Option<&Outlook> {
        self.customers
            .binary_search_by_key(&id, |c| c.0)
            .ok()
            .map(|i| &self.customers[i].1)
    }

    /// Value at risk: the last year's spend times the churn risk, highest first, where the risk
    /// is known. Not BG/NBD's value ahead: it counts a one-time buyer as certainly still buying,
    /// which would rank long-gone one-time buyers first.
    pub fn at_risk(&self) -> Vec<(CustomerId, f64)> {
        let mut ranked: Vec<(CustomerId, f64)> = self
            .customers
            .iter()
            .filter_map(|(id, o)| Some((*id, o.spent_last_year * o.churn_risk?)))
            .filter(|(_, v)| *v > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    }
}

/// A churn risk in a rep's words.
pub fn risk_words(risk: f64) -> &'static str {
    match risk {
        r if r < 0.2 => "likely to buy again",
        r if r < 0.5 => "may be slipping",
        r if r < 0.8 => "slipping away",
        _ => "probably gone",
    }
}

/// A model's probability as a whole percentage; never 0% or 100%, which it cannot know.
pub fn percent(p: f64) -> String {
    match p {
        p if p < 0.005 => "<1%".into(),
        p if p > 0.995 => ">99%".into(),
        p => format!("{:.0}%", 100.0 * p),
    }
}
