//! The records at one moment, with the orders every session starts from.

use super::*;

/// The records at one moment. Cheap to clone: each part is shared, and a write replaces only the
/// parts it touches.
#[derive(Clone, Default)]
pub struct Snapshot {
    /// Grows with every snapshot the model makes, so a session can tell newer from older.
    pub generation: u64,
    /// The store's data version the records are at.
    pub version: u64,
    /// By id, as the store keeps them (a new customer's id is the highest).
    pub customers: Arc<Vec<CustomerRow>>,
    /// The orders every session starts from (see `order`), as positions in the records.
    pub by_name: Arc<Vec<usize>>,
    pub deals: Arc<Vec<Deal>>,
    pub pipeline: Arc<Vec<Vec<usize>>>,
    pub deals_by_close: Arc<Vec<usize>>,
    pub tickets: Arc<Vec<Ticket>>,
    pub queue: Arc<Vec<usize>>,
    /// Every follow-up, open and done, by id.
    pub followups: Arc<Vec<Followup>>,
    /// Every account, by id.
    pub accounts: Arc<Vec<Account>>,
    /// None until computed (it reads every order).
    pub summaries: Option<Arc<Summaries>>,
    /// Records that could not be read, each named.
    pub damaged: Arc<Vec<String>>,
    /// Only the first screen of customers, read before the rest.
    pub partial: bool,
    /// The team's names, by name: who can own a record (empty without a team).
    pub team: Arc<Vec<String>>,
    /// Pairs of customers marked as two people, smaller id first: a session's duplicates list
    /// drops a pair another session marked.
    pub distinct: Arc<HashSet<(CustomerId, CustomerId)>>,
    pub(super) finder: Arc<OnceLock<Arc<Index>>>,
    pub(super) contacts: Arc<OnceLock<Arc<Index>>>,
    pub(super) deal_reports: Arc<OnceLock<Arc<Vec<pipeline::Pipeline>>>>,
}

impl Snapshot {
    /// The records at one moment, from these records: how a pane is given records to test on.
    pub fn new(customers: Vec<Customer>, deals: Vec<Deal>, tickets: Vec<Ticket>) -> Snapshot {
        let mut snapshot = Snapshot {
            customers: Arc::new(customers.iter().map(CustomerRow::new).collect()),
            deals: Arc::new(deals),
            tickets: Arc::new(tickets),
            ..Snapshot::default()
        };
        snapshot.reorder(&Parts::ALL);
        snapshot
    }

    /// The shared orders of the parts a change touched.
    pub(super) fn reorder(&mut self, parts: &Parts) {
        if parts.customers {
            self.by_name = Arc::new(order::by_name(&self.customers));
        }
        if parts.deals {
            self.pipeline = Arc::new(order::pipeline(&self.deals));
            self.deals_by_close = Arc::new(order::by_close(&self.deals));
        }
        if parts.tickets {
            self.queue = Arc::new(order::queue(&self.tickets));
        }
    }

    /// Where a customer is (or would go) in `customers`, which is in id order.
    pub(super) fn position(&self, id: CustomerId) -> Result<usize, usize> {
        self.customers.binary_search_by_key(&id, |r| r.id())
    }

    pub fn customer(&self, id: CustomerId) -> Option<&CustomerRow> {
        self.position(id).ok().map(|i| &self.customers[i])
    }

    pub fn customer_name(&self, id: CustomerId) -> Option<&str> {
        self.customer(id).map(CustomerRow::name)
    }

    /// A customer as a rep names them in a form: an id, `Name #id` (how the forms show one), an
    /// email, or a name only one customer has. Why not, when not: several share the name, or no one.
    pub fn find_customer(&self, text: &str) -> Result<CustomerId, String> {
        let text = text.trim();
        let by_id = |id: &str| {
            id.trim()
                .parse::<u64>()
                .ok()
                .and_then(|id| self.customer(CustomerId(id)))
                .map(CustomerRow::id)
        };
        if let Some(id) =
            by_id(text).or_else(|| text.rsplit_once('#').and_then(|(_, id)| by_id(id)))
        {
            return Ok(id);
        }
        let wanted = crate::domain::normalise_email(text);
        if wanted.contains('@')
            && let Some(r) = self
                .customers
                .iter()
                .find(|r| crate::domain::normalise_email(r.email()) == wanted)
        {
            return Ok(r.id());
        }
        let named: Vec<&CustomerRow> = self
            .customers
            .iter()
            .filter(|r| r.name().eq_ignore_ascii_case(text))
            .collect();
        match named.as_slice() {
            [one] => Ok(one.id()),
            [] => Err(format!("no customer with name, id or email '{text}'")),
            many => {
                let ids: Vec<String> = many
                    .iter()
                    .take(4)
                    .map(|r| format!("#{}", r.id()))
                    .collect();
                Err(format!(
                    "{} customers are called '{text}': add the id ({}{}) or use the email",
                    many.len(),
                    ids.join(", "),
                    if many.len() > 4 { ", …" } else { "" }
                ))
            }
        }
    }

