//! Turning what a person typed into an FTS5 match expression.
//!
//! Every word must match, each as a prefix (search-as-you-type: "jurid" finds "Jurídica").
//! Words are quoted, so FTS5 operators typed by a person (`AND`, `NEAR`, `*`, `"`) are
//! plain text. Accents and case are folded by the index's tokenizer, on both sides.

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
            format!("\"{w}\"*")
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_a_quoted_prefix() {
        assert_eq!(match_expression("asesoría  jurid").unwrap(), "\"asesoría\"* \"jurid\"*");
    }

    #[test]
    fn operators_and_quotes_are_plain_text() {
        assert_eq!(match_expression("a\" OR NEAR(b*").unwrap(), "\"a\"* \"OR\"* \"NEAR\"* \"b\"*");
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
}
