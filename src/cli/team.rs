//! The team server and who may sign in to it.

use super::*;

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

/// A count that must be 1 or more: 0 would turn everything away.
pub(super) fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be 1 or more".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
