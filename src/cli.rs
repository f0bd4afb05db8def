//! The command tree: every command a user can type, in one place. The TUI, the headless commands
//! and (later) batch scripts all parse through it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// The heading every subcommand's help lists the options of the whole program under.
const GLOBAL: &str = "Global options";

#[derive(Debug, Parser)]
#[command(
    name = "rapport",
    version,
    about = "A terminal CRM: customers, deals, tickets and insights, over SSH.",
    after_help = "With no command, rapport opens the app on the database. Exit codes: 0 ok, 1 error, \
                  2 usage, 3 database in use, 4 rows rejected under --strict."
)]
pub struct Cli {
    /// The database directory [default: rapport.db in your data directory]
    #[arg(long, env = "RAPPORT_DB", global = true, value_name = "PATH", help_heading = GLOBAL)]
    pub db: Option<PathBuf>,

    /// Use the demo database (made in your data directory on first use): the app opens on it, and
    /// any command given runs on it (`rapport --demo today`)
    #[arg(long, conflicts_with = "db")]
    pub demo: bool,

    /// Colour theme: default, light, high-contrast, mono, or a NAME.toml in your config folder's themes/
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,

    /// Who you are to the records: whose are "mine", and whose name goes on what you write
    /// [default: `me` in config.toml, else your login name from the system's user database,
    /// else $USER]
    #[arg(long = "as", global = true, value_name = "NAME", help_heading = GLOBAL)]
    pub as_name: Option<String>,

    /// Open the app with every change turned off
    #[arg(long)]
    pub readonly: bool,

    /// Never open the app or touch the terminal. With no command: run the commands in FILE (or on
    /// standard input), one a line, `#` for comments, against one open database
    #[arg(long, global = true, value_name = "FILE", num_args = 0..=1, default_missing_value = "-", help_heading = GLOBAL)]
    pub batch: Option<PathBuf>,

    /// In a batch script, go on after a failing line (the exit code is still the first failure's)
    #[arg(long, global = true, requires = "batch", help_heading = GLOBAL)]
    pub keep_going: bool,

