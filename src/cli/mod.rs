//! The command tree: every command a user can type, in one place. The TUI, the headless commands
//! and batch scripts all parse through it; each group of commands has a file of its own.

mod accounts;
mod analysis;
mod daily;
mod data;
mod team;

pub use accounts::*;
pub use analysis::*;
pub use daily::*;
pub use data::*;
pub use team::*;

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
    /// Accounts: the businesses customers work for, each with its people, deals and tickets
    #[command(subcommand)]
    Account(AccountCommand),
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
            Some(Command::Import(c)) => out.extend(c.file().map(PathBuf::as_path)),
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
            Some(Command::Import(c)) => c.file().is_some_and(dash),
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
            Command::Import(
                ImportCommand::Orders { .. }
                    | ImportCommand::Customers { .. }
                    | ImportCommand::Accounts { .. }
            ) | Command::Demo(_)
                | Command::Restore { .. }
                | Command::Team(TeamCommand::Add { .. })
        )
    }

    pub fn resolve_paths(&mut self, cwd: &Path) {
        match self {
            Command::Backup { file } | Command::Restore { file } => resolve(file, cwd),
            Command::Import(c) => {
                if let Some(file) = c.file_mut() {
                    resolve(file, cwd);
                }
            }
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
