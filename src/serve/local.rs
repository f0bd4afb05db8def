//! The owner's own app while the server runs: `rapport` in a local shell reaches the server over
//! the control socket (which serves its owner only) and runs as a session like a rep's.

use super::Shared;
use super::input;
use super::registry::OWNER;
use super::session::{self, Term};
use crate::domain::{Member, Role};
use crate::tui::app::Event;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::Arc;

/// A key frame is what one read of a terminal gives; a size frame is two numbers.
const MAX_INPUT_FRAME: u32 = 64 << 10;

/// What the client sent, NUL-separated: TERM, COLORTERM, NO_COLOR, width, height, then the
/// `--as` name (empty for none) and "readonly" for `--readonly`.
struct Request {
    term: Term,
    as_name: Option<String>,
    readonly: bool,
}

fn request_of(request: &[u8]) -> Result<Request, String> {
    let parts: Vec<String> = request
        .split(|&b| b == 0)
        .map(|p| String::from_utf8_lossy(p).chars().take(64).collect())
        .collect();
    let text = |i: usize| parts.get(i).filter(|s| !s.is_empty()).cloned();
    let number = |i: usize| text(i).and_then(|s| s.parse::<u32>().ok()).unwrap_or(24);
    let as_name = text(5).map(|n| n.trim().to_string());
    if as_name
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.chars().any(char::is_control))
    {
        return Err("--as takes a name without control characters".into());
    }
    Ok(Request {
        term: Term {
            name: text(0),
            colorterm: text(1),
            no_color: text(2),
            width: session::side(number(3)),
            height: session::side(number(4)),
        },
        as_name,
        readonly: text(6).as_deref() == Some("readonly"),
    })
}

pub fn attach(shared: &Arc<Shared>, stream: UnixStream, request: &[u8]) {
    let Ok(mut out) = crate::control::frames(&stream, b'o') else {
        return;
    };
    let Request {
        term,
        as_name,
        readonly,
    } = match request_of(request) {
        Ok(request) => request,
        Err(why) => {
            let _ = write!(out, "rapport: {why}\r\n");
            let _ = out.flush();
            return;
        }
    };
    // The owner's rights, as the app alone has them, under the name asked for; `--readonly`
    // makes the session a viewer's (a manager's shared login relies on it).
    let owner = Member {
        id: OWNER,
        name: as_name.unwrap_or_else(|| crate::ops::Actor::local().name),
        role: match readonly {
            true => Role::Viewer,
            false => Role::Admin,
        },
        key: String::new(),
        fingerprint: String::new(),
        added: chrono::Utc::now(),
        more_keys: Vec::new(),
    };
    let (to_app, events) = std::sync::mpsc::channel();
    let seat = match shared.registry.join(&owner, "", to_app.clone()) {
        Ok(seat) => seat,
        Err(full) => {
            let _ = write!(out, "rapport: {full}\r\n");
            let _ = out.flush();
            return;
        }
    };
    let Ok(keys) = stream.try_clone() else { return };
    let sender = to_app.clone();
    let Ok(input) = input::reader(to_app.clone(), "owner", shared.escape_time) else {
        return;
    };
    let seat = Arc::new(seat);
    let touched = Arc::clone(&seat);
    std::thread::spawn(move || {
        while let Ok(frame) = crate::control::read_frame(&keys, MAX_INPUT_FRAME) {
            let event = match frame.split_first() {
                Some((b'i', bytes)) => {
                    touched.touch();
                    let _ = input.send(bytes.to_vec());
                    continue;
                }
                Some((b'r', size)) => {
                    let text = String::from_utf8_lossy(size);
                    let mut numbers = text.split(' ').filter_map(|n| n.parse::<u32>().ok());
                    match (numbers.next(), numbers.next()) {
                        (Some(w), Some(h)) => Event::Resize(session::side(w), session::side(h)),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let _ = sender.send(event);
        }
        let _ = sender.send(Event::End("disconnected".into()));
    });
    tracing::info!(owner = %owner.name, readonly, "local session started");
    match session::run(shared, &owner, &term, out, events, to_app) {
        Ok(why) => tracing::info!(?why, "local session ended"),
        Err(e) => tracing::warn!("local session failed: {e:#}"),
    }
    drop(seat);
    if let Ok(mut done) = crate::control::frames(&stream, b'x') {
        let _ = done.write_all(b"0");
    }
}