    /// The longest line (or CSV record) an import, a restore or a script may have; longer ones
    /// stop it with their line number. Raise it only for a file known to be right
    #[arg(long, global = true, value_name = "BYTES", default_value_t = crate::import::text::DEFAULT_MAX_LINE, value_parser = at_least_one, help_heading = GLOBAL)]
    pub max_line_bytes: usize,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read orders or customers from a file into the database
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a realistic demo dataset into the database
    Demo(DemoArgs),
    /// Association rules from the purchases: what is bought together (FP-growth)
    Rules(RulesArgs),
    /// Customer segments: RFM scores and names, and k-means clusters
    Segments(SegmentsArgs),
    /// Each customer's chance of still buying, purchases expected and 12-month value (BG/NBD and
    /// Gamma-Gamma, fitted to the purchases)
    Lifetime(LifetimeArgs),
    /// Customers that look like one person written twice, each pair with a score and reasons
    Duplicates(DuplicatesArgs),
    /// The customer data's quality: invalid emails, unreadable phones, missing key fields,
    /// duplicate pairs, orphaned records; exit code 4 above the limits given
    Check(CheckArgs),
    /// Weekly revenue and orders forecast, with a 95% prediction interval (the model chosen by
    /// how well each forecast the history's last weeks)
    Forecast(ForecastArgs),
    /// Next-purchase suggestions for a customer (or everyone), each with its reason
    Suggest(SuggestArgs),
    /// Measure how well the insights predict what happened
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Write records out, streamed, for scripts: CSV (default), TSV, JSON or NDJSON
    Export(ExportArgs),
    /// Write the whole database to FILE as NDJSON (- for standard output)
    Backup {
        /// Where to write it (- for standard output); a file appears whole or not at all
        file: PathBuf,
    },
    /// Load a backup into a new, empty database (--db)
    Restore {
        /// A file `rapport backup` wrote
        file: PathBuf,
    },
    /// Add a note to a customer's timeline (prints its id once it is on disk)
    Note {
        /// The customer: external id, id, or email
        customer: String,
        /// What to note: "called, wants a quote"
        text: String,
        /// note, call, email or meeting
        #[arg(long, default_value = "note")]
        kind: crate::domain::NoteKind,
        /// Who wrote it [default: --as, else your login name]
        #[arg(long)]
        author: Option<String>,
    },
    /// Follow-ups: what a rep means to do for a customer by when ("call back Friday")
    #[command(subcommand)]
    Followup(FollowupCommand),
    /// Reports for the sales meeting
    #[command(subcommand)]
    Report(ReportCommand),
    /// A rep's day: late and due follow-ups, tickets due, deals closing this week, calls to make
    Today(TodayArgs),
    /// Move a record to the trash, e.g. `rapport delete deal:42` (undelete brings it back)
    Delete {
        /// KIND:ID: customer:7, deal:42, ticket:3, note:12, followup:5, order:9 or product:4
        record: crate::domain::RecordRef,
    },
    /// List what is in the trash
    Trash,
    /// Bring back a deleted record, e.g. `rapport undelete customer:7` (with the notes deleted with it)
    Undelete {
        /// KIND:ID, as `rapport trash` lists it
        record: crate::domain::RecordRef,
    },
    /// Empty the trash for good
    Purge {
        /// Only what was deleted more than DAYS days ago
        #[arg(long, value_name = "DAYS")]
        older_than: Option<u32>,
    },
    /// Make two customers one: OTHER's orders, deals, tickets, notes and follow-ups move to KEEP,
    /// KEEP's empty fields are filled from OTHER, and OTHER goes to the trash; one transaction,
    /// journalled (`rapport unmerge` takes it back)
    Merge {
        /// The customer that stays: external id, id, or email
        keep: String,
        /// The customer merged into it
        other: String,
        /// Where both hold different values, take OTHER's for these fields (name, email, phone,
        /// company, street, …); KEEP's stay otherwise
        #[arg(long, value_name = "FIELD,…", value_delimiter = ',')]
        take: Vec<String>,
        /// Say what would happen, and write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Remember that two customers are two people: `rapport duplicates` and `rapport check`
    /// leave the pair out from now on
    Distinct {
        /// One customer: external id, id, or email
        a: String,
        /// The other
        b: String,
        /// Forget it: the pair may show as duplicates again
        #[arg(long)]
        undo: bool,
    },
    /// Take back the newest merge of CUSTOMER (of anyone, without it): every record as it was
    Unmerge {
        /// A customer of the merge (kept or merged away): external id, id, or email [default:
        /// the newest merge of all]
        customer: Option<String>,
        /// Even if records it touched have changed since (those changes are lost)
        #[arg(long)]
        force: bool,
    },
    /// Erase a customer's personal data (name, email, phone, company, tags, notes, ticket subjects
    /// and messages, deal titles), keeping their anonymous order history for the insights
    Forget {
        /// The customer: external id, id, or email
        customer: String,
        /// Yes, erase it: this cannot be undone
        #[arg(long)]
        yes: bool,
    },
    /// Measure what a rep feels on this database (cold start, quick lookup, frames), or time one
    /// algorithm on a file, for setting beside other tools
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Serve the app to the team over SSH: one process owns the database, each rep signs in with
    /// their key (see `rapport team`)
    Serve(ServeArgs),
    /// Who may sign in to `rapport serve`, by which key, in which role
    #[command(subcommand)]
    Team(TeamCommand),
    /// Who changed what: every write with its author, time, and fields before → after
    Audit(AuditArgs),
    /// Print how many records of each kind the database holds
    Stats {
        /// Text for people, JSON for scripts
        #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
        format: StatsFormat,
    },
}

impl Cli {
    /// Hands the global `--as` to the command that asks whose records ("me").
    pub fn settle(mut self) -> Cli {
        if let (Some(name), Some(command)) = (&self.as_name, &mut self.command) {
            let me = match command {
                Command::Followup(
                    FollowupCommand::Add { me, .. }
                    | FollowupCommand::List { me, .. }
                    | FollowupCommand::Done { me, .. }
                    | FollowupCommand::Snooze { me, .. },
                ) => me,
                Command::Today(args) => &mut args.me,
                _ => return self,
            };
            me.as_name = Some(name.clone());
        }
        self
    }

