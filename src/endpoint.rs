//! Owns what the troubleshooting commands need to know about a provider as
//! Codex will reach it: the effective base URL, key variable, query
//! parameters and headers (Codex's built-ins included), and what a key
//! Codex cannot use means for a run, worded once for doctor, exec and
//! probe ([`Endpoint::key_finding`], [`Endpoint::no_key`]). Judging a
//! key's value is `secrets`' job.

use std::fmt::Write as _;

use crate::codex;

/// What the troubleshooting commands show as the URL of Codex's Amazon
/// Bedrock built-in, whose real one depends on the AWS region.
const BEDROCK_URL: &str = "(Codex's Amazon Bedrock endpoint for the AWS region)";
const GCP_URL: &str = "(Codex's Vertex AI endpoint for the Google Cloud project and location)";

use crate::catalog::{AuthCommand, Aws, Bedrock, Index, Provider};
use crate::findings::{Finding, Severity, Subject};
use crate::keycmd::KeyCommandError;
use crate::secrets::{KeyCheck, KeyVerdict, export_hint};

/// A provider as Codex will call it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub env_key: Option<String>,
    /// The command that prints the key, instead of `env_key`.
    pub auth: Option<AuthCommand>,
    /// AWS `SigV4` signing, instead of a key.
    pub aws: Option<Aws>,
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
            name: p.name.clone(),
            base_url: p.base_url.clone(),
            env_key: p.env_key.clone(),
            auth: p.auth.clone(),
            aws: None,
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
            id if codex::BEDROCK_PROVIDERS.iter().any(|(b, _)| *b == id) => {
                return Some(Endpoint {
                    id: id.to_owned(),
                    name: "Amazon Bedrock".to_owned(),
                    base_url: BEDROCK_URL.to_owned(),
                    env_key: None,
                    auth: None,
                    aws: Some(Aws::default()),
                    query_params: Vec::new(),
                    http_headers: Vec::new(),
                    env_http_headers: Vec::new(),
                    builtin: true,
                });
            }
            // Signs in with Google Cloud credentials; its URL names the
            // project and location, which codexgen does not build.
            id if id == codex::GCP_PROVIDER.0 => {
                ("Google Cloud Vertex AI", GCP_URL.to_owned(), None)
            }
            _ => return None,
        };
        Some(Endpoint {
            id: id.to_owned(),
            name: name.to_owned(),
            base_url,
            env_key: env_key.map(str::to_owned),
            auth: None,
            aws: None,
            query_params: Vec::new(),
            http_headers: Vec::new(),
            env_http_headers: Vec::new(),
            builtin: true,
        })
    }

    /// What the value of its key variable `var` (checked: `check`) means
    /// for a Codex run, with the fix; `None` when it is fine. `used` says
    /// who needs it (` (used by profile NAME)`), or is empty.
    pub fn key_finding(&self, var: &str, check: &KeyCheck, used: &str) -> Option<Finding> {
        let described = format!("{}{used}", check.describe(var));
        let (severity, message, fix) = match check.verdict() {
            KeyVerdict::Fine => return None,
            KeyVerdict::Missing => (
                Severity::Error,
                format!("{described}: Codex stops with \"Missing environment variable\""),
                format!("{}{}", export_hint(var, &self.name), self.login_hint()),
            ),
            KeyVerdict::Unusable => (
                Severity::Error,
                format!("{described}: the provider will answer 401"),
                check.repair(var),
            ),
            KeyVerdict::Doubtful => (
                Severity::Warning,
                format!("{described}: a 401 would mean it is the wrong key"),
                format!("check that {var} holds a {} key", self.name),
            ),
        };
        Some(Finding::new(severity, Subject::Provider(self.id.clone()), message).fix(fix))
    }

    /// A key command that gives no key (not found as Codex finds it, or
    /// failed when run): Codex 0.169.0 then sends its requests without
    /// one (measured). `used` as for [`Endpoint::key_finding`].
    pub fn no_key(&self, auth: &AuthCommand, err: &KeyCommandError, used: &str) -> Finding {
        Finding::new(
            Severity::Error,
            Subject::Provider(self.id.clone()),
            format!(
                "Codex cannot get the key{used}: no key from `{}` ({err}), so it sends none and gets a 401",
                auth.display()
            ),
        )
        .fix(err.help(auth))
    }

    /// What a key-variable fix adds for this provider: Codex's built-in
    /// `openai` also takes a sign-in (`codex login`) instead of the variable.
    pub fn login_hint(&self) -> &'static str {
        if self.builtin && self.id == "openai" {
            "; or sign in once with `codex login`"
        } else {
            ""
        }
    }

    /// Codex's Amazon Bedrock built-in with what the catalog's table for it
    /// changes: its URL, headers, and how it signs or gets a key.
    fn with_bedrock(mut self, table: &Bedrock) -> Self {
        if let Some(url) = &table.base_url {
            self.base_url.clone_from(url);
        }
        self.http_headers.clone_from(&table.http_headers.0);
        if table.auth.is_some() {
            self.auth.clone_from(&table.auth);
            self.aws = None;
        }
        if table.aws.is_some() {
            self.aws.clone_from(&table.aws);
        }
        self
    }

    /// The provider a catalog profile or id refers to.
    pub fn lookup(catalog: &Index<'_>, id: &str) -> Option<Self> {
        if let Some(p) = catalog.provider(id) {
            return Some(Endpoint::from_provider(p));
        }
        let builtin = Endpoint::builtin(id)?;
        Some(match catalog.bedrock(id) {
            Some(table) => builtin.with_bedrock(table),
            None => builtin,
        })
    }

    /// `{base_url}/{path}` with the query parameters Codex adds; a
    /// trailing slash of `base_url` is dropped first, as Codex does.
    pub fn url(&self, path: &str) -> String {
        let mut url = format!("{}/{path}", self.base_url.trim_end_matches('/'));
        for (i, (k, v)) in self.query_params.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&percent_encode(k));
            url.push('=');
            url.push_str(&percent_encode(v));
        }
        url
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

#[cfg(test)]
mod tests {
    use super::*;

    fn groq() -> Endpoint {
        Endpoint {
            id: "groq".into(),
            name: "Groq".into(),
            base_url: "https://api.groq.com/openai/v1".into(),
            env_key: Some("GROQ_API_KEY".into()),
            auth: None,
            aws: None,
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
}
