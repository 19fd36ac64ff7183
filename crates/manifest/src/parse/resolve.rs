//! Plain-scalar resolution as Kubernetes reads YAML: sigs.k8s.io/yaml uses a go-yaml v2 fork,
//! which follows YAML 1.1 (`goyaml.v2/resolve.go`): `yes`/`on`/`y` are booleans, `0644` is
//! octal, `1_000` is 1000. The Rust parsers read YAML 1.2, so we resolve here.

use std::borrow::Cow;

/// What a plain scalar means to Kubernetes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// Integers that overflow i64 but fit u64.
    UInt(u64),
    Float(f64),
    String,
}

impl Resolved {
    /// A word for messages: "bool", "integer", …
    pub fn type_name(self) -> &'static str {
        match self {
            Resolved::Null => "null",
            Resolved::Bool(_) => "bool",
            Resolved::Int(_) | Resolved::UInt(_) => "integer",
            Resolved::Float(_) => "float",
            Resolved::String => "string",
        }
    }
}

/// Resolves a plain (unquoted) scalar with go-yaml v2 rules.
pub fn resolve_plain(value: &str) -> Resolved {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    let first = value.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Resolved::String;
    }
    // go-yaml v2 reads numbers after removing underscores (rare: most values keep their text).
    let plain: Cow<'_, str> = if value.contains('_') {
        Cow::Owned(value.chars().filter(|&c| c != '_').collect())
    } else {
        Cow::Borrowed(value)
    };
    if let Some(int) = resolve_int(&plain) {
        return int;
    }
    // go-yaml v2 accepts floats as strconv.ParseFloat does.
    if is_float_syntax(&plain) {
        if let Ok(f) = plain.parse::<f64>() {
            return Resolved::Float(f);
        }
    }
    Resolved::String
}

/// An integer's text, underscores removed.
fn resolve_int(plain: &str) -> Option<Resolved> {
    let (negative, digits) = match plain.as_bytes().first()? {
        b'-' => (true, &plain[1..]),
        b'+' => (false, &plain[1..]),
        _ => (false, plain),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(bin) = digits.strip_prefix("0b") {
        (2, bin)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let v = i64::try_from(magnitude)
            .map(|m| -m)
            .or_else(|_| (magnitude == 1u64 << 63).then_some(i64::MIN).ok_or(()))
            .ok()?;
        Some(Resolved::Int(v))
    } else {
        Some(i64::try_from(magnitude).map_or(Resolved::UInt(magnitude), Resolved::Int))
    }
}

fn is_float_syntax(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = mantissa.chars().filter(char::is_ascii_digit).count();
    let dots = mantissa.chars().filter(|&c| c == '.').count();
    let mantissa_ok =
        digits > 0 && dots <= 1 && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.');
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_booleans() {
        for t in ["yes", "on", "y", "True", "ON"] {
            assert_eq!(resolve_plain(t), Resolved::Bool(true), "{t}");
        }
        for f in ["no", "off", "n", "FALSE"] {
            assert_eq!(resolve_plain(f), Resolved::Bool(false), "{f}");
        }
        assert_eq!(resolve_plain("yess"), Resolved::String);
    }

    #[test]
    fn integers_octal_hex_underscores() {
        assert_eq!(resolve_plain("0644"), Resolved::Int(420));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("-80"), Resolved::Int(-80));
        assert_eq!(resolve_plain("0"), Resolved::Int(0));
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Resolved::UInt(u64::MAX)
        );
        assert_eq!(
            resolve_plain("18446744073709551616"),
            Resolved::Float(18446744073709551616.0)
        );
        assert_eq!(resolve_plain("089"), Resolved::Float(89.0));
    }

    #[test]
    fn floats_nulls_and_strings() {
        assert_eq!(resolve_plain("1.5"), Resolved::Float(1.5));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain(""), Resolved::Null);
        for s in [
            "1.2.3",
            "v1",
            "10.0.0.1",
            "80/TCP",
            "-",
            ".",
            "1e",
            "2024-01-01",
            "+",
        ] {
            assert_eq!(resolve_plain(s), Resolved::String, "{s}");
        }
    }
}