    /// Makes every file this command names absolute against `cwd`, for a command run by another
    /// process (the server) than the one it was typed to. "-" stays standard input or output.
    pub fn resolve_paths(&mut self, cwd: &Path) {
        if let Some(script) = &mut self.batch {
            resolve(script, cwd);
        }
        if let Some(command) = &mut self.command {
            command.resolve_paths(cwd);
        }
    }

    /// Every file the command names (read or written).
    pub fn paths(&self) -> Vec<&Path> {
        let mut out: Vec<&Path> = self.batch.iter().map(PathBuf::as_path).collect();
        match &self.command {
            Some(Command::Backup { file } | Command::Restore { file }) => out.push(file),
            Some(Command::Import(
                ImportCommand::Orders { file, .. } | ImportCommand::Customers { file, .. },
            )) => out.push(file),
            Some(Command::Export(args)) => out.extend(args.out.as_deref()),
            Some(Command::Bench(
                BenchCommand::Fpgrowth { file, .. } | BenchCommand::Kmeans { file, .. },
            )) => out.push(file),
            _ => {}
        }
        out
    }

    /// Whether this command reads standard input.
    pub fn reads_stdin(&self) -> bool {
        let dash = |p: &PathBuf| p.as_os_str() == "-" || stream_of(p) == Some(0);
        if self.batch.as_ref().is_some_and(dash) && self.command.is_none() {
            return true;
        }
        match &self.command {
            Some(Command::Restore { file }) => dash(file),
            Some(Command::Import(
                ImportCommand::Orders { file, .. } | ImportCommand::Customers { file, .. },
            )) => dash(file),
            _ => false,
        }
    }
}

impl Command {
    /// Whether the command may make a new database: the ones that put records in (or people, for
    /// a server being set up). Any other, on a database that is not there, is a mistyped path.
    pub fn makes_database(&self) -> bool {
        matches!(
            self,
            Command::Import(ImportCommand::Orders { .. } | ImportCommand::Customers { .. })
                | Command::Demo(_)
                | Command::Restore { .. }
                | Command::Team(TeamCommand::Add { .. })
        )
    }

