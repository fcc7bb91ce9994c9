//! One-way layers: no two top-level modules of `faro-core` may name each other (issue 13
//! item 4). Reads the sources, so a new `use crate::x` that closes a loop fails here with
//! the files that do it.
//!
//! Comments and `#[cfg(test)] mod tests` are not dependencies: a test may build its fixture
//! with any layer. The pairs in [`STILL_OPEN`] are known and listed so that the list can
//! only shrink: a pair that no longer exists must be removed from it, and a new one fails.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Pairs of modules that still name each other, each with why it is left for now. Empty
/// since the last pairs were closed (contact, store, warnings, model: the pure contact reading
/// below the records, the contact index, the contact check and the warnings' storage in the
/// store; `SyncError` in `sync_error`, below both `error` and `sync`); kept so that a pair
/// left open on purpose one day is written down with its reason.
const STILL_OPEN: &[(&str, &str, &str)] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The `.rs` files of each top-level module (`lib.rs` aside), by module name.
fn modules() -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" {
            continue;
        }
        if path.is_dir() {
            out.entry(name).or_default().extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.entry(name).or_default().push(path);
        }
    }
    out
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The code of a file without comment lines and without its `#[cfg(test)] mod tests`.
fn code(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t == "#[cfg(test)]" && lines.get(i + 1).is_some_and(|next| next.trim().starts_with("mod tests")) {
            break;
        }
        if !t.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Top-level modules named in `code`: `crate::x` and the names in `crate::{x, y::z}`.
fn named(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_').collect();
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            // Each item of the group: its first path segment (nested groups are rare here).
            for item in group.split(',') {
                out.insert(ident(item.trim()));
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

/// For each module, the modules it names and the files that do.
fn dependencies() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let modules = modules();
    let mut deps: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (module, files) in &modules {
        let entry = deps.entry(module.clone()).or_default();
        for file in files {
            let text = std::fs::read_to_string(file).unwrap();
            let rel = file.strip_prefix(src()).unwrap().display().to_string();
            for other in named(&code(&text)) {
                if other != *module && modules.contains_key(&other) {
                    entry.entry(other).or_default().insert(rel.clone());
                }
            }
        }
    }
    deps
}

#[test]
fn no_two_top_level_modules_name_each_other() {
    let deps = dependencies();
    let mut pairs = BTreeMap::new();
    for (a, uses) in &deps {
        for (b, files) in uses {
            if a < b {
                if let Some(back) = deps.get(b).and_then(|u| u.get(a)) {
                    pairs.insert((a.clone(), b.clone()), format!("{a} -> {b} in {files:?}; {b} -> {a} in {back:?}"));
                }
            }
        }
    }
    let open: BTreeSet<(String, String)> = STILL_OPEN.iter().map(|(a, b, _)| (a.to_string(), b.to_string())).collect();
    let new: Vec<&String> = pairs.iter().filter(|(k, _)| !open.contains(*k)).map(|(_, v)| v).collect();
    assert!(new.is_empty(), "modules that name each other (make one depend on the other only):\n{new:#?}");
    let closed: Vec<&(String, String)> = open.iter().filter(|k| !pairs.contains_key(*k)).collect();
    assert!(closed.is_empty(), "no longer a cycle: remove from STILL_OPEN: {closed:?}");
}

/// A loop through three or more modules (a -> b -> c -> a) is a cycle too: the pairs test
/// does not see it. Finds one with a depth-first search and names its modules.
#[test]
fn no_loop_through_several_modules() {
    let deps = dependencies();
    fn visit<'a>(
        m: &'a str,
        deps: &'a BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| *p == m) {
            let mut looped: Vec<String> = path[at..].iter().map(|s| s.to_string()).collect();
            looped.push(m.to_string());
            return Some(looped);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m);
        for next in deps.get(m).into_iter().flat_map(|u| u.keys()) {
            if let Some(found) = visit(next, deps, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(m);
        None
    }
    let mut done = BTreeSet::new();
    for m in deps.keys() {
        let found = visit(m, &deps, &mut Vec::new(), &mut done);
        assert!(found.is_none(), "modules that depend on each other in a loop: {}", found.unwrap().join(" -> "));
    }
}

#[test]
fn the_reader_sees_uses_groups_and_ignores_comments_and_tests() {
    let text = "//! See [`crate::sync`].\nuse crate::{store::Store, lang};\nfn f() { crate::geo::x(); }\n#[cfg(test)]\nmod tests {\n    use crate::search;\n}\n";
    let found: Vec<String> = named(&code(text)).into_iter().collect();
    assert_eq!(found, ["geo", "lang", "store"]);
}
