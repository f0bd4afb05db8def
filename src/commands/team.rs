//! `rapport team`: the people who may sign in to `rapport serve`.

use crate::cli::{StatsFormat, TeamCommand};
use crate::store::Store;
use crate::team::{self, Key};
use std::io::Write;

pub fn team(store: &Store, command: &TeamCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match command {
        TeamCommand::Add { name, key, role } => {
            let key = Key::read(key)?;
            let member = team::add(store, name, &key, *role)?;
            writeln!(
                out,
                "added {} as {} ({})",
                member.name, member.role, member.fingerprint
            )?;
        }
        TeamCommand::List { format } => {
            let members = team::list(store)?;
            match format {
                StatsFormat::Json => {
                    let rows: Vec<_> = members
                        .iter()
                        .map(|m| {
                            serde_json::json!({
                                "name": m.name,
                                "role": m.role.name(),
                                "fingerprint": m.fingerprint,
                                "added": m.added.to_rfc3339(),
                            })
                        })
                        .collect();
                    serde_json::to_writer_pretty(&mut *out, &rows)?;
                    writeln!(out)?;
                }
                StatsFormat::Text if members.is_empty() => writeln!(
                    out,
                    "no one yet: add people with `rapport team add NAME --key FILE --role rep`"
                )?,
                StatsFormat::Text => {
                    let width = members.iter().map(|m| m.name.chars().count()).max();
                    let width = width.unwrap_or(4).max(4);
                    writeln!(out, "{:width$}  {:7}  KEY", "NAME", "ROLE")?;
                    for m in &members {
                        writeln!(
                            out,
                            "{:width$}  {:7}  {}",
                            m.name,
                            m.role.name(),
                            m.fingerprint
                        )?;
                    }
                }
            }
        }
        TeamCommand::Remove { name } => {
            let member = team::remove(store, name)?;
            writeln!(out, "removed {}", member.name)?;
        }
        TeamCommand::Role { name, role } => {
            let member = team::set_role(store, name, *role)?;
            writeln!(out, "{} is now {}", member.name, member.role)?;
        }
        // Blocks live in the server's memory: these reach it when it holds the database (the
        // command then runs inside it, over the control socket).
        TeamCommand::Blocked => match crate::serve::failures_of_this_process(store.path()) {
            None => writeln!(
                out,
                "no server is running on this database: nothing is blocked"
            )?,
            Some(failures) => {
                let blocked = failures.blocked_now();
                if blocked.is_empty() {
                    writeln!(out, "no address is blocked")?;
                }
                for (ip, lifts) in blocked {
                    writeln!(
                        out,
                        "{ip}\tblocked until {}",
                        lifts.format("%Y-%m-%d %H:%M:%S UTC")
                    )?;
                }
            }
        },
        TeamCommand::Unblock { address } => {
            match crate::serve::failures_of_this_process(store.path()) {
                None => writeln!(
                    out,
                    "no server is running on this database: nothing is blocked"
                )?,
                Some(failures) => match failures.unblock(*address) {
                    true => {
                        tracing::info!(%address, "an address was unblocked by the owner");
                        writeln!(out, "{address} may sign in again")?
                    }
                    false => writeln!(out, "{address} was not blocked")?,
                },
            }
        }
    }
    Ok(())
}