    pub fn resolve_paths(&mut self, cwd: &Path) {
        match self {
            Command::Backup { file } | Command::Restore { file } => resolve(file, cwd),
            Command::Import(
                ImportCommand::Orders { file, .. } | ImportCommand::Customers { file, .. },
            ) => resolve(file, cwd),
            Command::Export(args) => {
                if let Some(out) = &mut args.out {
                    resolve(out, cwd);
                }
            }
            Command::Bench(
                BenchCommand::Fpgrowth { file, .. } | BenchCommand::Kmeans { file, .. },
            ) => resolve(file, cwd),
            Command::Bench(BenchCommand::Inputs { dir }) => resolve(dir, cwd),
            Command::Team(
                TeamCommand::Add { key, .. }
                | TeamCommand::Key(
                    TeamKeyCommand::Add { key, .. } | TeamKeyCommand::Remove { key, .. },
                ),
            ) if !key.starts_with("SHA256:") => {
                // A key given as a file name; a key given as text has spaces and is left as it is.
                let as_path = PathBuf::from(key.as_str());
                if !key.trim().contains(' ') && as_path.is_relative() {
                    *key = cwd.join(as_path).to_string_lossy().into_owned();
                }
            }
            _ => {}
        }
    }
}

/// The standard stream of the process (0, 1, 2) a path names (/dev/stdout, /dev/fd/1,
/// /proc/self/fd/1), or 3 for any other of its descriptors or of another process's; None for a
/// path that names no stream.
pub fn stream_of(path: &Path) -> Option<u8> {
    let text = path.to_str()?;
    let fd = match text {
        "/dev/stdin" => return Some(0),
        "/dev/stdout" => return Some(1),
        "/dev/stderr" | "/dev/tty" => return Some(2),
        _ => text
            .strip_prefix("/dev/fd/")
            .or_else(|| text.strip_prefix("/proc/self/fd/"))
            .or_else(|| text.strip_prefix("/proc/thread-self/fd/"))
            .or_else(|| {
                let rest = text.strip_prefix("/proc/")?;
                let (_, fd) = rest.split_once("/fd/")?;
                Some(fd)
            })?,
    };
    Some(fd.parse::<u8>().map_or(3, |n| n.min(3)))
}

fn resolve(path: &mut PathBuf, cwd: &Path) {
    if path.as_os_str() != "-" && path.is_relative() {
        *path = cwd.join(&*path);
    }
}

/// Who "me" is for a command: `--as`, moved here from the command line by `Cli::settle`.
#[derive(Debug, Clone, Default, Args)]
pub struct Me {
    #[arg(skip)]
    pub as_name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum FollowupCommand {
    /// Add a follow-up to a customer (prints its id once it is on disk)
    Add {
        /// The customer: external id, id, or email
        customer: String,
        /// What to do: "call back about the quote"
        text: String,
        /// When: 2026-12-04, "2026-12-04 14:30", today, "tomorrow 9:00", friday, +3d (UTC; a day
        /// alone means 17:00)
        #[arg(long, value_name = "WHEN")]
        due: String,
        /// About this deal of theirs
        #[arg(long, value_name = "ID")]
        deal: Option<u64>,
        /// About this ticket of theirs
        #[arg(long, value_name = "ID")]
        ticket: Option<u64>,
        /// Whose it is [default: me]
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
        #[command(flatten)]
        me: Me,
    },
    /// List follow-ups, soonest first: open ones, or with --all done ones too
    List {
        /// Only mine
        #[arg(long)]
        mine: bool,
        /// Only this rep's
        #[arg(long, value_name = "NAME", conflicts_with = "mine")]
        owner: Option<String>,
        /// Done ones too
        #[arg(long)]
        all: bool,
        /// Only those due by then (same forms as --due of add: today, friday, 2026-12-04)
        #[arg(long, value_name = "WHEN")]
        due_by: Option<String>,
        /// A table for people; csv, json or ndjson for scripts
        #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
        format: AuditFormat,
        #[command(flatten)]
        me: Me,
    },
    /// Mark a follow-up done, say what came of it, and schedule the next one
    Done {
        /// The follow-up's number, as `rapport followup list` shows it
        id: u64,
        /// What came of it: "spoke to Ada, sends the order Monday"
        #[arg(long, value_name = "TEXT")]
        outcome: Option<String>,
        /// Schedule the next step for then
        #[arg(long, value_name = "WHEN")]
        next: Option<String>,
        /// The next step's text [default: the same as this one's]
        #[arg(long, value_name = "TEXT", requires = "next")]
        next_text: Option<String>,
        #[command(flatten)]
        me: Me,
    },
    /// Put a follow-up off: to a time, or by a day into working hours (09:00-17:00, weekdays)
    Snooze {
        /// The follow-up's number, as `rapport followup list` shows it
        id: u64,
        /// When instead: the same forms as --due of add (friday, "tomorrow 9:00", +2d) [default:
        /// a day on, into working hours]
        #[arg(long, value_name = "WHEN")]
        to: Option<String>,
        #[command(flatten)]
        me: Me,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Open deals by stage, won and lost this month and quarter, win rate, days to close
    Pipeline {
        /// One report per owner after everyone's
        #[arg(long, value_enum)]
        by: Option<ReportBy>,
        /// A table for people; csv, json or ndjson (one row a figure) for scripts
        #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
        format: AuditFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportBy {
    Owner,
}

#[derive(Debug, Args)]
pub struct TodayArgs {
    /// Everyone's day, not only mine
    #[arg(long)]
    pub everyone: bool,
    /// Leave out the calls to make (they need the insights: seconds on a large database)
    #[arg(long)]
    pub no_calls: bool,
    /// Text for people (a morning mail), JSON for scripts
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
    #[command(flatten)]
    pub me: Me,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Orders (creating their customers and products as it goes)
    Orders {
        /// The file to read (- for standard input)
        file: PathBuf,
        /// The file's layout
        #[arg(long, value_enum)]
        format: OrderFormat,
        #[command(flatten)]
        common: ImportOptions,
    },
    /// Customers from a CSV file with a header row
    Customers {
        /// A CSV file with a header row (- for standard input)
        file: PathBuf,
        /// create: new customers only; update: existing only; upsert: either
        #[arg(long, value_enum, default_value_t = crate::import::Mode::Upsert)]
        mode: crate::import::Mode,
        /// What identifies an existing customer [default: external id, else email]
        #[arg(long = "match", value_enum, value_name = "KEY")]
        match_by: Option<crate::import::MatchBy>,
        /// With --match fuzzy: the score (0 to 1) from which a row updates the customer it
        /// most likely is [default: 0.9]
        #[arg(long, value_name = "S", value_parser = parse_share)]
        min_score: Option<f64>,
        /// What an empty cell does to a value an existing customer has: keep it, or clear it
        #[arg(long, value_enum, default_value_t = crate::import::Blank::Keep)]
        blank: crate::import::Blank,
        /// Print what would be created, updated (each field, before -> after) and rejected, and
        /// write nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: ImportOptions,
    },
    /// List the imports, newest last, with the number to revert them by
    List,
    /// Take an import back completely: what it created goes, what it changed is put back
    Revert {
        /// The import's number, as `rapport import list` shows it
        #[arg(value_name = "IMPORT")]
        number: u64,
        /// Also put back records that were changed again after the import
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct ImportOptions {
    /// Exit with code 4 if any row was rejected (the good rows are still imported)
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderFormat {
    /// UCI Online Retail: InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
    OnlineRetail,
    /// CDNOW: customer_id date(YYYYMMDD) number_of_cds dollar_value, whitespace-separated
    Cdnow,
    /// One basket a line, comma-separated item names
    Baskets,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only changes made by NAME
    #[arg(long, value_name = "NAME")]
    pub who: Option<String>,
    /// Only changes on or after DATE (YYYY-MM-DD, UTC)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only changes to one record, e.g. customer:7 or deal:12
    #[arg(long, value_name = "KIND:ID")]
    pub record: Option<crate::domain::RecordRef>,
    /// A table for people; csv, json or ndjson for scripts
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AuditFormat {
    Table,
    Csv,
    Json,
    Ndjson,
}

impl AuditFormat {
    /// The rows' export format; None for a table, which each command lays out itself.
    pub fn rows(self) -> Option<crate::export::Format> {
        use crate::export::Format;
        match self {
            AuditFormat::Table => None,
            AuditFormat::Csv => Some(Format::Csv),
            AuditFormat::Json => Some(Format::Json),
            AuditFormat::Ndjson => Some(Format::Ndjson),
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on; 0.0.0.0:2222 opens it to the network
    #[arg(long, default_value = "127.0.0.1:2222", value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    /// End a session after this many minutes without a key pressed (0: never)
    #[arg(long, default_value_t = 60, value_name = "MINUTES")]
    pub idle_minutes: u32,
    /// Milliseconds a lone Esc waits for the rest of a key's sequence before it is the Esc key
    /// (tmux's escape-time); raise it if arrows or Alt keys read as Esc over a slow link
    #[arg(long, default_value_t = 15, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=2000))]
    pub escape_time: u64,
    /// Sessions served at once; more are turned away
    #[arg(long, default_value_t = 64, value_name = "N", value_parser = at_least_one)]
    pub max_sessions: usize,
    /// Seconds a connection has to sign in before it is closed (OpenSSH's LoginGraceTime)
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = at_least_one)]
    pub grace_seconds: usize,
    /// Connections not yet signed in, from all addresses together; more are turned away
    /// (OpenSSH's MaxStartups)
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = at_least_one)]
    pub max_startups: usize,
    /// Connections not yet signed in from one address (OpenSSH's PerSourceMaxStartups)
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = at_least_one)]
    pub max_startups_per_address: usize,
    /// Colour theme for every session (each follows its own terminal's colours)
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub theme: String,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Let someone sign in with their SSH public key
    Add {
        /// The name the team knows them by (who "me" is in their sessions)
        name: String,
        /// The public key (id_ed25519.pub) or its one line
        #[arg(long, value_name = "FILE_OR_KEY")]
        key: String,
        /// viewer, rep, manager or admin
        #[arg(long, default_value = "rep")]
        role: crate::domain::Role,
    },
    /// Everyone who may sign in, with their role and key fingerprint
    List {
        /// Text for people, JSON for scripts
        #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
        format: StatsFormat,
    },
    /// Take someone off the team; their open sessions end
    Remove {
        /// The member's name
        name: String,
    },
    /// Change someone's role; it applies to their open sessions at once
    Role {
        /// The member's name
        name: String,
        /// viewer, rep, manager or admin
        role: crate::domain::Role,
    },
    /// Give someone another key (a second device), or take one away
    #[command(subcommand)]
    Key(TeamKeyCommand),
    /// Addresses the running server refuses after failed sign-ins, and when each block lifts
    Blocked,
    /// Lift the running server's block on an address (after failed sign-ins)
    Unblock {
        /// The address, as `rapport team blocked` lists it
        address: std::net::IpAddr,
    },
}

#[derive(Debug, Subcommand)]
pub enum TeamKeyCommand {
    /// Let a member sign in with one more key
    Add {
        /// The member's name
        name: String,
        /// The public key (id_ed25519.pub) or its one line
        #[arg(long, value_name = "FILE_OR_KEY")]
        key: String,
    },
    /// Stop a key from signing in; sessions signed in with it end
    Remove {
        /// The member's name
        name: String,
        /// The key's fingerprint (SHA256:..., as `team list` shows), its .pub file or its line
        key: String,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many customers (1 to 1,000,000)
    #[arg(long, default_value_t = crate::demo::DEFAULT_CUSTOMERS, value_parser = demo_customers)]
    pub customers: usize,
    /// Seed for the generator: the same seed, size and date give the same data
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// The day the history ends (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BasketsBy {
    /// One basket per order
    Order,
    /// One basket per customer: everything they ever bought
    Customer,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Least share of baskets holding the whole rule (0.01 = 1%; above 0, at most 1)
    #[arg(long, default_value_t = 0.01, value_parser = support)]
    pub min_support: f64,
    /// Least share of the antecedent's baskets that also hold the consequent (0 to 1)
    #[arg(long, default_value_t = 0.5, value_parser = share)]
    pub min_confidence: f64,
    /// Least lift (1 = no better than chance; 0 or more)
    #[arg(long, default_value_t = 1.0, value_parser = non_negative)]
    pub min_lift: f64,
    /// Most items in a rule, both sides together (0 = no limit)
    #[arg(long, default_value_t = 0)]
    pub max_len: usize,
    /// What a basket is: one order, or everything one customer bought
    #[arg(long, value_enum, default_value_t = BasketsBy::Order)]
    pub by: BasketsBy,
    /// Show only the strongest N rules (0 = all) [default: 50 in the table, all in csv and json]
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// A table for people; csv or json for scripts
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

/// Rules the table shows when no --top is given: a table of thousands is read by no one.
pub const TABLE_RULES: usize = 50;

#[derive(Debug, Args)]
pub struct SegmentsArgs {
    /// Clusters: a number from 2, or auto (chosen by silhouette over 2-8)
    #[arg(long, default_value = "auto", value_parser = parse_k)]
    pub k: crate::insights::cluster::ClusterCount,
    /// Measure recency as of this day (YYYY-MM-DD) [default: the newest order in the data]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Seed for k-means: the same seed and data give the same clusters
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Table: a summary per segment and cluster; csv and json: one row per customer
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct LifetimeArgs {
    /// Fit on the purchases up to this day (YYYY-MM-DD); later ones are ignored [default: the
    /// newest purchase]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Purchases expected over this many days
    #[arg(long, value_name = "N", default_value_t = 365)]
    pub horizon_days: u32,
    /// Churn risk: the chance of buying nothing in this many days
    #[arg(long, value_name = "N", default_value_t = 90, value_parser = clap::value_parser!(u32).range(7..=730))]
    pub churn_days: u32,
    /// Only the fitted parameters and log-likelihoods
    #[arg(long)]
    pub params: bool,
    /// Table: the fit and the 20 most valuable customers; csv, json, ndjson: one row per customer
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// Only pairs at least this likely to be one person (0 to 1)
    #[arg(long, value_name = "S", default_value_t = crate::clean::link::DEFAULT_SCORE, value_parser = parse_share)]
    pub min_score: f64,
    /// Table: the 50 likeliest pairs; csv, json, ndjson: every pair
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

/// A number from 0 to 1.
fn parse_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{text}' is not a number from 0 to 1")),
    }
}

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Forecast from the complete weeks up to this day (YYYY-MM-DD); later purchases are ignored
    /// [default: the newest purchase]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Weeks ahead
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=104))]
    pub weeks: u32,
    /// A table for people; csv, json or ndjson for scripts
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

/// Demo sizes past this take many minutes and gigabytes; a typo should not start that.
pub const MAX_DEMO_CUSTOMERS: usize = 1_000_000;

fn demo_customers(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_DEMO_CUSTOMERS).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{text}' is not a whole number from 1 to {MAX_DEMO_CUSTOMERS}"
        )),
    }
}

