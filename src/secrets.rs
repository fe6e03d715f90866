//! Owns every rule about credentials: which prefixes API keys carry and which
//! provider issues them, what looks like a key, hiding keys in anything
//! printed (redaction of config text, scrubbing of echoed keys), and what is
//! wrong with a key variable's value and what that means for Codex. Values
//! are looked at, never kept or shown. Does not decide what to print.
//!
//! Redaction and scrubbing are hand-written: the crates that mask secrets
//! work on values a program already knows are secret, while these rules find
//! credentials inside arbitrary text (a config line, a server's error body).

use std::ffi::OsString;

/// What a credential looks like: its prefix and, when one provider issues
/// it, that provider and the hosts it serves from.
#[derive(Debug)]
pub struct KeyKind {
    pub prefix: &'static str,
    /// The provider whose keys start this way, if it is one provider's.
    pub issuer: Option<&'static str>,
    hosts: &'static [&'static str],
}

const fn kind(
    prefix: &'static str,
    issuer: &'static str,
    hosts: &'static [&'static str],
) -> KeyKind {
    KeyKind {
        prefix,
        issuer: Some(issuer),
        hosts,
    }
}

const fn anonymous(prefix: &'static str) -> KeyKind {
    KeyKind {
        prefix,
        issuer: None,
        hosts: &[],
    }
}

/// Longest prefixes first: `sk-or-` is `OpenRouter`'s, not `OpenAI`'s.
pub const KEY_KINDS: &[KeyKind] = &[
    kind("sk-or-", "OpenRouter", &["openrouter.ai"]),
    kind("sk-ant-", "Anthropic", &["api.anthropic.com"]),
    anonymous("github_pat_"),
    kind("nvapi-", "NVIDIA", &["integrate.api.nvidia.com"]),
    kind("pplx-", "Perplexity", &["api.perplexity.ai"]),
    anonymous("Bearer "),
    kind("gsk_", "Groq", &["api.groq.com"]),
    kind("xai-", "xAI", &["api.x.ai"]),
    kind("AIza", "Google", &["generativelanguage.googleapis.com"]),
    anonymous("ghp_"),
    kind("hf_", "Hugging Face", &["huggingface.co"]),
    anonymous("fw_"),
    kind("sk-", "OpenAI", &["api.openai.com"]),
    anonymous("sk_"),
];

impl KeyKind {
    /// The issuer whose API is served at `base_url`'s host, if known.
    pub fn for_url(base_url: &str) -> Option<&'static KeyKind> {
        let host = base_url.split("://").nth(1)?.split(['/', ':']).next()?;
        KEY_KINDS.iter().filter(|k| k.issuer.is_some()).find(|k| {
            k.hosts
                .iter()
                .any(|h| host == *h || host.ends_with(&format!(".{h}")))
        })
    }

    /// The issuer whose keys look like `value`, if any.
    fn issuer_of(value: &str) -> Option<&'static KeyKind> {
        KEY_KINDS
            .iter()
            .filter(|k| k.issuer.is_some())
            .find(|k| value.starts_with(k.prefix))
    }
}

/// Key names whose string values are secrets whatever they look like.
const SECRET_KEYS: &[&str] = &[
    "experimental_bearer_token",
    "token",
    "api_key",
    "apikey",
    "secret",
    "password",
    "authorization",
];

/// Whether `word` looks like a credential rather than a name.
pub fn looks_like_secret(word: &str) -> bool {
    let word = word.trim_matches(|c: char| c == '"' || c == '\'');
    if KEY_KINDS.iter().any(|k| word.starts_with(k.prefix)) && word.len() > 8 {
        return true;
    }
    // Long runs of mixed-case letters and digits are tokens, not variable names
    // (which are conventionally UPPER_SNAKE).
    let long = word.len() >= 24;
    let lower = word.chars().any(|c| c.is_ascii_lowercase());
    let digit = word.chars().any(|c| c.is_ascii_digit());
    let no_space = !word.contains(char::is_whitespace);
    let no_path = !word.contains(['/', '.', ':']);
    long && lower && digit && no_space && no_path
}

