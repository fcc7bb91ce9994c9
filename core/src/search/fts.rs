//! Turning what a person typed into an FTS5 match expression.
//!
//! Every word of three or more characters must match as a prefix (search-as-you-type:
//! "jurid" finds "Jurídica"), or match a kind or service it names in any language ("azil"
//! matches listings coded `asylum_help`, see [`crate::model::vocabulary`]). A word of one
//! or two characters must match a whole word when it is complete (followed by more
//! text: "casa de migrante"); the last word, while it is still that short, does not narrow
//! the results yet. One or two letters match a large part of any directory, so the
//! answer would be arbitrary, and indexing every one- and two-letter prefix cost more than
//! a third of an import (`docs/benchmarks.md`). Words are quoted, so FTS5 operators typed
//! by a person (`AND`, `NEAR`, `*`, `"`) are plain text. Accents and case are folded by
//! the index's tokenizer, on both sides.

use crate::model::vocabulary;

/// Words longer than this are cut: nobody types them, and it bounds the query.
const MAX_WORD_CHARS: usize = 40;
/// At most this many words are used.
const MAX_WORDS: usize = 12;
/// Shortest word matched as a prefix: the index keeps prefixes of this length (schema
/// step 8), and shorter fragments name no useful part of a directory.
pub const MIN_PREFIX_CHARS: usize = 3;

/// The FTS5 expression for `text`, or `None` when it holds no word that narrows the
/// results (nothing typed, or only a fragment of one or two characters).
pub fn match_expression(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    // The last word is still being typed unless something follows it.
    let last_complete = text.ends_with(|c: char| !c.is_alphanumeric());
    let count = words.len().min(MAX_WORDS);
    let terms: Vec<String> = words
        .into_iter()
        .take(MAX_WORDS)
        .enumerate()
        .filter_map(|(i, w)| {
            let w: String = w.chars().take(MAX_WORD_CHARS).collect();
            let short = w.chars().count() < MIN_PREFIX_CHARS;
            let typing = i + 1 == count && !last_complete;
            let word = match (short, typing) {
                (false, _) => format!("\"{w}\"*"),
                (true, false) => format!("\"{w}\""),
                (true, true) => return None,
            };
            let codes = vocabulary::codes_matching(&w);
            Some(if codes.is_empty() { word } else { format!("({word} OR services : ({}))", codes.join(" OR ")) })
        })
        .collect();
    // Explicit AND: FTS5 joins bare phrases implicitly, but not parenthesized groups.
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_a_quoted_prefix() {
        assert_eq!(match_expression("zapote  quin").unwrap(), "\"zapote\"* AND \"quin\"*");
    }

    #[test]
    fn short_words_match_whole_words_once_complete() {
        assert_eq!(match_expression("zapote de quin").unwrap(), "\"zapote\"* AND \"de\" AND \"quin\"*");
        assert_eq!(match_expression("zapote de ").unwrap(), "\"zapote\"* AND \"de\"");
    }

    #[test]
    fn a_short_fragment_being_typed_does_not_narrow_yet() {
        assert_eq!(match_expression("zapote d").unwrap(), "\"zapote\"*");
        assert_eq!(match_expression("c"), None);
        assert_eq!(match_expression("ju"), None);
        assert_eq!(match_expression("zap").unwrap(), "\"zap\"*");
    }

    #[test]
    fn words_naming_a_service_also_match_its_code() {
        assert_eq!(match_expression("vacuna").unwrap(), "(\"vacuna\"* OR services : (svcvaccination))");
    }

    #[test]
    fn operators_and_quotes_are_plain_text() {
        assert_eq!(match_expression("ab\" OR NEAR(bc*").unwrap(), "\"ab\" AND \"OR\" AND \"NEAR\"* AND \"bc\"");
    }

    #[test]
    fn punctuation_only_is_no_query() {
        assert_eq!(match_expression(" -- ,, "), None);
    }

    #[test]
    fn long_input_is_bounded() {
        let long = "palabra ".repeat(100);
        assert_eq!(match_expression(&long).unwrap().matches('*').count(), MAX_WORDS);
    }

    #[test]
    fn every_expression_is_valid_fts5() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(name, organization, description, services, place,
             tokenize = 'unicode61 remove_diacritics 2', prefix = '3');
             INSERT INTO t VALUES ('Casa del Migrante (demo)', '', 'Albergue y asesoría jurídica', 'kindshelter svcasylumhelp', 'Tapachula');",
        )
        .unwrap();
        for typed in [
            "casa del",
            "refugio mig",
            "derechos hum",
            "asesoria jur",
            "azil",
            "x",
            "\"",
            "NEAR OR AND",
            "juridica asilo",
        ] {
            let Some(m) = match_expression(typed) else { continue };
            for expr in [m.clone(), format!("{{name organization}} : ({m})")] {
                conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&expr], |r| r.get::<_, i64>(0))
                    .unwrap_or_else(|e| panic!("{typed:?} -> {expr}: {e}"));
            }
        }
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [match_expression("casa del").unwrap()], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
