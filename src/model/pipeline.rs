//! The pipeline report: open deals by stage, won and lost this month and quarter, the win rate and
//! how long a won deal took, for everyone or by owner. `rapport report pipeline` and Insights
//! both read it.

use crate::domain::{Deal, DealStage, Money, Timestamp};
use chrono::{Datelike, NaiveDate};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: usize,
    pub value: Money,
}

impl Tally {
    fn add(&mut self, deal: &Deal) {
        self.count += 1;
        self.value = self.value + deal.value;
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pipeline {
    /// Whose deals: an owner, "(no owner)", or "everyone".
    pub owner: String,
    /// Open stages in pipeline order: (stage, deals, value times probability).
    pub open: Vec<(DealStage, Tally, Money)>,
    pub won_month: Tally,
    pub won_quarter: Tally,
    pub lost_month: Tally,
    pub lost_quarter: Tally,
    /// Won of those closed this quarter, as a share; None when none closed.
    pub win_rate: Option<f64>,
    /// Days from creation to close of the deals won this quarter, on average.
    pub days_to_close: Option<f64>,
    /// Why this quarter's lost deals were lost, most common first ("not said" for none).
    pub lost_reasons: Vec<(String, usize)>,
}

fn closed_on(deal: &Deal) -> Option<NaiveDate> {
    deal.closed_at().map(|t| t.date_naive())
}

fn quarter_start(day: NaiveDate) -> NaiveDate {
    let month = (day.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(day.year(), month, 1).expect("a quarter starts on a real day")
}

/// The report over `deals` as of `now`.
pub fn report<'a>(owner: &str, deals: impl Iterator<Item = &'a Deal>, now: Timestamp) -> Pipeline {
    let today = now.date_naive();
    let month = today.with_day(1).expect("the first exists");
    let quarter = quarter_start(today);
    let mut out = Pipeline {
        owner: owner.to_string(),
        open: DealStage::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|&s| (s, Tally::default(), Money::ZERO))
            .collect(),
        ..Pipeline::default()
    };
    let mut days = Vec::new();
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    for deal in deals {
        if let Some((_, tally, weighted)) = out.open.iter_mut().find(|(s, ..)| *s == deal.stage) {
            tally.add(deal);
            *weighted = *weighted + deal.weighted_value();
            continue;
        }
        let Some(closed) = closed_on(deal) else {
            continue;
        };
        let (this_month, this_quarter) = (closed >= month, closed >= quarter);
        match deal.stage {
            DealStage::Won => {
                if this_month {
                    out.won_month.add(deal);
                }
                if this_quarter {
                    out.won_quarter.add(deal);
                    days.push((closed - deal.created.date_naive()).num_days() as f64);
                }
            }
            DealStage::Lost => {
                if this_month {
                    out.lost_month.add(deal);
                }
                if this_quarter {
                    out.lost_quarter.add(deal);
                    let why = deal.lost_reason.as_deref().unwrap_or("not said");
                    *reasons.entry(why.to_lowercase()).or_default() += 1;
                }
            }
            _ => {}
        }
    }
    let closed = out.won_quarter.count + out.lost_quarter.count;
    out.win_rate = (closed > 0).then(|| out.won_quarter.count as f64 / closed as f64);
    out.days_to_close = (!days.is_empty()).then(|| days.iter().sum::<f64>() / days.len() as f64);
    out.lost_reasons = reasons.into_iter().collect();
    out.lost_reasons
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The report for everyone, then one per owner (by name; deals with no owner last).
pub fn by_owner(deals: &[Deal], now: Timestamp) -> Vec<Pipeline> {
    let mut owners: Vec<Option<&str>> = deals.iter().map(|d| d.owner.as_deref()).collect();
    owners.sort_by_key(|o| (o.is_none(), o.map(str::to_lowercase)));
    owners.dedup();
    owners
        .into_iter()
        .map(|owner| {
            let name = owner.unwrap_or("(no owner)");
            report(
                name,
                deals.iter().filter(|d| d.owner.as_deref() == owner),
                now,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CustomerId;

    fn at(day: &str) -> Timestamp {
        format!("{day}T12:00:00Z").parse().unwrap()
    }

    fn deal(stage: DealStage, value: i64, created: &str, updated: &str, owner: &str) -> Deal {
        let mut d = Deal::new("d", CustomerId(1), Money::from_units(value), at(created));
        d.move_to(stage, None, at(updated));
        d.owner = Some(owner.into());
        d
    }

    /// Every figure worked out by hand for a small set of deals on 2026-11-20.
    #[test]
    fn the_figures_add_up_by_hand() {
        let now = at("2026-11-20");
        let deals = vec![
            deal(DealStage::Proposal, 100, "2026-11-01", "2026-11-02", "bea"),
            deal(DealStage::Proposal, 300, "2026-11-01", "2026-11-02", "ana"),
            deal(DealStage::Won, 50, "2026-10-01", "2026-11-05", "bea"),
            deal(DealStage::Won, 70, "2026-10-10", "2026-10-20", "bea"),
            deal(DealStage::Won, 999, "2026-06-01", "2026-09-30", "bea"),
            deal(DealStage::Lost, 20, "2026-11-01", "2026-11-10", "ana"),
        ];
        let mut deals = deals;
        // Lost in September, edited since: it counts where it closed, not where it was edited.
        let mut late_edit = deal(DealStage::Lost, 40, "2026-08-01", "2026-09-15", "ana");
        late_edit.updated = at("2026-11-12");
        deals.push(late_edit);
        deals[5].lost_reason = Some("Price".into());
        let all = report("everyone", deals.iter(), now);
        let proposal = all
            .open
            .iter()
            .find(|(s, ..)| *s == DealStage::Proposal)
            .unwrap();
        assert_eq!(proposal.1.count, 2);
        assert_eq!(proposal.1.value, Money::from_units(400));
        // Proposal's default probability is 50%.
        assert_eq!(proposal.2, Money::from_units(200));
        assert_eq!(
            (all.won_month.count, all.won_month.value),
            (1, Money::from_units(50))
        );
        assert_eq!(
            (all.won_quarter.count, all.won_quarter.value),
            (2, Money::from_units(120))
        );
        assert_eq!((all.lost_month.count, all.lost_quarter.count), (1, 1));
        assert_eq!(all.lost_reasons, [("price".to_string(), 1)]);
        assert_eq!(
            all.win_rate,
            Some(2.0 / 3.0),
            "2 won of 3 closed this quarter"
        );
        // 35 days (1 Oct to 5 Nov) and 10 days (10 to 20 Oct).
        assert_eq!(all.days_to_close, Some(22.5));
        let owners = by_owner(&deals, now);
        let names: Vec<&str> = owners.iter().map(|p| p.owner.as_str()).collect();
        assert_eq!(names, ["ana", "bea"]);
        assert_eq!(owners[0].win_rate, Some(0.0));
        assert_eq!(owners[1].won_quarter.count, 2);
        assert_eq!(
            quarter_start("2026-11-20".parse().unwrap()).to_string(),
            "2026-10-01"
        );
    }
}
