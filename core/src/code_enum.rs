//! [`code_enum!`]: the one way Faro declares a closed set of codes (kinds, services, topics,
//! warning kinds, severities...): each variant has a stable snake_case identifier used in
//! files, the database, the CLI and JSON, with `ALL`, `as_str`, `parse`, `Display` and a
//! `FromStr` whose error ([`UnknownCode`]) lists every accepted code.

/// A code that is not one of an enum's: names what was expected, the value and every code
/// accepted, so that a typo can be fixed from the message alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}; one of {}", .accepted.join(", "))]
pub struct UnknownCode {
    /// What the code names (`kind`, `service`, `warning kind`).
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// Every accepted code, in declaration order.
    pub accepted: Vec<&'static str>,
}

/// Declares `pub enum $name` whose variants serialize as their codes, with `ALL` (declaration
/// order), `as_str`, `parse` (`None` for anything else), `Display` and `FromStr`.
/// `$what` names the set in [`UnknownCode`] messages.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident ($what:literal) { $($(#[$vmeta:meta])* $variant:ident => $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable identifier used in files, the database and the CLI.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// Parses the stable identifier; `None` for anything else.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::code_enum::UnknownCode;

            fn from_str(s: &str) -> ::std::result::Result<$name, $crate::code_enum::UnknownCode> {
                $name::parse(s).ok_or_else(|| $crate::code_enum::UnknownCode {
                    what: $what,
                    value: s.to_string(),
                    accepted: $name::ALL.iter().map(|v| v.as_str()).collect(),
                })
            }
        }
    };
}
pub(crate) use code_enum;

#[cfg(test)]
mod tests {
    code_enum! {
        /// A test set.
        Fruit ("fruit") {
            /// Apple.
            Apple => "apple",
            /// Blood orange.
            BloodOrange => "blood_orange",
        }
    }

    #[test]
    fn codes_round_trip_through_every_form() {
        for f in Fruit::ALL {
            assert_eq!(Fruit::parse(f.as_str()), Some(*f));
            assert_eq!(f.to_string().parse::<Fruit>(), Ok(*f));
            assert_eq!(serde_json::to_string(f).unwrap(), format!("\"{}\"", f.as_str()));
        }
        assert_eq!(serde_json::from_str::<Fruit>("\"blood_orange\"").unwrap(), Fruit::BloodOrange);
    }

    #[test]
    fn an_unknown_code_names_the_set_and_every_code() {
        let e = "pear".parse::<Fruit>().unwrap_err();
        assert_eq!(e.to_string(), r#"unknown fruit "pear"; one of apple, blood_orange"#);
        assert_eq!(Fruit::parse("Apple"), None, "codes are exact");
    }
}
