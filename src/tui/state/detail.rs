//! One customer's page as a session shows it: the page the worker read, where it is scrolled, and
//! what the insights say of the customer.

use crate::domain::Customer;
use crate::model::{CustomerPage, Summary, TimelineItem};

#[derive(Debug)]
pub struct DetailState {
    pub customer: Customer,
    pub summary: Summary,
    pub timeline: Vec<TimelineItem>,
    /// Open follow-ups, soonest first.
    pub followups: Vec<crate::domain::Followup>,
    pub scroll: super::list::Scroll,
    /// Segment, cluster and suggestions; None until the insights are computed, or with no purchases.
    pub insight: Option<crate::insights::CustomerInsight>,
    pub insight_ready: bool,
}

impl DetailState {
    pub fn new(page: CustomerPage) -> DetailState {
        DetailState {
            customer: page.customer,
            summary: page.summary,
            timeline: page.timeline,
            followups: page.followups,
            scroll: Default::default(),
            insight: None,
            insight_ready: false,
        }
    }
}