    /// How a form shows a customer: their name and id, which `find_customer` reads back.
    pub fn customer_label(&self, id: CustomerId) -> String {
        match self.customer_name(id) {
            Some(name) => format!("{name} #{id}"),
            None => id.to_string(),
        }
    }

    /// The quick-lookup index, built by the first caller (a worker, never the screen) and shared.
    pub fn finder(&self) -> Arc<Index> {
        Arc::clone(self.finder.get_or_init(|| Arc::new(self.finder_index())))
    }

    /// The index if it is built already.
    pub fn finder_ready(&self) -> Option<Arc<Index>> {
        self.finder.get().cloned()
    }

    /// The pipeline report for everyone, then by owner: worked out once a snapshot, when first
    /// drawn, not once a frame.
    pub fn deal_reports(&self, now: crate::domain::Timestamp) -> Arc<Vec<pipeline::Pipeline>> {
        Arc::clone(self.deal_reports.get_or_init(|| {
            let mut reports = vec![pipeline::report("everyone", self.deals.iter(), now)];
            reports.extend(pipeline::by_owner(&self.deals, now));
            Arc::new(reports)
        }))
    }

    pub fn contacts_ready(&self) -> Option<Arc<Index>> {
        self.contacts.get().cloned()
    }

    /// Customers, deals, tickets and accounts: one part each.
    pub(super) fn finder_index(&self) -> Index {
        Index::of_parts(vec![
            self.customers
                .iter()
                .map(|r| self.customer_entry(r))
                .collect(),
            self.deals.iter().map(|d| self.deal_entry(d)).collect(),
            self.tickets.iter().map(|t| self.ticket_entry(t)).collect(),
            self.accounts.iter().map(account_entry).collect(),
        ])
    }

    pub(super) fn customer_entry(&self, r: &CustomerRow) -> Entry {
        let text = match r.company() {
            "" => r.name().to_string(),
            company => format!("{} — {company}", r.name()),
        };
        Entry::new(Kind::Customer, r.id().0, text)
    }

    /// Quick lookup's second index: each customer by email and phone, for a caller on the line
    /// or an email in the inbox. Apart from the names, so that typing a name costs what it did
    /// (with them in one index, name queries took twice as long at 100,000 customers).
    pub fn contacts(&self) -> Arc<Index> {
        Arc::clone(self.contacts.get_or_init(|| {
            let entries: Vec<Entry> = self.customers.iter().filter_map(contact_entry).collect();
            Arc::new(entries.into())
        }))
    }

    /// This snapshot's contacts index from `before`'s, if that one was built: only the customers
    /// a write touched are made again (a rebuild is a hundred thousand entries, and every quick
    /// lookup after any write of a team asked for one).
    pub(super) fn contacts_after(
        &self,
        before: &Snapshot,
        touched: &HashSet<(Kind, u64)>,
    ) -> Option<Index> {
        let old = before.contacts_ready()?;
        let mut kept = old.iter().peekable();
        let mut out = Vec::with_capacity(old.len() + 1);
        for r in self.customers.iter() {
            let id = r.id().0;
            // Entries are in customer-id order, as the customers are.
            while kept.next_if(|e| e.id < id).is_some() {}
            let had = kept.next_if(|e| e.id == id);
            match touched.contains(&(Kind::Customer, id)) {
                true => out.extend(contact_entry(r)),
                false => out.extend(had.cloned()),
            }
        }
        Some(out.into())
    }

    pub(super) fn deal_entry(&self, d: &Deal) -> Entry {
        let name = self.customer_name(d.customer).unwrap_or("?");
        Entry::new(Kind::Deal, d.id.0, format!("{} · {name}", d.title))
    }

