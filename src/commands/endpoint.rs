//! Owns what the troubleshooting commands need to know about a provider as
//! Codex will reach it: the effective base URL, key variable, query
//! parameters and headers (Codex's built-ins included), and the checks on a
//! key variable's value. The value is looked at, never kept or shown.

use std::ffi::OsString;
use std::fmt::Write as _;

use crate::catalog::{Catalog, Provider};

/// A provider as Codex will call it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub env_key: Option<String>,
    pub query_params: Vec<(String, String)>,
    pub http_headers: Vec<(String, String)>,
    pub env_http_headers: Vec<(String, String)>,
    /// Defined by Codex, not by the catalog.
    pub builtin: bool,
}

impl Endpoint {
    pub fn from_provider(p: &Provider) -> Self {
        Endpoint {
            id: p.id.clone(),
            name: p.name.clone().unwrap_or_else(|| p.id.clone()),
            base_url: p.base_url.clone(),
            env_key: p.env_key.clone(),
            query_params: p.query_params.0.clone(),
            http_headers: p.http_headers.0.clone(),
            env_http_headers: p.env_http_headers.0.clone(),
            builtin: false,
        }
    }

    /// Codex's built-in providers, as its source defines them.
    pub fn builtin(id: &str) -> Option<Self> {
        let (name, base_url, env_key) = match id {
            "openai" => (
                "OpenAI",
                std::env::var("OPENAI_BASE_URL")
                    .ok()
                    .filter(|u| !u.trim().is_empty())
                    .unwrap_or_else(|| "https://api.openai.com/v1".to_owned()),
                Some("OPENAI_API_KEY"),
            ),
            "ollama" => ("Ollama", "http://localhost:11434/v1".to_owned(), None),
            "lmstudio" => ("LM Studio", "http://localhost:1234/v1".to_owned(), None),
            _ => return None,
        };
        Some(Endpoint {
            id: id.to_owned(),
            name: name.to_owned(),
            base_url,
            env_key: env_key.map(str::to_owned),
            query_params: Vec::new(),
            http_headers: Vec::new(),
            env_http_headers: Vec::new(),
            builtin: true,
        })
    }

    /// The provider a catalog profile or id refers to.
    pub fn lookup(catalog: &Catalog, id: &str) -> Option<Self> {
        catalog
            .provider(id)
            .map(Endpoint::from_provider)
            .or_else(|| Endpoint::builtin(id))
    }

    /// `{base_url}/{path}` with the query parameters Codex adds.
    pub fn url(&self, path: &str) -> String {
        let mut url = format!("{}/{path}", self.base_url);
        for (i, (k, v)) in self.query_params.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&percent_encode(k));
            url.push('=');
            url.push_str(&percent_encode(v));
        }
        url
    }

    /// The company whose keys this provider takes, when its host says so.
    pub fn family(&self) -> Option<&'static KeyFamily> {
        let host = self
            .base_url
            .split("://")
            .nth(1)?
            .split(['/', ':'])
            .next()?;
        KEY_FAMILIES.iter().find(|f| {
            f.hosts
                .iter()
                .any(|h| host == *h || host.ends_with(&format!(".{h}")))
        })
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A provider whose API keys have a recognisable prefix.
#[derive(Debug)]
pub struct KeyFamily {
    pub name: &'static str,
    pub prefix: &'static str,
    hosts: &'static [&'static str],
}

/// Longest prefixes first: `sk-or-` is `OpenRouter`'s, not `OpenAI`'s.
pub const KEY_FAMILIES: &[KeyFamily] = &[
    KeyFamily {
        name: "OpenRouter",
        prefix: "sk-or-",
        hosts: &["openrouter.ai"],
    },
    KeyFamily {
        name: "Anthropic",
        prefix: "sk-ant-",
        hosts: &["api.anthropic.com"],
    },
    KeyFamily {
        name: "Groq",
        prefix: "gsk_",
        hosts: &["api.groq.com"],
    },
    KeyFamily {
        name: "xAI",
        prefix: "xai-",
        hosts: &["api.x.ai"],
    },
    KeyFamily {
        name: "Hugging Face",
        prefix: "hf_",
        hosts: &["huggingface.co"],
    },
    KeyFamily {
        name: "Perplexity",
        prefix: "pplx-",
        hosts: &["api.perplexity.ai"],
    },
    KeyFamily {
        name: "NVIDIA",
        prefix: "nvapi-",
        hosts: &["integrate.api.nvidia.com"],
    },
    KeyFamily {
        name: "Google",
        prefix: "AIza",
        hosts: &["generativelanguage.googleapis.com"],
    },
    KeyFamily {
        name: "OpenAI",
        prefix: "sk-",
        hosts: &["api.openai.com"],
    },
];

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

impl KeyCheck {
    pub fn is_usable(&self) -> bool {
        !matches!(self, KeyCheck::Unset | KeyCheck::Empty)
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

/// Checks the variable `var` for this endpoint.
pub fn check_key(var: &str, endpoint: &Endpoint) -> KeyCheck {
    check_value(std::env::var_os(var), endpoint.family())
}

fn check_value(value: Option<OsString>, family: Option<&'static KeyFamily>) -> KeyCheck {
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
    let looks_like = KEY_FAMILIES.iter().find(|f| value.starts_with(f.prefix));
    match (family, looks_like) {
        (Some(own), Some(other)) if own.name != other.name => KeyCheck::Foreign {
            looks_like: other.name,
        },
        (Some(own), None) => KeyCheck::MissingPrefix {
            family: own.name,
            prefix: own.prefix,
        },
        _ => KeyCheck::Fine,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groq() -> Endpoint {
        Endpoint {
            id: "groq".into(),
            name: "Groq".into(),
            base_url: "https://api.groq.com/openai/v1".into(),
            env_key: Some("GROQ_API_KEY".into()),
            query_params: vec![("api-version".into(), "2025 04".into())],
            http_headers: Vec::new(),
            env_http_headers: Vec::new(),
            builtin: false,
        }
    }

    #[test]
    fn urls_carry_query_params() {
        assert_eq!(
            groq().url("models"),
            "https://api.groq.com/openai/v1/models?api-version=2025%2004"
        );
    }

    #[test]
    fn key_values_are_judged() {
        let family = groq().family();
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
