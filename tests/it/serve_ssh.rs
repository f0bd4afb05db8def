//! `rapport serve` driven as reps drive it: over SSH, by a russh client in this process, reading
//! the screen each rep sees through a terminal emulator (vt100). No system sshd is needed.

use crate::common;

use rapport::bench::load::Client;
use rapport::domain::Role;
use rapport::model::ReadModel;
use rapport::serve::{Running, ServeOptions};
use russh::ChannelMsg;
use russh::client::{self, Handle};
use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg};
use std::sync::Arc;
use std::time::Duration;

/// How long a screen may take to show what a test waits for; far above what it takes.
const PATIENCE: Duration = Duration::from_secs(20);

fn key(seed: u8) -> PrivateKey {
    let pair = Ed25519Keypair::from_seed(&[seed; 32]);
    PrivateKey::new(KeypairData::Ed25519(pair), "test").unwrap()
}

struct Team {
    _dir: tempfile::TempDir,
    model: Arc<ReadModel>,
    running: Option<Running>,
    runtime: tokio::runtime::Runtime,
}

/// A small demo database with these members (name, key seed, role), served on a free port.
fn serve(members: &[(&str, u8, Role)]) -> Team {
    serve_with(members, |_| {})
}

/// As `serve`, with the server's options changed by `change`.
fn serve_with(members: &[(&str, u8, Role)], change: impl FnOnce(&mut ServeOptions)) -> Team {
    let dir = tempfile::tempdir().unwrap();
    let store = common::small_demo(&dir.path().join("db"));
    for (name, seed, role) in members {
        let public = rapport::team::Key::of(key(*seed).public_key()).unwrap();
        rapport::team::add(&store, name, &public, *role).unwrap();
    }
    let model = ReadModel::new(store);
    let mut options = ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        idle: None,
        escape_time: rapport::serve::input::ESC_WAIT,
        max_sessions: 8,
        theme: "default".into(),
        config_dir: None,
        grace: Duration::from_secs(30),
        limits: Default::default(),
    };
    change(&mut options);
    let running = rapport::serve::start(Arc::clone(&model), options).unwrap();
    Team {
        _dir: dir,
        model,
        running: Some(running),
        runtime: tokio::runtime::Runtime::new().unwrap(),
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop();
        }
    }
}

impl Team {
    /// The database as its owner changes it, from the shell while the server runs.
    fn owner(&self) -> rapport::ops::Ops {
        rapport::ops::Ops::shared(self.model.clone(), rapport::ops::Actor::local())
    }

    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// Signs in with key `seed`; `None` when refused.
    fn sign_in(&self, seed: u8) -> Option<Handle<Client>> {
        let running = self.running.as_ref().unwrap();
        let (addr, host) = (running.addr, running.host_fingerprint.clone());
        self.block_on(async move {
            let config = Arc::new(client::Config::default());
            let mut handle = client::connect(config, addr, Client { host })
                .await
                .unwrap();
            let key = PrivateKeyWithHashAlg::new(Arc::new(key(seed)), None);
            let auth = handle.authenticate_publickey("anyone", key).await.unwrap();
            auth.success().then_some(handle)
        })
    }

    /// A rep at a terminal of `width` x `height`, once their first screen is drawn.
    fn rep(&self, seed: u8, width: u16, height: u16) -> Rep {
        let handle = self.sign_in(seed).expect("a member's key is let in");
        let channel = self.block_on(async {
            let channel = handle.channel_open_session().await.unwrap();
            let (w, h) = (u32::from(width), u32::from(height));
            channel
                .request_pty(true, "xterm-256color", w, h, 0, 0, &[])
                .await
                .unwrap();
            channel.request_shell(true).await.unwrap();
            channel
        });
        let mut rep = Rep {
            _handle: handle,
            channel,
            screen: vt100::Parser::new(height, width, 0),
            closed: false,
        };
        rep.wait_for(self, "Customers");
        rep
    }
}

struct Rep {
    _handle: Handle<Client>,
    channel: russh::Channel<client::Msg>,
    screen: vt100::Parser,
    closed: bool,
}

impl Rep {
    fn press(&mut self, team: &Team, keys: &str) {
        let bytes = keys.as_bytes().to_vec();
        team.block_on(self.channel.data_bytes(bytes)).unwrap();
    }

    fn text(&self) -> String {
        self.screen.screen().contents()
    }

    /// Reads what the server sends until the screen holds `wanted`; the screen when it does.
    fn wait_for(&mut self, team: &Team, wanted: &str) -> String {
        self.wait_until(team, |screen| screen.contains(wanted))
            .unwrap_or_else(|screen| panic!("never showed {wanted:?}; the screen:\n{screen}"))
    }

