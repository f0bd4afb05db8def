//! One deal's page: the deal, its customer, the stages it went through with their dates, its
//! notes and follow-ups, and every change made to it, from the audit log.

use crate::domain::{Customer, Deal, DealId, DealStage, Followup, Note, Timestamp};
use crate::store::Records;
use crate::store::{AuditEntry, AuditQuery, Kind, RecordRef, StoreError};

#[derive(Clone, Debug, PartialEq)]
pub struct DealPage {
    pub deal: Deal,
    pub customer: String,
    /// The business the deal is for: its customer's account, if they are in one.
    pub account: Option<String>,
    /// Each stage the deal entered, oldest first, with when (the first one when it was created).
    pub stages: Vec<(DealStage, Timestamp)>,
    /// When it was won or lost, if the log saw it happen.
    pub closed: Option<Timestamp>,
    /// Every logged change, newest first.
    pub history: Vec<AuditEntry>,
    /// Follow-ups about the deal: open ones first, soonest due first, then done ones.
    pub followups: Vec<Followup>,
    /// Notes about the deal, newest first.
    pub notes: Vec<Note>,
}

impl DealPage {
    pub fn read(store: &Records, id: DealId) -> Result<Option<DealPage>, StoreError> {
        let Some(deal) = store.get::<Deal>(id.0)? else {
            return Ok(None);
        };
        let person = store.get::<Customer>(deal.customer.0)?;
        let account = match person.as_ref().and_then(|c| c.account) {
            Some(id) => store.get::<crate::domain::Account>(id.0)?.map(|a| a.name),
            None => None,
        };
        let customer = person.map_or_else(|| format!("customer #{}", deal.customer), |c| c.name);
        let query = AuditQuery {
            record: Some(RecordRef {
                kind: Kind::Deal,
                id: id.0,
            }),
            ..AuditQuery::default()
        };
        let mut history = store.audit(&query)?;
        history.sort_by_key(|e| e.seq);
        let stages = stages(&deal, &history);
        let logged = stages
            .last()
            .filter(|(stage, _)| !stage.is_open() && *stage == deal.stage)
            .filter(|_| stages.len() > 1)
            .map(|(_, at)| *at);
        let closed = deal.closed.or(logged);
        history.reverse();
        let mut followups: Vec<Followup> = store
            .followups_of(deal.customer)?
            .into_iter()
            .filter(|f| f.deal == Some(id))
            .collect();
        followups.sort_by_key(|f| (!f.is_open(), f.due));
        let mut notes: Vec<Note> = store
            .notes_of(deal.customer)?
            .into_iter()
            .filter(|n| n.deal == Some(id))
            .collect();
        notes.sort_by_key(|n| std::cmp::Reverse(n.at));
        Ok(Some(DealPage {
            deal,
            customer,
            account,
            stages,
            closed,
            history,
            followups,
            notes,
        }))
    }
}

impl DealPage {
    /// Lines the history takes on a screen: one per field changed.
    pub fn history_rows(&self) -> usize {
        self.history.iter().map(|e| e.lines().len()).sum()
    }
}

/// The stage path from the log, oldest first. A deal made before the log (or by the demo) starts
/// in the stage the first logged move left, or in the one it is in now.
fn stages(deal: &Deal, oldest_first: &[AuditEntry]) -> Vec<(DealStage, Timestamp)> {
    let parse = |v: &Option<String>| v.as_deref().and_then(|s| s.to_lowercase().parse().ok());
    let moves: Vec<(Option<DealStage>, Option<DealStage>, Timestamp)> = oldest_first
        .iter()
        .filter(|e| e.op == "update" || e.op == "create")
        .filter_map(|e| {
            let c = e.changes.iter().find(|c| c.field == "stage")?;
            Some((parse(&c.before), parse(&c.after), e.at()))
        })
        .collect();
    let first = moves
        .first()
        .and_then(|(before, after, _)| before.or(*after))
        .unwrap_or(deal.stage);
    let mut out = vec![(first, deal.created)];
    for (_, after, at) in moves {
        if let Some(stage) = after
            && out.last().map(|(s, _)| *s) != Some(stage)
        {
            out.push((stage, at));
        }
    }
    // Never seen moving, a closed deal has been in its stage since it closed.
    if let ([(stage, since)], Some(closed)) = (out.as_mut_slice(), deal.closed)
        && !stage.is_open()
    {
        *since = closed;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Money;

    #[test]
    fn a_deal_page_walks_the_stages_it_was_moved_through() {
        let (_dir, store) = crate::demo::test_store(5, 3);
        let bea = store.acting("bea");
        let customer = store.iter_sound::<Customer>().next().unwrap().unwrap();
        let deal = Deal::new(
            "Fit-out",
            customer.id,
            Money::from_units(900),
            chrono::Utc::now(),
        );
        let id = bea.create(deal).unwrap().id;
        for stage in [DealStage::Qualified, DealStage::Proposal, DealStage::Won] {
            let mut next = bea.get::<Deal>(id.0).unwrap().unwrap();
            next.move_to(stage, None, chrono::Utc::now());
            bea.update(&next).unwrap();
        }
        let mut dearer = bea.get::<Deal>(id.0).unwrap().unwrap();
        dearer.value = Money::from_units(1250);
        bea.update(&dearer).unwrap();
        let mut page = DealPage::read(&store, id).unwrap().unwrap();
        assert_eq!(
            page.history[0].lines(),
            ["value: 900.00 → 1250.00"],
            "money reads as an amount"
        );
        page.history.remove(0);
        let path: Vec<DealStage> = page.stages.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            path,
            [
                DealStage::Lead,
                DealStage::Qualified,
                DealStage::Proposal,
                DealStage::Won
            ]
        );
        assert!(page.closed.is_some(), "a deal won under the log has a date");
        assert_eq!(page.customer, customer.name);
        assert_eq!(page.history.len(), 4, "a create and three moves");
        assert_eq!(
            page.history[0].sentence(),
            format!("bea moved deal #{id} to won")
        );
        assert_eq!(page.history[3].op, "create");

        // Made closed (an import, the demo): in its stage since it closed, not since it was made.
        let mut old = Deal::new("Old", customer.id, Money::from_units(5), chrono::Utc::now());
        old.created -= chrono::Duration::days(90);
        old.move_to(
            DealStage::Won,
            None,
            old.created + chrono::Duration::days(30),
        );
        let old = store.create(old).unwrap();
        let page = DealPage::read(&store, old.id).unwrap().unwrap();
        let closed = old.closed.unwrap().timestamp_millis();
        assert_eq!(page.stages.len(), 1);
        assert_eq!(
            (page.stages[0].0, page.stages[0].1.timestamp_millis()),
            (DealStage::Won, closed)
        );
    }
}
