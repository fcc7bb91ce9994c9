//! Which delegated roles are trusted for a target path: `paths` patterns matched segment
//! by segment with Python's `fnmatch.fnmatchcase` rules (as python-tuf does: `*`, `?`,
//! `[seq]`, `[!seq]`; `/` is never matched by a wildcard because the pattern and the path
//! must have the same number of segments), or `path_hash_prefixes` on the hex SHA-256 of
//! the path.
//!
//! Hand-written rather than the `glob` crate: that crate rejects patterns fnmatch accepts
//! (an unclosed `[`, `**` inside a segment), which would refuse valid metadata.

use super::metadata::DelegatedRole;

/// Whether `role` is trusted for `target_path`.
pub fn role_covers(role: &DelegatedRole, target_path: &str) -> bool {
    if let Some(prefixes) = &role.path_hash_prefixes {
        let digest = hex::encode(ring::digest::digest(&ring::digest::SHA256, target_path.as_bytes()));
        return prefixes.iter().any(|p| digest.starts_with(p.as_str()));
    }
    if let Some(patterns) = &role.paths {
        return patterns.iter().any(|p| path_matches(target_path, p));
    }
    false
}

/// python-tuf's `_is_target_in_pathpattern`: same number of `/` segments, each matching.
pub fn path_matches(target_path: &str, pattern: &str) -> bool {
    let targets: Vec<&str> = target_path.split('/').collect();
    let patterns: Vec<&str> = pattern.split('/').collect();
    targets.len() == patterns.len() && targets.iter().zip(&patterns).all(|(t, p)| fnmatch(t, p))
}

/// One element of a compiled pattern.
enum Token {
    Literal(char),
    AnyOne,
    AnyMany,
    Set { negated: bool, items: Vec<(char, char)> },
}

fn compile(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                if !matches!(tokens.last(), Some(Token::AnyMany)) {
                    tokens.push(Token::AnyMany);
                }
                i += 1;
            }
            '?' => {
                tokens.push(Token::AnyOne);
                i += 1;
            }
            '[' => match parse_set(&chars, i + 1) {
                Some((token, next)) => {
                    tokens.push(token);
                    i = next;
                }
                None => {
                    // fnmatch: a `[` without its `]` is a literal.
                    tokens.push(Token::Literal('['));
                    i += 1;
                }
            },
            c => {
                tokens.push(Token::Literal(c));
                i += 1;
            }
        }
    }
    tokens
}

/// Parses a set starting after `[`; returns it and the index after `]`.
fn parse_set(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut j = start;
    let negated = chars.get(j) == Some(&'!');
    if negated {
        j += 1;
    }
    // A `]` right after `[` or `[!` is part of the set.
    let first = j;
    let mut items = Vec::new();
    while j < chars.len() && (chars[j] != ']' || j == first) {
        let lo = chars[j];
        if chars.get(j + 1) == Some(&'-') && chars.get(j + 2).is_some_and(|c| *c != ']') {
            let hi = chars[j + 2];
            // Python drops reversed ranges (they match nothing).
            if lo <= hi {
                items.push((lo, hi));
            }
            j += 3;
        } else {
            items.push((lo, lo));
            j += 1;
        }
    }
    if j >= chars.len() {
        return None;
    }
    Some((Token::Set { negated, items }, j + 1))
}

/// `fnmatch.fnmatchcase(name, pattern)`.
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    let tokens = compile(pattern);
    let name: Vec<char> = name.chars().collect();
    matches_from(&tokens, &name)
}

fn matches_from(tokens: &[Token], name: &[char]) -> bool {
    // Iterative wildcard matching with one backtrack point per `*` (linear-ish, no blowup).
    let (mut t, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        let advance = match tokens.get(t) {
            Some(Token::AnyMany) => {
                star = Some((t, n));
                t += 1;
                continue;
            }
            Some(Token::AnyOne) => true,
            Some(Token::Literal(c)) => *c == name[n],
            Some(Token::Set { negated, items }) => {
                items.iter().any(|(lo, hi)| (*lo..=*hi).contains(&name[n])) != *negated
            }
            None => false,
        };
        if advance {
            t += 1;
            n += 1;
        } else if let Some((st, sn)) = star {
            t = st + 1;
            n = sn + 1;
            star = Some((st, sn + 1));
        } else {
            return false;
        }
    }
    tokens[t..].iter().all(|tok| matches!(tok, Token::AnyMany))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_agrees_with_python() {
        // (name, pattern, python fnmatch.fnmatchcase result)
        let cases = [
            ("mx.json.zst", "*.zst", true),
            ("mx.json", "*.zst", false),
            ("mx", "m?", true),
            ("mx", "m??", false),
            ("a", "[abc]", true),
            ("d", "[abc]", false),
            ("d", "[!abc]", true),
            ("b", "[a-c]", true),
            ("]", "[]]", true),
            ("a", "[!]]", true),
            ("[x", "[x", true),
            ("x", "[c-a]", false),
            ("abc", "a**c", true),
            ("", "*", true),
            ("", "?", false),
            ("aXbXc", "a*b*c", true),
            ("aXbXd", "a*b*c", false),
            ("Mx", "mx", false),
        ];
        for (name, pattern, expected) in cases {
            assert_eq!(fnmatch(name, pattern), expected, "fnmatchcase({name:?}, {pattern:?})");
        }
    }

    #[test]
    fn segments_must_line_up() {
        assert!(path_matches("warnings/mx/full.zst", "warnings/*/*"));
        assert!(!path_matches("warnings/mx/full.zst", "warnings/*"));
        assert!(!path_matches("warnings/mx", "*"));
        assert!(path_matches("directory/gt", "directory/*"));
    }

    #[test]
    fn hash_prefixes_use_the_sha256_of_the_path() {
        // sha256("warnings/mx") starts with these hex digits (python hashlib).
        let digest = hex::encode(ring::digest::digest(&ring::digest::SHA256, b"warnings/mx"));
        let role = DelegatedRole {
            name: "bin".into(),
            keyids: vec![],
            threshold: 1,
            terminating: false,
            paths: None,
            path_hash_prefixes: Some(vec![digest[..2].to_string()]),
        };
        assert!(role_covers(&role, "warnings/mx"));
        let other = if &digest[..1] == "0" { "1" } else { "0" };
        let role = DelegatedRole { path_hash_prefixes: Some(vec![other.into()]), ..role };
        assert!(!role_covers(&role, "warnings/mx"));
    }
}