    fn wait_until(&mut self, team: &Team, done: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !done(&self.text()) {
            if self.closed {
                return Err(self.text());
            }
            let wait = self.channel.wait();
            let next = team.block_on(async { tokio::time::timeout_at(deadline, wait).await });
            match next {
                Err(_) => return Err(self.text()),
                Ok(None | Some(ChannelMsg::Close)) => self.closed = true,
                Ok(Some(ChannelMsg::Data { data })) => self.screen.process(&data),
                Ok(Some(ChannelMsg::ExtendedData { data, .. })) => self.screen.process(&data),
                Ok(Some(_)) => {}
            }
        }
        Ok(self.text())
    }

    fn resize(&mut self, team: &Team, width: u16, height: u16) {
        self.screen.screen_mut().set_size(height, width);
        let (w, h) = (u32::from(width), u32::from(height));
        team.block_on(self.channel.window_change(w, h, 0, 0))
            .unwrap();
    }
}

/// The number after `label` on the screen ("lead 118" → 118).
fn count_after(screen: &str, label: &str) -> usize {
    let at = screen
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in\n{screen}"));
    screen[at + label.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[test]
fn an_unknown_key_is_refused_and_a_members_key_is_let_in() {
    let team = serve(&[("bea", 1, Role::Rep)]);
    assert!(team.sign_in(99).is_none(), "a key not on the team");
    assert!(team.sign_in(1).is_some());
}

#[test]
fn two_reps_see_each_others_writes_and_who_else_is_on() {
    let team = serve(&[("ana", 1, Role::Manager), ("bea", 2, Role::Rep)]);
    let mut ana = team.rep(1, 100, 30);
    let mut bea = team.rep(2, 100, 30);
    bea.wait_for(&team, "bea · 1 other on");
    ana.wait_for(&team, "ana · 1 other on");
    ana.press(&team, "2");
    bea.press(&team, "2");
    let before = count_after(&bea.wait_for(&team, "lead "), "lead ");
    // ana moves the first lead on to the next stage; bea's board follows without a key pressed.
    ana.wait_for(&team, "lead ");
    ana.press(&team, ">");
    ana.wait_for(&team, "saved deal");
    let after = bea.wait_until(&team, |s| s.contains(&format!("lead {}", before - 1)));
    assert!(
        after.is_ok(),
        "bea's board never lost the lead:\n{}",
        bea.text()
    );
    let log = team.model.store().audit(&Default::default()).unwrap();
    let logged: Vec<_> = log
        .iter()
        .filter(|e| e.kind != "member")
        .map(|e| (e.actor.as_str(), e.op.as_str(), e.kind.as_str()))
        .collect();
    assert_eq!(
        logged,
        [("ana", "update", "deal")],
        "the write, under its maker's name"
    );
    drop(ana);
    bea.wait_for(&team, "bea · no one else on");
}

#[test]
fn a_viewer_cannot_edit_and_a_rep_cannot_bulk_edit() {
    let team = serve(&[("bea", 2, Role::Rep), ("cal", 3, Role::Viewer)]);
    let mut cal = team.rep(3, 80, 24);
    cal.wait_for(&team, "read-only");
    cal.press(&team, "e");
    cal.wait_for(&team, "only reads");
    let mut bea = team.rep(2, 80, 24);
    bea.press(&team, "v");
    bea.press(&team, "j");
    bea.press(&team, "v");
    bea.wait_for(&team, "2 marked");
    bea.press(&team, "e");
    bea.wait_for(&team, "only a manager can change many records at once");
    assert!(!bea.text().contains("Enter saves"), "no bulk form opened");
}

#[test]
fn a_window_change_redraws_at_the_new_size() {
    let team = serve(&[("bea", 2, Role::Rep)]);
    let mut bea = team.rep(2, 80, 24);
    bea.press(&team, "2");
    bea.wait_for(&team, "qual ");
    bea.resize(&team, 120, 40);
    bea.wait_for(&team, "qualified ");
    let rows = bea.text().lines().count();
    assert!(rows > 30, "{rows} rows drawn after growing to 40");
}

#[test]
fn commands_and_forwarding_are_refused() {
    let team = serve(&[("bea", 2, Role::Rep)]);
    let handle = team.sign_in(2).unwrap();
    let (answer, said) = team.block_on(async {
        let mut channel = handle.channel_open_session().await.unwrap();
        channel.exec(true, "cat /etc/passwd").await.unwrap();
        let mut said = Vec::new();
        loop {
            match channel.wait().await {
                Some(ChannelMsg::Success) => return ("success", said),
                Some(ChannelMsg::Failure) => return ("failure", said),
                Some(ChannelMsg::ExtendedData { data, .. }) => said.extend_from_slice(&data),
                Some(_) => {}
                None => return ("closed", said),
            }
        }
    });
    assert_eq!(answer, "failure");
    // The reason comes before the failure: OpenSSH prints it, then exits.
    let said = String::from_utf8_lossy(&said);
    assert!(said.contains("runs the rapport app only"), "{said:?}");
    let forwarded =
        team.block_on(handle.channel_open_direct_tcpip("127.0.0.1", 22, "127.0.0.1", 5000));
    assert!(forwarded.is_err(), "a tunnel was opened");
}

#[test]
fn a_rep_taken_off_the_team_is_signed_out_at_once() {
    let team = serve(&[("bea", 2, Role::Rep)]);
    let mut bea = team.rep(2, 80, 24);
    rapport::team::remove(team.model.store(), "bea").unwrap();
    bea.wait_for(&team, "you were taken off the team");
    assert!(team.sign_in(2).is_none(), "the removed key still signs in");
}

#[test]
fn a_role_change_applies_in_the_open_session_and_keeps_the_form() {
    let team = serve(&[("bea", 2, Role::Manager)]);
    let mut bea = team.rep(2, 100, 30);
    bea.press(&team, "2");
    bea.wait_for(&team, "lead ");
    bea.press(&team, "e");
    bea.wait_for(&team, "Enter saves");
    bea.press(&team, "\x15Typed before the change");
    rapport::team::set_role(team.model.store(), "bea", Role::Viewer).unwrap();
    bea.wait_for(&team, "your role is now viewer");
    bea.press(&team, "\r");
    let screen = bea.wait_for(&team, "a viewer can only read");
    assert!(
        screen.contains("Typed before the change") && screen.contains("Enter saves"),
        "the form and its text stay:\n{screen}"
    );
    rapport::team::set_role(team.model.store(), "bea", Role::Manager).unwrap();
    bea.wait_for(&team, "your role is now manager");
    bea.press(&team, "\r");
    bea.wait_for(&team, "saved deal");
    assert!(!bea.closed, "the session went on through both changes");
}

#[test]
fn a_rep_is_refused_when_the_form_would_open_not_after_typing() {
    // zoe owns nothing in the demo: every record is a colleague's.
    let team = serve(&[("zoe", 2, Role::Rep)]);
    let mut zoe = team.rep(2, 100, 30);
    for (pane, told) in [
        ("1", "'s: you can add a note or a follow-up"),
        ("2", "'s: you can add a note or a follow-up about it"),
        ("3", "'s: you can reply to the ticket"),
    ] {
        zoe.press(&team, pane);
        zoe.press(&team, "e");
        let screen = zoe.wait_for(&team, told);
        assert!(!screen.contains("Enter saves"), "a form opened:\n{screen}");
    }
}

#[test]
fn a_member_signs_in_with_a_second_key_until_it_is_taken_away() {
    let team = serve(&[("bea", 2, Role::Rep)]);
    let second = rapport::team::Key::of(key(5).public_key()).unwrap();
    assert!(team.sign_in(5).is_none(), "not yet hers");
    rapport::team::add_key(team.model.store(), "bea", &second).unwrap();
    let mut laptop = team.rep(2, 80, 24);
    let mut desktop = team.rep(5, 80, 24);
    rapport::team::remove_key(team.model.store(), "bea", &second.fingerprint).unwrap();
    desktop.wait_for(&team, "the key you signed in with was taken away");
    assert!(
        team.sign_in(5).is_none(),
        "the key taken away still signs in"
    );
    laptop.press(&team, "2");
    laptop.wait_for(&team, "lead ");
    assert!(!laptop.closed, "the other key's session goes on");
}

#[test]
fn two_forms_on_one_deal_end_in_a_refusal_that_names_the_other_rep() {
    let team = serve(&[("ana", 1, Role::Manager), ("dan", 4, Role::Manager)]);
    let mut ana = team.rep(1, 100, 30);
    let mut dan = team.rep(4, 100, 30);
    for rep in [&mut ana, &mut dan] {
        rep.press(&team, "2");
        rep.wait_for(&team, "lead ");
        rep.press(&team, "e");
        rep.wait_for(&team, "Enter saves");
        rep.press(&team, "\x15");
    }
    ana.press(&team, "Ana's title\r");
    ana.wait_for(&team, "saved deal");
    dan.press(&team, "Dan's title\r");
    let screen = dan.wait_for(&team, "changed by ana at");
    assert!(
        screen.contains("Dan's title"),
        "what dan typed is kept:\n{screen}"
    );
}

/// Reads from a raw connection until it closes (true) or `within` passes (false).
fn closed_within(stream: &mut std::net::TcpStream, within: Duration) -> bool {
    use std::io::Read;
    let deadline = std::time::Instant::now() + within;
    let mut buf = [0u8; 4096];
    while std::time::Instant::now() < deadline {
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => {}
        }
    }
    false
}

#[test]
fn a_connection_that_does_not_sign_in_is_closed_after_the_grace_time() {
    let team = serve_with(&[("bea", 1, Role::Rep)], |o| {
        o.grace = Duration::from_secs(1)
    });
    let addr = team.running.as_ref().unwrap().addr;
    // One that says nothing at all, and one that gets as far as the key exchange.
    let mut silent = std::net::TcpStream::connect(addr).unwrap();
    let host = team.running.as_ref().unwrap().host_fingerprint.clone();
    let unsigned = team.block_on(async move {
        // In an Option: a handle is itself a future (of the connection's end).
        Some(
            client::connect(Arc::new(client::Config::default()), addr, Client { host })
                .await
                .unwrap(),
        )
    });
    assert_eq!(team.running.as_ref().unwrap().gate.pending(), 2);
    assert!(
        closed_within(&mut silent, Duration::from_secs(5)),
        "a silent connection stayed open past the grace time"
    );
    let key = PrivateKeyWithHashAlg::new(Arc::new(key(1)), None);
    let late = team.block_on(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut unsigned = unsigned.unwrap();
        unsigned.authenticate_publickey("bea", key).await
    });
    assert!(
        late.is_err() || !late.unwrap().success(),
        "signed in after the grace time"
    );
    assert_eq!(team.running.as_ref().unwrap().gate.pending(), 0);
    assert!(team.sign_in(1).is_some(), "a prompt sign-in still works");
}