/// Hides credentials in a line of config text before it is shown: the value of
/// any secret-named key, and any word that looks like a key.
pub fn redact(line: &str) -> String {
    // A secret-named key followed by `=` or `:` hides everything after it.
    for (at, c) in line.char_indices() {
        if c != '=' && c != ':' {
            continue;
        }
        let before = line[..at].trim_end().trim_end_matches(['"', '\'']);
        let start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let key = before[start..].to_ascii_lowercase();
        let value = line[at + 1..].trim();
        let secret_key = !key.is_empty() && SECRET_KEYS.iter().any(|k| key.contains(k));
        if secret_key && !value.is_empty() && value != "{" && value != "[" {
            return format!("{} <redacted>", &line[..=at]);
        }
    }
    let mut out = String::with_capacity(line.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if looks_like_secret(word) {
            out.push_str("<redacted>");
        } else {
            out.push_str(&hide_userinfo(word));
        }
        word.clear();
    };
    for c in line.chars() {
        if c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | ',' | '{' | '}' | '[' | ']' | '=' | '(' | ')'
            )
        {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// `https://user:pass@host/...` becomes `https://<redacted>@host/...`.
fn hide_userinfo(word: &str) -> String {
    if let Some(scheme_end) = word.find("://") {
        let rest = &word[scheme_end + 3..];
        let authority_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            return format!("{}<redacted>{}", &word[..scheme_end + 3], &rest[at..]);
        }
    }
    word.to_owned()
}

/// Servers echo keys back in errors ("Incorrect API key provided:
/// sk-ab***yz", "ending in 6789"): hide every word that shares four
/// characters in a row with the key, so not even part of it is printed.
pub fn scrub(text: &str, key: Option<&str>) -> String {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return text.to_owned();
    };
    let chars: Vec<char> = key.chars().collect();
    let windows: Vec<String> = if chars.len() <= 4 {
        vec![key.to_owned()]
    } else {
        chars.windows(4).map(|w| w.iter().collect()).collect()
    };
    text.split(' ')
        .map(|word| {
            if windows.iter().any(|w| word.contains(w.as_str())) {
                "<redacted>"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What is wrong, if anything, with a key variable's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    Unset,
    Empty,
    NotUnicode,
    /// Leading or trailing whitespace (often a pasted newline).
    Padded,
    /// Wrapped in quotes that the shell kept.
    Quoted,
    /// Has another provider's prefix.
    Foreign {
        looks_like: &'static str,
    },
    /// Lacks the prefix this provider's keys have.
    MissingPrefix {
        family: &'static str,
        prefix: &'static str,
    },
    Fine,
}

/// What a key check means for a Codex run; every command reads it the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyVerdict {
    Fine,
    /// Codex stops before any request: "Missing environment variable".
    Missing,
    /// Codex sends it, and the provider will answer 401.
    Unusable,
    /// It may be the wrong key: a 401 would mean it is.
    Doubtful,
}

impl KeyCheck {
    /// Checks the variable `var` for a provider at `base_url`.
    pub fn of_var(var: &str, base_url: &str) -> Self {
        check_value(std::env::var_os(var), KeyKind::for_url(base_url))
    }

    pub fn verdict(&self) -> KeyVerdict {
        match self {
            KeyCheck::Fine => KeyVerdict::Fine,
            KeyCheck::Unset | KeyCheck::Empty => KeyVerdict::Missing,
            KeyCheck::NotUnicode | KeyCheck::Padded | KeyCheck::Quoted => KeyVerdict::Unusable,
            KeyCheck::Foreign { .. } | KeyCheck::MissingPrefix { .. } => KeyVerdict::Doubtful,
        }
    }

    /// A sentence about the variable; never includes the value.
    pub fn describe(&self, var: &str) -> String {
        match self {
            KeyCheck::Unset => format!("{var} is not set"),
            KeyCheck::Empty => format!("{var} is set but empty"),
            KeyCheck::NotUnicode => format!("{var} is not valid UTF-8"),
            KeyCheck::Padded => format!("{var} has leading or trailing whitespace"),
            KeyCheck::Quoted => format!("{var} is wrapped in quotes"),
            KeyCheck::Foreign { looks_like } => format!("{var} looks like a {looks_like} key"),
            KeyCheck::MissingPrefix { family, prefix } => {
                format!("{var} does not start with `{prefix}` as {family} keys do")
            }
            KeyCheck::Fine => format!("{var} is set"),
        }
    }
}

/// How to set a provider's key variable, as a fix line.
pub fn export_hint(var: &str, provider: &str) -> String {
    format!("export {var}=<your {provider} key>")
}

fn check_value(value: Option<OsString>, family: Option<&'static KeyKind>) -> KeyCheck {
    let Some(value) = value else {
        return KeyCheck::Unset;
    };
    let Some(value) = value.to_str() else {
        return KeyCheck::NotUnicode;
    };
    if value.is_empty() {
        return KeyCheck::Empty;
    }
    if value.trim() != value {
        return KeyCheck::Padded;
    }
    let quoted = |q: char| value.len() >= 2 && value.starts_with(q) && value.ends_with(q);
    if quoted('"') || quoted('\'') {
        return KeyCheck::Quoted;
    }
    let issuer = |k: &KeyKind| k.issuer.unwrap_or_default();
    match (family, KeyKind::issuer_of(value)) {
        (Some(own), Some(other)) if own.issuer != other.issuer => KeyCheck::Foreign {
            looks_like: issuer(other),
        },
        (Some(own), None) => KeyCheck::MissingPrefix {
            family: issuer(own),
            prefix: own.prefix,
        },
        _ => KeyCheck::Fine,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROQ: &str = "https://api.groq.com/openai/v1";

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("experimental_bearer_token = \"abc\""),
            "experimental_bearer_token = <redacted>"
        );
        assert_eq!(
            redact("    env_key: gsk_abcdefghijklmnop"),
            "    env_key: <redacted>"
        );
        assert_eq!(
            redact("env_key = \"GROQ_API_KEY\""),
            "env_key = \"GROQ_API_KEY\""
        );
        assert_eq!(
            redact("base_url = \"https://api.groq.com/openai/v1\""),
            "base_url = \"https://api.groq.com/openai/v1\""
        );
    }

    #[test]
    fn redaction_handles_any_text() {
        // Non-ASCII letters right before `=` or `:` once sliced a char apart.
        assert_eq!(redact("# Übersicht: alles"), "# Übersicht: alles");
        assert_eq!(redact("clé_token = \"x\""), "clé_token = <redacted>");
        assert_eq!(redact("名前: 値"), "名前: 値");
    }

    #[test]
    fn secret_detection() {
        assert!(looks_like_secret("sk-proj-abcdef123456"));
        assert!(looks_like_secret("gsk_0123456789abcdef"));
        assert!(looks_like_secret("a8f5f167f44f4964e6c998dee827110c"));
        assert!(!looks_like_secret("OPENROUTER_API_KEY"));
        assert!(!looks_like_secret("sk-"));
        assert!(!looks_like_secret(
            "accounts/fireworks/models/qwen3-235b-a22b"
        ));
    }

    #[test]
    fn echoed_keys_are_scrubbed() {
        let key = Some("sk-abcdef123456789");
        assert_eq!(
            scrub("Incorrect API key provided: sk-abcd*******6789.", key),
            "Incorrect API key provided: <redacted>"
        );
        assert_eq!(
            scrub("key sk-abcdef123456789 bad", key),
            "key <redacted> bad"
        );
        assert_eq!(scrub("quota exceeded", key), "quota exceeded");
        assert_eq!(
            scrub("the key ending in 6789 is revoked", key),
            "the key ending in <redacted> is revoked"
        );
    }

    #[test]
    fn key_values_are_judged() {
        let family = KeyKind::for_url(GROQ);
        let check = |v: &str| check_value(Some(v.into()), family);
        assert_eq!(check_value(None, family), KeyCheck::Unset);
        assert_eq!(check(""), KeyCheck::Empty);
        assert_eq!(check("gsk_abc\n"), KeyCheck::Padded);
        assert_eq!(check("\"gsk_abc\""), KeyCheck::Quoted);
        assert_eq!(
            check("sk-or-v1-abc"),
            KeyCheck::Foreign {
                looks_like: "OpenRouter"
            }
        );
        assert_eq!(
            check("sk-proj-abc"),
            KeyCheck::Foreign {
                looks_like: "OpenAI"
            }
        );
        assert_eq!(
            check("abc"),
            KeyCheck::MissingPrefix {
                family: "Groq",
                prefix: "gsk_"
            }
        );
        assert_eq!(check("gsk_abc"), KeyCheck::Fine);
        // A gateway's keys can look like anything.
        assert_eq!(
            check_value(Some("sk-anything".into()), None),
            KeyCheck::Fine
        );
        // A prefix no single provider issues says nothing about the key.
        assert_eq!(
            check_value(Some("fw_abc".into()), KeyKind::for_url(GROQ)),
            KeyCheck::MissingPrefix {
                family: "Groq",
                prefix: "gsk_"
            }
        );
    }

    #[test]
    fn verdicts_are_one_rule() {
        assert_eq!(KeyCheck::Unset.verdict(), KeyVerdict::Missing);
        assert_eq!(KeyCheck::Empty.verdict(), KeyVerdict::Missing);
        assert_eq!(KeyCheck::Quoted.verdict(), KeyVerdict::Unusable);
        assert_eq!(
            KeyCheck::Foreign { looks_like: "xAI" }.verdict(),
            KeyVerdict::Doubtful
        );
        assert_eq!(KeyCheck::Fine.verdict(), KeyVerdict::Fine);
    }

    #[test]
    fn descriptions_never_hold_the_value() {
        for c in [
            KeyCheck::Unset,
            KeyCheck::Padded,
            KeyCheck::Foreign { looks_like: "xAI" },
        ] {
            assert!(c.describe("GROQ_API_KEY").starts_with("GROQ_API_KEY"));
        }
    }
}
