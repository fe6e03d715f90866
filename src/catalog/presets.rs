//! Owns the preset library: the providers of the built-in catalog
//! ([`EMBEDDED`](super::EMBEDDED)) and their example profiles (those that
//! use them), each as its facts (name, base URL, key variable) and as its
//! text with the comments above it, for `codexgen add` to copy into a
//! catalog file. Does not decide where they go (`add` does) nor edit a file
//! (`edit` does).

use super::edit;
use super::yaml::{self, Value};

/// One shipped provider and the example profiles that use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub env_key: Option<String>,
    /// Its entry under `providers:`, comments above it included, the key
    /// at column 1 (see [`edit::entry_lines`]).
    pub text: String,
    pub profiles: Vec<Example>,
}

/// An example profile of a preset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub name: String,
    /// Its entry under `profiles:`, as [`Preset::text`].
    pub text: String,
}

/// Every preset, in the built-in catalog's order.
pub fn all() -> Vec<Preset> {
    of(super::EMBEDDED)
}

/// The presets of a catalog text: each provider of its block mapping
/// `providers:`, with the profiles whose `provider` is its id.
fn of(text: &str) -> Vec<Preset> {
    let Ok(root) = yaml::parse(0, super::EMBEDDED_NAME, text) else {
        return Vec::new();
    };
    let Value::Map(top) = &root.value else {
        return Vec::new();
    };
    let section = |name: &str| match top.iter().find(|(k, _)| k.name == name) {
        Some((_, node)) => match &node.value {
            Value::Map(entries) => entries.as_slice(),
            _ => &[],
        },
        None => &[],
    };
    let text_of = |node: &yaml::Node, key: &str| match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.name == key)
            .and_then(|(_, v)| match &v.value {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            }),
        _ => None,
    };
    section("providers")
        .iter()
        .filter_map(|(key, node)| {
            let id = key.name.clone();
            let profiles = section("profiles")
                .iter()
                .filter(|(_, p)| text_of(p, "provider").as_deref() == Some(id.as_str()))
                .filter_map(|(k, _)| {
                    Some(Example {
                        name: k.name.clone(),
                        text: edit::entry_lines(text, "profiles", &k.name)?,
                    })
                })
                .collect();
            Some(Preset {
                name: text_of(node, "name").unwrap_or_else(|| id.clone()),
                base_url: text_of(node, "base_url").unwrap_or_default(),
                env_key: text_of(node, "env_key"),
                text: edit::entry_lines(text, "providers", &id)?,
                profiles,
                id,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_provider_is_a_preset_with_its_comment_and_profile() {
        let presets = all();
        let ids: Vec<&str> = presets.iter().map(|p| p.id.as_str()).collect();
        assert!(
            ids.contains(&"groq") && ids.contains(&"deepseek"),
            "{ids:?}"
        );
        let groq = presets.iter().find(|p| p.id == "groq").unwrap();
        assert_eq!(groq.env_key.as_deref(), Some("GROQ_API_KEY"));
        assert_eq!(groq.base_url, "https://api.groq.com/openai/v1");
        assert!(groq.text.starts_with("# Groq: "), "{}", groq.text);
        assert!(
            groq.text.contains("\ngroq:\n  name: Groq\n"),
            "{}",
            groq.text
        );
        assert_eq!(groq.profiles.len(), 1);
        assert_eq!(
            groq.profiles[0].text,
            "groq:\n  provider: groq\n  model: openai/gpt-oss-20b\n"
        );
        // A comment of several lines comes whole.
        let deepseek = presets.iter().find(|p| p.id == "deepseek").unwrap();
        assert_eq!(
            deepseek.text.lines().filter(|l| l.starts_with('#')).count(),
            3
        );
        // Every shipped provider has an entry text and a profile.
        for p in &presets {
            assert!(p.text.contains(&format!("{}:\n", p.id)), "{}", p.id);
            assert!(!p.profiles.is_empty(), "{} has no example profile", p.id);
        }
    }
}