#[test]
fn strangers_are_capped_per_address_and_a_member_gets_in_once_they_go() {
    let limits = rapport::serve::gate::Limits {
        total: 100,
        per_address: 3,
    };
    let team = serve_with(&[("bea", 1, Role::Rep)], |o| o.limits = limits);
    let addr = team.running.as_ref().unwrap().addr;
    let mut idle: Vec<_> = (0..3)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    while team.running.as_ref().unwrap().gate.pending() < 3 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut fourth = std::net::TcpStream::connect(addr).unwrap();
    assert!(
        closed_within(&mut fourth, Duration::from_secs(5)),
        "a fourth idle connection from one address was kept"
    );
    assert!(
        !closed_within(&mut idle[0], Duration::from_millis(300)),
        "the first three are within the cap"
    );
    idle.clear();
    while team.running.as_ref().unwrap().gate.pending() > 0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(team.sign_in(1).is_some());
}

/// A rep whose agent holds other keys offers them first: that is not a failed sign-in, and an
/// office of reps at one address is never locked out by signing in.
#[test]
fn keys_an_agent_offers_first_do_not_lock_out_the_office() {
    let team = serve(&[("bea", 1, Role::Rep)]);
    let running = team.running.as_ref().unwrap();
    let (addr, host) = (running.addr, running.host_fingerprint.clone());
    for round in 0..4 {
        let host = host.clone();
        let signed = team.block_on(async move {
            let mut handle =
                client::connect(Arc::new(client::Config::default()), addr, Client { host })
                    .await
                    .unwrap();
            for other in [90, 91, 92, 93] {
                let key = PrivateKeyWithHashAlg::new(Arc::new(key(other)), None);
                let auth = handle.authenticate_publickey("bea", key).await.unwrap();
                assert!(!auth.success());
            }
            let key = PrivateKeyWithHashAlg::new(Arc::new(key(1)), None);
            handle
                .authenticate_publickey("bea", key)
                .await
                .unwrap()
                .success()
        });
        assert!(signed, "sign-in {round} refused after four other keys");
    }
}

