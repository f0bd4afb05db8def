//! The README is the manual: every command in its code blocks must be one the program takes, and
//! every argument of the program must say what it is for.

use clap::CommandFactory;
use rapport::cli::Cli;

/// What a synopsis' placeholder stands for, as a value the parser takes.
fn example(word: &str) -> Option<&'static str> {
    Some(match word {
        "N" | "DAYS" | "BYTES" => "5",
        "S" => "0.9",
        "DATE" | "YYYY-MM-DD" => "2026-12-01",
        "WHEN" => "friday",
        "ID" | "IMPORT" | "A" | "B" | "KEEP" | "OTHER" => "7",
        "NAME" | "MEMBER" => "bea",
        "CUSTOMER" => "ada@example.com",
        "FILE" | "FILE.csv" | "PATH" => "file.csv",
        "TEXT" => "text",
        "KIND:ID" => "deal:7",
        "ADDR" | "ADDR:PORT" => "127.0.0.1:2222",
        "FIELD,…" => "phone",
        _ => return None,
    })
}

/// The argument lists of the rapport command lines in the README's shell blocks: comments and
/// pipes cut off, `[optional parts]` taken in, the first of `a|b` alternatives, placeholders
/// given a value.
fn readme_commands() -> Vec<(usize, Vec<String>)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut commands = Vec::new();
    let mut shell = false;
    for (n, line) in readme.lines().enumerate() {
        if let Some(lang) = line.strip_prefix("```") {
            shell = !shell && matches!(lang, "sh" | "cron");
            continue;
        }
        if !shell {
            continue;
        }
        let line = line.trim().trim_start_matches("$ ");
        let line = line.split(" #").next().unwrap_or_default();
        let line = line.split(" | ").next().unwrap_or_default();
        // A cron line runs `cd … && rapport …`; `cargo run … --` runs it too.
        let Some(start) = line
            .find("rapport ")
            .filter(|&i| i == 0 || line[..i].ends_with("&& "))
            .map(|i| i + "rapport ".len())
            .or_else(|| line.find("cargo run --release -- ").map(|i| i + 23))
        else {
            continue;
        };
        let words =
            shlex::split(&line[start..]).unwrap_or_else(|| panic!("line {}: quotes", n + 1));
        let mut args = vec!["rapport".to_string()];
        let mut words = words.iter();
        while let Some(word) = words.next() {
            // `[--mine | --owner NAME]`: the first alternative.
            if word == "|" {
                words.by_ref().find(|w| w.ends_with(']'));
                continue;
            }
            // A redirection ends the command.
            if word.starts_with('>') || word.starts_with("2>") {
                break;
            }
            let word = word.trim_start_matches('[').trim_end_matches(']');
            if word.is_empty() || word == "…" {
                continue;
            }
            let word = match word.split_once('|') {
                Some((first, _)) if !word.starts_with('-') => first,
                _ => word,
            };
            args.push(example(word).unwrap_or(word).to_string());
        }
        commands.push((n + 1, args));
    }
    commands
}

#[test]
fn every_command_in_the_readme_is_one_the_program_takes() {
    let commands = readme_commands();
    assert!(
        commands.len() > 50,
        "only {} commands found",
        commands.len()
    );
    let mut wrong = Vec::new();
    for (line, args) in &commands {
        if let Err(e) = Cli::command().try_get_matches_from(args) {
            let first = e.to_string().lines().next().unwrap_or_default().to_string();
            wrong.push(format!(
                "README line {line}: {}: {first}",
                args[1..].join(" ")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_renamed_flag_would_fail_the_readme_test() {
    // The check above rejects what the program does not take.
    let renamed = ["rapport", "rules", "--min-supp", "0.1"];
    assert!(Cli::command().try_get_matches_from(renamed).is_err());
}

#[test]
fn every_argument_says_what_it_is_for() {
    fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if arg.is_hide_set() || id == "help" || id == "version" {
                continue;
            }
            if arg
                .get_help()
                .is_none_or(|h| h.to_string().trim().is_empty())
            {
                missing.push(format!("{path} {id}"));
            }
        }
        for sub in command.get_subcommands() {
            if sub.get_about().is_none() && sub.get_name() != "help" {
                missing.push(format!("{path} {} (the command)", sub.get_name()));
            }
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&Cli::command(), "rapport", &mut missing);
    assert!(
        missing.is_empty(),
        "no description:\n{}",
        missing.join("\n")
    );
}

#[test]
fn global_options_have_their_own_heading_in_a_commands_help() {
    let mut cli = Cli::command();
    cli.build();
    let help = cli
        .find_subcommand_mut("stats")
        .expect("stats")
        .render_long_help()
        .to_string();
    let heading = help.find("Global options:").expect(&help);
    for global in [
        "--as",
        "--batch",
        "--keep-going",
        "--max-line-bytes",
        "--db",
    ] {
        let at = help
            .find(global)
            .unwrap_or_else(|| panic!("{global}: {help}"));
        assert!(
            at > heading,
            "{global} is among the command's own options:\n{help}"
        );
    }
}