    pub(super) fn ticket_entry(&self, t: &Ticket) -> Entry {
        let name = self.customer_name(t.customer).unwrap_or("?");
        let text = format!("#{} {} · {name}", t.id, t.subject);
        Entry::new(Kind::Ticket, t.id.0, text)
    }

    /// This snapshot's quick-lookup index made from `before`'s, if that one was built: entries of
    /// the records a write left alone are shared, and only the touched ones are made again. (At
    /// 100,000 customers a rebuild after every write of a team was a tenth of a server's time.)
    pub(super) fn finder_after(
        &self,
        before: &Snapshot,
        touched: &HashSet<(Kind, u64)>,
    ) -> Option<Index> {
        let old = before.finder_ready()?;
        let mut touched = touched.clone();
        // A renamed customer's deals and tickets read with the new name.
        let renamed: HashSet<CustomerId> = touched
            .iter()
            .filter(|(kind, _)| *kind == Kind::Customer)
            .map(|&(_, id)| CustomerId(id))
            .filter(|&id| before.customer_name(id) != self.customer_name(id))
            .collect();
        if !renamed.is_empty() {
            let deals = self.deals.iter().filter(|d| renamed.contains(&d.customer));
            touched.extend(deals.map(|d| (Kind::Deal, d.id.0)));
            let tickets = self
                .tickets
                .iter()
                .filter(|t| renamed.contains(&t.customer));
            touched.extend(tickets.map(|t| (Kind::Ticket, t.id.0)));
        }
        // Records keep their order within a kind across a patch, so the untouched entries are
        // where they were; any surprise, and the index is built afresh instead.
        let [customers, deals, tickets, accounts] = old.parts() else {
            return None;
        };
        let touched = &touched;
        let is = |kind: Kind| move |id: u64| touched.contains(&(kind, id));
        let ids: Vec<u64> = self.customers.iter().map(|r| r.id().0).collect();
        let customers = Part::after(customers, &ids, is(Kind::Customer), |i| {
            self.customer_entry(&self.customers[i])
        })?;
        let ids: Vec<u64> = self.deals.iter().map(|d| d.id.0).collect();
        let deals = Part::after(deals, &ids, is(Kind::Deal), |i| {
            self.deal_entry(&self.deals[i])
        })?;
        let ids: Vec<u64> = self.tickets.iter().map(|t| t.id.0).collect();
        let tickets = Part::after(tickets, &ids, is(Kind::Ticket), |i| {
            self.ticket_entry(&self.tickets[i])
        })?;
        let ids: Vec<u64> = self.accounts.iter().map(|a| a.id.0).collect();
        let accounts = Part::after(accounts, &ids, is(Kind::Account), |i| {
            account_entry(&self.accounts[i])
        })?;
        Some(Index::of_parts(vec![customers, deals, tickets, accounts]))
    }

    /// This snapshot with one record put in (or taken out, with `gone`); `reorder` follows.
    pub(super) fn patch(&mut self, record: &Record, gone: bool, parts: &mut Parts) {
        match record {
            Record::Customer(_) => parts.customers = true,
            Record::Deal(_) => parts.deals = true,
            Record::Ticket(_) => parts.tickets = true,
            Record::Note(_) | Record::Followup(_) | Record::Account(_) => {}
        }
        match record {
            Record::Customer(c) => {
                let at = self.position(c.id);
                let customers = Arc::make_mut(&mut self.customers);
                match (at, gone) {
                    (Ok(i), false) => customers[i] = CustomerRow::new(c),
                    (Err(i), false) => customers.insert(i, CustomerRow::new(c)),
                    (Ok(i), true) => drop(customers.remove(i)),
                    (Err(_), true) => {}
                }
            }
            Record::Deal(d) => {
                let deals = Arc::make_mut(&mut self.deals);
                deals.retain(|x| x.id != d.id || !gone);
                match deals.iter_mut().find(|x| x.id == d.id) {
                    Some(x) => *x = d.clone(),
                    None if !gone => deals.push(d.clone()),
                    None => {}
                }
            }
            Record::Ticket(t) => {
                let tickets = Arc::make_mut(&mut self.tickets);
                tickets.retain(|x| x.id != t.id || !gone);
                match tickets.iter_mut().find(|x| x.id == t.id) {
                    Some(x) => *x = t.clone(),
                    None if !gone => tickets.push(t.clone()),
                    None => {}
                }
            }
            Record::Followup(f) => {
                let all = Arc::make_mut(&mut self.followups);
                match (all.binary_search_by_key(&f.id, |x| x.id), gone) {
                    (Ok(i), false) => all[i] = f.clone(),
                    (Err(i), false) => all.insert(i, f.clone()),
                    (Ok(i), true) => drop(all.remove(i)),
                    (Err(_), true) => {}
                }
            }
            Record::Account(a) => {
                let all = Arc::make_mut(&mut self.accounts);
                match (all.binary_search_by_key(&a.id, |x| x.id), gone) {
                    (Ok(i), false) => all[i] = a.clone(),
                    (Err(i), false) => all.insert(i, a.clone()),
                    (Ok(i), true) => drop(all.remove(i)),
                    (Err(_), true) => {}
                }
            }
            Record::Note(_) => {}
        }
    }