#[test]
fn failed_connections_block_an_address_until_it_is_unblocked() {
    let team = serve(&[("bea", 1, Role::Rep)]);
    for _ in 0..10 {
        assert!(team.sign_in(77).is_none());
    }
    // The count is of connections that ended: give the last one a moment to end.
    let deadline = std::time::Instant::now() + PATIENCE;
    let blocked = || {
        let mut out = Vec::new();
        let cli = <rapport::cli::Cli as clap::Parser>::parse_from(["rapport", "team", "blocked"]);
        rapport::commands::dispatch(&team.owner(), &cli, &mut out, &|_| {}).unwrap();
        String::from_utf8(out).unwrap()
    };
    while !blocked().contains("127.0.0.1") && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        blocked().contains("127.0.0.1\tblocked until"),
        "{}",
        blocked()
    );
    let running = team.running.as_ref().unwrap();
    let refused = std::net::TcpStream::connect(running.addr)
        .map(|mut s| closed_within(&mut s, Duration::from_secs(5)));
    assert!(refused.unwrap_or(true), "a blocked address is let in");
    let cli = <rapport::cli::Cli as clap::Parser>::parse_from([
        "rapport",
        "team",
        "unblock",
        "127.0.0.1",
    ]);
    let mut out = Vec::new();
    rapport::commands::dispatch(&team.owner(), &cli, &mut out, &|_| {}).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "127.0.0.1 may sign in again\n"
    );
    assert!(team.sign_in(1).is_some());
}

