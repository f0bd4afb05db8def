//! The layers of `src/`, held: a module uses only modules of its own layer or below, and no two
//! top-level modules reach each other. Read from the source (`crate::…` paths), without the unit
//! tests (at the end of a file, or a `tests.rs` of their own), which may use whatever builds their
//! case.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bottom first. The read model holds the insights and the quick-lookup index, so it sits above
/// them; `ops`, the one writer, sits above the model it patches.
const LAYERS: &[&[&str]] = &[
    // Plain data, and helpers that know nothing of it.
    &[
        "domain", "text", "diag", "parallel", "memory", "user", "logging",
    ],
    // The database.
    &["store"],
    // What is computed from the records, and the ways in and out of the database.
    &[
        "team", "insights", "clean", "search", "import", "export", "demo", "backup",
    ],
    // What every session shows.
    &["model"],
    // The one way to write.
    &["ops"],
    // Front ends, and what they share.
    &[
        "config", "cli", "bench", "tui", "serve", "control", "commands",
    ],
];

/// Every file of `src/` but the crate roots: (top-level module, path under src, its text without
/// the unit tests at its end).
fn sources() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (rel, text) in super::common::source_files() {
        let top = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        // A module's unit tests, in a file of their own, may use whatever builds their case.
        if top == "main" || top == "lib" || rel.ends_with("/tests.rs") {
            continue;
        }
        let product = match text.find("#[cfg(test)]\nmod ") {
            Some(at) => text[..at].to_string(),
            None => text,
        };
        out.push((top, rel, product));
    }
    out
}

/// Each top-level module's uses of other top-level modules: (used, the files that use it).
fn uses() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut uses: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (top, rel, product) in sources() {
        let mut used = BTreeSet::new();
        for (at, _) in product.match_indices("crate::") {
            let rest = &product[at + "crate::".len()..];
            // `crate::{a::X, b::Y}` names several.
            let names: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group[..group.find('}').unwrap_or(group.len())]
                    .split(',')
                    .map(str::trim)
                    .collect(),
                None => vec![rest],
            };
            for name in names {
                let module: String = name
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                    .collect();
                if !module.is_empty() && module != top {
                    used.insert(module);
                }
            }
        }
        let entry = uses.entry(top).or_default();
        for module in used {
            entry.entry(module).or_default().insert(rel.clone());
        }
    }
    uses
}

/// Above `ops`, the database is what `Ops` hands out: front ends and `main` neither open the
/// store nor name it.
#[test]
fn above_ops_the_database_is_reached_through_ops_alone() {
    let front = LAYERS.len() - 1;
    let mut wrong = Vec::new();
    for (top, rel, product) in sources() {
        if LAYERS[front].contains(&top.as_str())
            && (product.contains("crate::store") || product.contains(".store()"))
        {
            wrong.push(format!("{rel} reaches the store: go through Ops"));
        }
    }
    let main =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs")).unwrap();
    if main.contains("rapport::store") || main.contains(".store()") {
        wrong.push("main.rs reaches the store: go through Ops".into());
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn no_module_uses_one_above_it() {
    let uses = uses();
    let mut wrong = Vec::new();
    for (module, used) in &uses {
        let Some(at) = layer(module) else {
            wrong.push(format!("{module} is in no layer: place it in LAYERS"));
            continue;
        };
        for (other, files) in used {
            match layer(other) {
                Some(theirs) if theirs > at => wrong.push(format!(
                    "{module} (layer {at}) uses {other} (layer {theirs}) in {}",
                    files.iter().cloned().collect::<Vec<_>>().join(", ")
                )),
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_two_modules_reach_each_other() {
    let uses = uses();
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut next = vec![from.to_string()];
        while let Some(at) = next.pop() {
            for used in uses.get(&at).into_iter().flat_map(|u| u.keys()) {
                if used == to {
                    return true;
                }
                if seen.insert(used.clone()) {
                    next.push(used.clone());
                }
            }
        }
        false
    };
    let cycles: Vec<String> = uses
        .iter()
        .flat_map(|(module, used)| {
            used.iter()
                .filter(|(other, _)| reaches(other, module))
                .map(move |(other, files)| {
                    let files: Vec<_> = files.iter().cloned().collect();
                    format!(
                        "{module} uses {other} ({}), which reaches back",
                        files.join(", ")
                    )
                })
        })
        .collect();
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
}

#[test]
fn the_reading_finds_uses_known_to_be_there() {
    // The checks above are only as good as this reading of the source.
    let uses = uses();
    let ops = &uses["ops"];
    assert!(
        ops.contains_key("store") && ops.contains_key("model"),
        "{ops:?}"
    );
}

#[test]
fn measurement_code_is_used_by_nothing_but_the_command_that_runs_it() {
    // `rapport bench` ships (it sizes a server on the operator's own data), but no part of the
    // product leans on it.
    let uses = uses();
    let users: Vec<&String> = uses
        .iter()
        .filter(|(module, used)| used.contains_key("bench") && *module != "commands")
        .map(|(module, _)| module)
        .collect();
    assert!(users.is_empty(), "{users:?} use bench");
}