    /// An account as a rep names it in a form: blank for none, `Name #id` (how forms show one),
    /// an id, or a name (folded as accounts are matched) only one account has.
    pub fn find_account(&self, text: &str) -> Result<Option<AccountId>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let by_id = |id: &str| {
            let id = id
                .trim()
                .trim_start_matches("account:")
                .parse::<u64>()
                .ok()?;
            self.account(AccountId(id)).map(|a| a.id)
        };
        if let Some(id) =
            by_id(text).or_else(|| text.rsplit_once('#').and_then(|(_, id)| by_id(id)))
        {
            return Ok(Some(id));
        }
        let key = crate::text::company(text);
        let named: Vec<&Account> = self
            .accounts
            .iter()
            .filter(|a| a.name_key() == key)
            .collect();
        match named.as_slice() {
            [one] => Ok(Some(one.id)),
            [] => Err(format!(
                "no account called '{text}': N on the customers table makes one"
            )),
            many => Err(format!(
                "{} accounts are called '{text}': add the id (#{})",
                many.len(),
                many.iter()
                    .map(|a| a.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", #")
            )),
        }
    }

    /// How a form shows an account: `Name #id`.
    pub fn account_label(&self, id: AccountId) -> String {
        self.account(id)
            .map_or_else(|| format!("#{id}"), |a| format!("{} #{}", a.name, a.id))
    }

    pub fn account(&self, id: AccountId) -> Option<&Account> {
        let at = self.accounts.binary_search_by_key(&id, |a| a.id).ok()?;
        Some(&self.accounts[at])
    }
}

/// Which kinds of record a change touched.
#[derive(Default)]
pub(super) struct Parts {
    customers: bool,
    deals: bool,
    tickets: bool,
}

impl Parts {
    const ALL: Parts = Parts {
        customers: true,
        deals: true,
        tickets: true,
    };
}

/// A customer's entry in the contacts index: name, email and phone; none without either. A
/// phone stored as a national number also carries its international form, so a caller's
/// "+44 7700 900123" finds "07700 900123".
pub(super) fn contact_entry(r: &CustomerRow) -> Option<Entry> {
    let international = international(r.phone(), r.country());
    let parts: Vec<&str> = [r.email(), r.phone()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| {
        let mut text = format!("{} · {}", r.name(), parts.join(" · "));
        if let Some(e164) = international {
            text.push_str(&format!(" ({e164})"));
        }
        Entry::new(Kind::Customer, r.id().0, text)
    })
}

/// The E.164 form of a phone written without its country code, read in the customer's country
/// (else the configured `phone_region`); None when it is written internationally already or
/// cannot be read.
pub(super) fn international(phone: &str, country: &str) -> Option<String> {
    let written = phone.trim_start();
    if written.is_empty() || written.starts_with('+') || written.starts_with("00") {
        return None;
    }
    let region = crate::clean::normal::phone_region(Some(country).filter(|c| !c.is_empty()))?;
    // Read, not checked against the plan: "07700 900123" is a number set aside for drama, and
    // still the one the caller reads out.
    crate::clean::normal::phone_key(phone, Some(region)).filter(|k| k.starts_with('+'))
}

/// An account as quick lookup finds it: by its name or its domain.
fn account_entry(a: &Account) -> Entry {
    let text = match &a.domain {
        Some(domain) => format!("{} — {domain}", a.name),
        None => a.name.clone(),
    };
    Entry::new(Kind::Account, a.id.0, text)
}
