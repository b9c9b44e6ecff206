//! The layers of `src/` import only downwards (docs/architecture.md):
//!
//! ```text
//! 0 domain, escape, telemetry        the rules, value types, escaping, logging
//! 1 event_store                      the log (sled, memory)
//! 2 projections, kalender            read models built from events
//! 3 service                          commands executed against one snapshot
//! 4 access, import, history          tokens/policy, agenda files, past states
//! 5 maintenance                      backup, verify, compact
//! 6 http                             actix handlers, DTOs, OpenAPI, AppState
//! 7 app, client, bench, fuzzing, crash   wiring and tools
//! 8 cli, main                        the binary's commands
//! ```
//!
//! A module may use modules of a lower rank, and peers of its own rank only
//! where listed in `PEERS`. Test-only code (`#[cfg(test)]` modules and
//! files) is not counted: a test may use a helper from anywhere.

use std::collections::BTreeSet;
use std::path::Path;

const RANKS: &[(&str, u8)] = &[
    ("domain", 0),
    ("escape", 0),
    ("telemetry", 0),
    ("event_store", 1),
    ("projections", 2),
    ("kalender", 2),
    ("service", 3),
    ("access", 4),
    ("import", 4),
    ("history", 4),
    ("maintenance", 5),
    ("http", 6),
    ("webhooks", 6),
    ("app", 7),
    ("client", 7),
    ("bench", 7),
    ("fuzzing", 7),
    ("crash", 7),
    ("cli", 8),
    ("main", 8),
];

/// Same-rank imports that are allowed (user, used).
const PEERS: &[(&str, &str)] = &[
    ("history", "import"),
    ("access", "history"),
    ("app", "bench"),
    ("app", "client"),
    ("bench", "app"),
    ("client", "app"),
    ("fuzzing", "app"),
    ("cli", "main"),
    // Webhook deliveries read the log with the feed's own filter (http)
    // and the http layer keeps their store in its state.
    ("http", "webhooks"),
    ("webhooks", "http"),
];

/// Upward imports still to be removed (issue 17); this list only shrinks.
const KNOWN_UPWARD: &[(&str, &str)] = &[];

fn rank(module: &str) -> Option<u8> {
    RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The source without `#[cfg(test)] mod tests { … }` at its end.
fn production_part(source: &str) -> &str {
    match source.find("#[cfg(test)]\nmod tests") {
        Some(i) => &source[..i],
        None => source,
    }
}

/// Files that are whole test-only modules (`#[cfg(test)] mod x;`).
fn test_only_files(src: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for file in rust_files(src) {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for pair in lines.windows(2) {
            if pair[0].trim() == "#[cfg(test)]" {
                let decl = pair[1].trim();
                if let Some(name) = decl
                    .strip_suffix(';')
                    .and_then(|d| d.rsplit(' ').next())
                    .filter(|_| decl.contains("mod "))
                {
                    let dir =
                        if file.file_name().unwrap() == "mod.rs" || file.ends_with("src/lib.rs") {
                            file.parent().unwrap().to_path_buf()
                        } else {
                            file.with_extension("")
                        };
                    out.insert(dir.join(format!("{name}.rs")).display().to_string());
                    out.insert(dir.join(name).join("mod.rs").display().to_string());
                }
            }
        }
    }
    out
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_module_imports_upwards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let test_only = test_only_files(&src);
    let mut problems = BTreeSet::new();
    let mut seen_known = BTreeSet::new();
    for file in rust_files(&src) {
        if test_only.contains(&file.display().to_string()) {
            continue;
        }
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" {
            continue;
        }
        let user = rank(&top).unwrap_or_else(|| panic!("src/{top} has no rank in tests/layers.rs"));
        let text = std::fs::read_to_string(&file).unwrap();
        // Comments may name any module; only code counts.
        let code: String = production_part(&text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for (i, _) in code.match_indices("crate::") {
            let used: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if used.is_empty() && code[i + 7..].starts_with('{') {
                problems.insert(format!(
                    "src/{} groups crate::{{..}}: write one `use crate::<module>::..` per module so its layer is checked",
                    rel.display()
                ));
                continue;
            }
            let Some(r) = rank(&used) else { continue };
            if used == top {
                continue;
            }
            let allowed = r < user || (r == user && PEERS.contains(&(top.as_str(), used.as_str())));
            if allowed {
                continue;
            }
            if KNOWN_UPWARD.contains(&(top.as_str(), used.as_str())) {
                seen_known.insert((top.clone(), used.clone()));
                continue;
            }
            problems.insert(format!(
                "src/{} uses crate::{used} (rank {r} ≥ {user})",
                rel.display()
            ));
        }
    }
    for (a, b) in KNOWN_UPWARD {
        assert!(
            seen_known.contains(&(a.to_string(), b.to_string())),
            "{a} no longer uses {b}: remove it from KNOWN_UPWARD"
        );
    }
    assert!(
        problems.is_empty(),
        "upward imports:\n{}",
        problems.iter().cloned().collect::<Vec<_>>().join("\n")
    );
}
