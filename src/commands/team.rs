//! `rapport team`: the people who may sign in to `rapport serve`.

use crate::cli::{StatsFormat, TeamCommand, TeamKeyCommand};
use crate::ops::Ops;

use crate::team::Key;
use std::io::Write;

pub fn team(ops: &Ops, command: &TeamCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    // Changes go through `Ops`: checked against the role, and signed in the audit log.
    let ops = super::records::acting(ops, None);
    match command {
        TeamCommand::Add { name, key, role } => {
            let key = Key::read(key)?;
            let member = ops.add_member(name, &key, *role)?;
            writeln!(
                out,
                "added {} as {} ({})",
                member.name, member.role, member.fingerprint
            )?;
        }
        TeamCommand::List { format } => list(&ops, *format, out)?,
        TeamCommand::Remove { name } => {
            let member = ops.remove_member(name)?;
            writeln!(out, "removed {}", member.name)?;
        }
        TeamCommand::Key(TeamKeyCommand::Add { name, key }) => {
            let key = Key::read(key)?;
            let member = ops.add_member_key(name, &key)?;
            writeln!(
                out,
                "{} may now sign in with {} too ({} keys)",
                member.name,
                key.fingerprint,
                member.keys().count()
            )?;
        }
        TeamCommand::Key(TeamKeyCommand::Remove { name, key }) => {
            let member = ops.remove_member_key(name, key)?;
            writeln!(
                out,
                "{} no longer signs in with that key ({} left)",
                member.name,
                member.keys().count()
            )?;
        }
        TeamCommand::Role { name, role } => {
            let member = ops.set_member_role(name, *role)?;
            writeln!(out, "{} is now {}", member.name, member.role)?;
        }
        // Blocks live in the server's memory: these reach it when it holds the database (the
        // command then runs inside it, over the control socket).
        TeamCommand::Blocked => match crate::team::failures::serving(ops.records().path()) {
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
            match crate::team::failures::serving(ops.records().path()) {
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

/// Everyone who may sign in, with their role and keys.
fn list(ops: &Ops, format: StatsFormat, out: &mut dyn Write) -> anyhow::Result<()> {
    let members = ops.members()?;
    match format {
        StatsFormat::Json => {
            let rows: Vec<_> = members
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "name": m.name,
                        "role": m.role.name(),
                        "fingerprint": m.fingerprint,
                        "fingerprints": m.keys().map(|k| k.fingerprint).collect::<Vec<_>>(),
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
            writeln!(out, "{:width$}  {:7}  KEYS", "NAME", "ROLE")?;
            for m in &members {
                for (i, key) in m.keys().enumerate() {
                    let (name, role) = match i {
                        0 => (m.name.as_str(), m.role.name()),
                        _ => ("", ""),
                    };
                    writeln!(out, "{name:width$}  {role:7}  {}", key.fingerprint)?;
                }
            }
        }
    }
    Ok(())
}