fn number(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("'{text}' is not a number")),
    }
}

/// A support: a share of baskets above 0 (0 would make every itemset frequent) and at most 1.
fn support(text: &str) -> Result<f64, String> {
    match number(text)? {
        x if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(format!(
            "'{text}' is not a share above 0 and at most 1 (0.01 = 1%)"
        )),
    }
}

fn share(text: &str) -> Result<f64, String> {
    match number(text)? {
        x if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("'{text}' is not a share from 0 to 1 (0.5 = 50%)")),
    }
}

fn non_negative(text: &str) -> Result<f64, String> {
    match number(text)? {
        x if x >= 0.0 => Ok(x),
        _ => Err(format!("'{text}' is not a number from 0")),
    }
}

fn parse_k(text: &str) -> Result<crate::insights::cluster::ClusterCount, String> {
    use crate::insights::cluster::ClusterCount;
    if text.eq_ignore_ascii_case("auto") {
        return Ok(ClusterCount::Auto);
    }
    match text.parse::<usize>() {
        Ok(k) if k >= 2 => Ok(ClusterCount::Fixed(k)),
        _ => Err(format!("'{text}' is not auto or a whole number from 2")),
    }
}

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The customer: external id, id, or email (or --all for everyone)
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub customer: Option<String>,
    /// Suggestions for every customer with purchases
    #[arg(long)]
    pub all: bool,
    /// Suggestions per customer
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// A table for people; csv or json for scripts
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Train on orders before a date, test on the new items each customer bought after it; rapport's
    /// suggestions against a popularity baseline
    Suggestions {
        /// The first day of the test period (YYYY-MM-DD); or --holdout-last
        #[arg(
            long,
            value_name = "DATE",
            required_unless_present = "holdout_last",
            conflicts_with = "holdout_last"
        )]
        split_date: Option<chrono::NaiveDate>,
        /// Test on the last N days of the data instead
        #[arg(long, value_name = "DAYS")]
        holdout_last: Option<u32>,
        /// Suggestions per customer that count
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// A table for people; csv or json for scripts
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Churn risk learned before a date and checked against who bought nothing in the days
    /// after it: AUC and precision at the top 10%, beside BG/NBD and recency alone; and BG/NBD's
    /// repeat purchases after the date against those made, beside a naive rate
    Churn {
        /// The day the risk is scored on (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        split_date: chrono::NaiveDate,
        /// Churned: nothing bought in this many days after the split
        #[arg(long, value_name = "N", default_value_t = 90, value_parser = clap::value_parser!(u32).range(7..=730))]
        horizon_days: u32,
        /// Repeat purchases predicted by BG/NBD are checked against those made up to this day
        /// (YYYY-MM-DD) [default: the newest purchase]
        #[arg(long, value_name = "DATE")]
        holdout_end: Option<chrono::NaiveDate>,
        /// A table for people; csv or json for scripts
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Duplicates written into the demo's customers (typos, swapped names, nicknames, fields
    /// left out, phones and streets written another way, changed emails; and housemates who are
    /// not duplicates), then found again: precision, recall and F1 at the threshold
    Duplicates(EvalDuplicatesArgs),
    /// Weekly revenue forecast on all but the last weeks, checked against them: MASE and sMAPE of
    /// the chosen model and of each method beside it, the naive forecasts among them
    Forecast {
        /// Weeks held out at the end of the history
        #[arg(long, value_name = "N", default_value_t = 13, value_parser = clap::value_parser!(u32).range(1..=104))]
        holdout_weeks: u32,
        /// Count the complete weeks up to this day [default: the newest purchase]
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
        /// A table for people; csv or json for scripts
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also name every record behind each count
    #[arg(long)]
    pub list: bool,
    /// Fail (exit 4) with more than N duplicate pairs
    #[arg(long, value_name = "N")]
    pub max_duplicates: Option<usize>,
    /// Fail (exit 4) with more than N invalid emails and unreadable phones together
    #[arg(long, value_name = "N")]
    pub max_invalid: Option<usize>,
    /// Fail (exit 4) with more than N orphaned or damaged records together
    #[arg(long, value_name = "N")]
    pub max_orphans: Option<usize>,
    /// Duplicate pairs at least this likely count
    #[arg(long, value_name = "S", default_value_t = crate::clean::link::DEFAULT_SCORE)]
    pub min_score: f64,
    /// A table for people, JSON for scripts
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct EvalDuplicatesArgs {
    /// Clean customers, as `rapport demo` makes them
    #[arg(long, value_name = "N", default_value_t = 3_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub customers: u64,
    /// The share of them written a second time
    #[arg(long, value_name = "S", default_value_t = 0.05, value_parser = parse_share)]
    pub share: f64,
    /// Seed for the records and the duplicates written into them
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Pairs at least this likely count as found
    #[arg(long, value_name = "S", default_value_t = crate::clean::link::DEFAULT_SCORE, value_parser = parse_share)]
    pub min_score: f64,
    /// Keep only names and addresses, as many lists hold (no email, phone or company)
    #[arg(long)]
    pub names_and_addresses: bool,
    /// Also write the labelled customers to FILE as CSV, with the person each record is, for
    /// other tools to be measured on the same records
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// A table for people; csv or json for scripts
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which records (the README lists each one's columns)
    #[arg(value_enum)]
    pub what: crate::export::What,
    /// How to write them
    #[arg(long, value_enum, default_value_t = crate::export::Format::Csv)]
    pub format: crate::export::Format,
    /// Only the ids, one per line
    #[arg(long)]
    pub ids_only: bool,
    /// Write to FILE (replaced only once the export is complete) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub filters: crate::export::Filters,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Everything the app shows from the insights (segments, rules, suggestions, lifetime,
    /// forecast) computed from the database: the median of several runs, part by part
    Insights {
        /// Times to compute it (the median is reported)
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=50))]
        runs: u32,
    },
    /// Cold start to the first frame, quick lookup over every prefix of 20 queries, moving about
    App,
    /// Many app sessions in one process over one read model, as the team server runs them: memory
    /// per session and the first frame of a new session
    Sessions {
        /// Sessions to open
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=500))]
        count: u16,
    },
    /// Reps over SSH against `rapport serve` on this database, at a person's pace: key-to-screen
    /// latency, bytes per key, writes seen by others, and the server's memory and CPU. It adds
    /// bench-N members for the run and moves deals back and forth: use a demo database
    Serve {
        /// Reps signed in at once
        #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u16).range(1..=500))]
        sessions: u16,
        /// How long they work
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
        seconds: u64,
        /// Threads for the simulated clients (they share the machine with the server)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        client_threads: u16,
        /// The rapport binary that serves (default: this one), to compare two builds under one
        /// client
        #[arg(long)]
        server: Option<PathBuf>,
    },
    /// FP-growth alone on a baskets file (one basket a line, items comma-separated)
    Fpgrowth {
        /// The baskets file
        file: PathBuf,
        /// Least share of baskets an itemset is in
        #[arg(long, default_value_t = 0.005, value_parser = support)]
        min_support: f64,
        /// Longest itemset (0 = no limit)
        #[arg(long, default_value_t = 0)]
        max_len: usize,
        /// Times to run it (each is reported)
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// k-means alone on a CSV matrix of numbers (no header), standardised first as the insights do
    Kmeans {
        /// The CSV matrix
        file: PathBuf,
        /// Clusters
        #[arg(long, default_value_t = 8)]
        k: usize,
        /// Times to run it (each is reported)
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Write the inputs the side-by-side comparison uses: the baskets and the RFM feature matrix
    Inputs {
        /// Folder to write baskets.csv and features.csv into
        dir: PathBuf,
    },
}

/// A count that must be 1 or more: 0 would turn everything away.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be 1 or more".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