/// Stopping the server gives every rep their terminal back (main screen, cursor shown) with a
/// line saying why, and a write already made is on disk.
#[test]
fn a_stopping_server_gives_each_rep_their_terminal_back() {
    let mut team = serve(&[("bea", 1, Role::Rep), ("cal", 2, Role::Rep)]);
    let mut bea = team.rep(1, 80, 24);
    let mut cal = team.rep(2, 80, 24);
    assert!(bea.screen.screen().alternate_screen() && bea.screen.screen().hide_cursor());
    let running = team.running.take().unwrap();
    let stopping = std::thread::spawn(move || running.stop());
    for rep in [&mut bea, &mut cal] {
        rep.wait_for(&team, "the server stopped");
        let screen = rep.screen.screen();
        assert!(!screen.alternate_screen(), "still on the app's screen");
        assert!(!screen.hide_cursor(), "the cursor is still hidden");
        assert!(!screen.bracketed_paste(), "bracketed paste left on");
    }
    stopping.join().unwrap();
}

/// A paste is text for the box that has the keys, never keys: "call back\nd\nq" in a note is the
/// note, and on a list it is set aside with a word (before, it deleted and quit). Keys split across
/// packets (an arrow, a character) read as they were pressed. The escape time is long here so a
/// loaded machine cannot part the halves by more than it: the parsing is what is tested.
#[test]
fn a_paste_is_text_and_split_keys_read_whole_over_ssh() {
    let team = serve_with(&[("bea", 1, Role::Manager)], |o| {
        o.escape_time = Duration::from_millis(500)
    });
    let mut bea = team.rep(1, 100, 30);
    bea.press(&team, "\x1b[200~d\nq\x1b[201~");
    bea.wait_for(&team, "pasted text goes into a box");
    bea.press(&team, "a");
    bea.wait_for(&team, "Note on");
    bea.press(&team, "ab");
    // Left, split after its Esc; then é split inside its bytes.
    bea.press(&team, "\x1b");
    bea.press(&team, "[D");
    let e = "é".as_bytes();
    team.block_on(bea.channel.data_bytes(e[..1].to_vec()))
        .unwrap();
    team.block_on(bea.channel.data_bytes(e[1..].to_vec()))
        .unwrap();
    bea.press(&team, "\x1b[200~ call back\nd\nq\x1b[201~");
    bea.wait_for(&team, "aé call back d qb");
    bea.press(&team, "\r");
    bea.wait_for(&team, "created note");
    let notes = team.model.store().all::<rapport::domain::Note>().unwrap();
    assert!(
        notes.iter().any(|n| n.text == "aé call back d qb"),
        "the pasted note is not stored"
    );
    assert!(!bea.closed, "the paste's q quit the app");
}

/// X11 forwarding asked with a reply wanted gets its refusal (a client waits for the answer).
#[test]
fn an_x11_request_is_answered_with_a_refusal() {
    let team = serve(&[("bea", 1, Role::Rep)]);
    let handle = team.sign_in(1).expect("a member's key is let in");
    let answer = team.block_on(async {
        let mut channel = handle.channel_open_session().await.unwrap();
        channel
            .request_x11(true, false, "MIT-MAGIC-COOKIE-1", "00112233", 0)
            .await
            .unwrap();
        loop {
            match tokio::time::timeout(PATIENCE, channel.wait()).await {
                Ok(Some(ChannelMsg::Failure)) => return Some(false),
                Ok(Some(ChannelMsg::Success)) => return Some(true),
                Ok(Some(_)) => continue,
                _ => return None,
            }
        }
    });
    assert_eq!(answer, Some(false), "no answer, or X11 was let through");
}
