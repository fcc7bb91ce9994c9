//! OLPC canonical JSON exactly as securesystemslib's `encode_canonical` writes it: object
//! keys sorted by code point, no whitespace, only `\` and `"` escaped (every other
//! character, control characters included, is written as raw UTF-8), integers only.
//! Signatures and key ids are computed over these bytes.

use serde_json::Value;

/// Encodes `value` canonically. Fails on a number that is not an integer (TUF forbids
/// floats), naming the JSON path of the offending number.
pub fn encode(value: &Value) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out, &mut String::from("$"))?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut Vec<u8>, path: &mut String) -> Result<(), String> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(format!("{path}: {n} is not an integer; canonical JSON allows no floats"));
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                write_value(item, out, path)?;
                path.truncate(len);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Rust orders `str` by UTF-8 bytes, which is code point order, as Python's sort.
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                let len = path.len();
                path.push('.');
                path.push_str(key);
                write_value(item, out, path)?;
                path.truncate(len);
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for byte in s.bytes() {
        if byte == b'\\' || byte == b'"' {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enc(v: Value) -> String {
        String::from_utf8(encode(&v).unwrap()).unwrap()
    }

    /// The doctest vectors of securesystemslib's `encode_canonical`.
    #[test]
    fn securesystemslib_doctest_vectors() {
        assert_eq!(enc(json!("")), r#""""#);
        assert_eq!(enc(json!([1, 2, 3])), "[1,2,3]");
        assert_eq!(enc(json!([])), "[]");
        assert_eq!(enc(json!({"A": [99]})), r#"{"A":[99]}"#);
        assert_eq!(enc(json!({"x": 3, "y": 2})), r#"{"x":3,"y":2}"#);
    }

    #[test]
    fn only_quote_and_backslash_are_escaped() {
        let v = json!({"s": "a\"b\\c\nd\u{1}é☃"});
        assert_eq!(enc(v), "{\"s\":\"a\\\"b\\\\c\nd\u{1}é☃\"}");
    }

    #[test]
    fn keys_sort_by_code_point_and_nest() {
        let v = json!({"b": {"z": null, "a": true}, "a": false, "B": -5, "é": 1, "z": 18446744073709551615u64});
        assert_eq!(enc(v), r#"{"B":-5,"a":false,"b":{"a":true,"z":null},"z":18446744073709551615,"é":1}"#);
    }

    #[test]
    fn floats_are_rejected_with_their_path() {
        let v: Value = serde_json::from_str(r#"{"a": [1, {"b": 1.5}]}"#).unwrap();
        let err = encode(&v).unwrap_err();
        assert!(err.contains("$.a[1].b"), "{err}");
        assert!(err.contains("float"), "{err}");
    }

    /// Expected bytes are what python securesystemslib 1.6.0 `encode_canonical` printed for
    /// the same object.
    #[test]
    fn matches_securesystemslib_on_a_mixed_object() {
        let v = json!({"keyval": {"public": "ab"}, "scheme": "ed25519", "keytype": "ed25519",
            "x": [true, null, "q\"\\"], "n": 0});
        assert_eq!(
            enc(v),
            r#"{"keytype":"ed25519","keyval":{"public":"ab"},"n":0,"scheme":"ed25519","x":[true,null,"q\"\\"]}"#
        );
    }
}
