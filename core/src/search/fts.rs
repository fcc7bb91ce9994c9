//! Turning what a person typed into an FTS5 match expression.
//!
//! Every word must match, each as a prefix (search-as-you-type: "jurid" finds "Jurídica"),
//! or match a kind or service it names in any language ("azil" matches listings coded
//! `asylum_help`, see [`crate::model::vocabulary`]). Words are quoted, so FTS5 operators
//! typed by a person (`AND`, `NEAR`, `*`, `"`) are plain text. Accents and case are folded
//! by the index's tokenizer, on both sides.

use crate::model::vocabulary;

/// Words longer than this are cut: nobody types them, and it bounds the query.
const MAX_WORD_CHARS: usize = 40;
/// At most this many words are used.
const MAX_WORDS: usize = 12;

/// The FTS5 expression for `text`, or `None` when it holds no word at all.
pub fn match_expression(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| {
            let w: String = w.chars().take(MAX_WORD_CHARS).collect();
            let codes = vocabulary::codes_matching(&w);
            if codes.is_empty() {
                format!("\"{w}\"*")
            } else {
                format!("(\"{w}\"* OR services : ({}))", codes.join(" OR "))
            }
        })
        .collect();
    // Explicit AND: FTS5 joins bare phrases implicitly, but not parenthesized groups.
    (!words.is_empty()).then(|| words.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_a_quoted_prefix() {
        assert_eq!(match_expression("centro  ab").unwrap(), "\"centro\"* AND \"ab\"*");
    }

    #[test]
    fn words_naming_a_service_also_match_its_code() {
        assert_eq!(match_expression("vacuna").unwrap(), "(\"vacuna\"* OR services : (svcvaccination))");
    }

    #[test]
    fn operators_and_quotes_are_plain_text() {
        assert_eq!(match_expression("a\" OR NEAR(b*").unwrap(), "\"a\"* AND \"OR\"* AND \"NEAR\"* AND \"b\"*");
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
             tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
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
