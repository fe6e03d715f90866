//! `codexgen probe`: asks each provider's real endpoint whether Codex would
//! get through, and explains the answer (401 key, 403 permission, 404 on
//! `/responses` means no Responses API, refused/DNS/TLS/timeout). Requests
//! carry the key, query parameters and headers exactly as Codex sends them.
//! Providers are probed concurrently. The key is sent, never printed. No
//! redirect is followed: one is reported, as an error when it points at
//! another origin (Codex would carry the provider's headers there). A
//! provider whose key comes from a command (`auth`) has that command run
//! first, as Codex runs it (`keycmd`), and said on stderr; Amazon Bedrock's
//! providers, which sign with AWS, and Google Cloud's `gcp`, which signs in
//! with Google credentials, are not probed. A profile named on the command
//! line is probed with its model and its verdicts are labeled by it (two
//! profiles on one provider are two verdicts); a provider by its id.
//!
//! The HTTP client is the `network` cargo feature (on by default,
//! docs/building.md): a build without it keeps the command, which says how
//! to get a build that has it and fails, before reading anything.
// Without the client, only `run`'s refusal is left: what only requests use
// is kept, not cut by a cfg on each item (src/lib.rs allows it dead there).
#![cfg_attr(not(feature = "network"), allow(unused_imports))]

use std::io::Read as _;
use std::time::Duration;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::codex;
use crate::diagnostic::{Exit, did_you_mean};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::keycmd;
use crate::output::Stdout;
use crate::plan;
use crate::secrets::{self, KeyCheck, KeyVerdict, redact, scrub};
use crate::settings::Settings;
use crate::ui::report::{Format, Status, own_words, shown, style_status};
use crate::verbosity;
use std::path::Path;

pub struct Options {
    /// Providers or profiles to probe; empty means every provider in use.
    pub names: Vec<String>,
    /// Also send a minimal `POST /responses`.
    pub responses: bool,
    /// How long to wait for each answer (bounded by `cli::SECONDS`).
    pub timeout: Duration,
    pub format: Format,
}

/// What to probe: a provider, and the model a profile uses on it.
struct Job {
    endpoint: Endpoint,
    model: Option<String>,
    /// The profile named on the command line, when one was: its verdicts
    /// are labeled by it.
    profile: Option<String>,
}

/// The verdict on one request.
#[derive(Debug, Serialize)]
pub struct Outcome {
    /// The profile named on the command line (`null`: a provider was, or
    /// none and every provider in use is probed).
    pub profile: Option<String>,
    pub provider: String,
    pub request: String,
    pub status: Status,
    /// The HTTP status code, when an answer came.
    pub code: Option<u16>,
    pub message: String,
    pub fix: Option<String>,
}

/// A build without the `network` feature: `probe` says how to get a build
/// with it, and fails.
#[cfg(not(feature = "network"))]
pub fn run(_settings: &Settings, _args: &Options) -> Result<Exit, Error> {
    Err(Error::with_help(
        "this codexgen was built without the `network` feature, which `probe` needs to send requests",
        "install a build that has it: a release archive, or `cargo install --locked codexgen` (the feature is on by default); from a checkout, `cargo build --release` (without `--no-default-features`)",
    ))
}

#[cfg(feature = "network")]
pub fn run(settings: &Settings, args: &Options) -> Result<Exit, Error> {
    let prepared = plan::prepare(settings, None)?;
    let jobs = jobs(&prepared.catalog, &args.names)?;
    let timeout = args.timeout;
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect is reported, never followed: followed, it would
            // carry the provider's headers to wherever it points, and the
            // answer would come from a host the key was never checked on.
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(concat!("codexgen/", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|job| {
                let agent = agent.clone();
                let home = settings.codex_home.as_path();
                scope.spawn(move || {
                    let mut outcomes = probe(&agent, job, home, args.responses, timeout);
                    for o in &mut outcomes {
                        o.profile.clone_from(&job.profile);
                    }
                    outcomes
                })
            })
            .collect();
        // A probe that panicked (a bug) ends the run as a panic on this
        // thread would, as `gen`'s worker does: never as a run with one
        // verdict fewer that exits 0.
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut out = Stdout::new("the verdicts");
    match args.format {
        Format::Json => {
            out.line(serde_json::to_string_pretty(&outcomes).expect("outcomes serialize"))?;
        }
        Format::Text => {
            for o in &outcomes {
                let label = match &o.profile {
                    Some(profile) => {
                        format!("profile {} (provider {})", shown(profile), o.provider)
                    }
                    None => o.provider.clone(),
                };
                out.line(format_args!(
                    "{} {label}: {} -> {}",
                    style_status(o.status),
                    o.request,
                    o.message
                ))?;
                if let Some(fix) = &o.fix {
                    out.line(format_args!("       fix: {fix}"))?;
                }
            }
        }
    }
    out.finish()?;
    Ok(if outcomes.iter().any(|o| o.status == Status::Error) {
        Exit::Attention
    } else {
        Exit::Ok
    })
}

/// The providers to probe: those named (ids or profile names), else every
/// catalog provider and every built-in a profile uses.
fn jobs(catalog: &Catalog, names: &[String]) -> Result<Vec<Job>, Error> {
    let index = catalog.index();
    let model_for = |id: &str| index.users_of(id).first().map(|p| p.model.clone());
    if names.is_empty() {
        return Ok(catalog
            .providers_in_use()
            .into_iter()
            .filter_map(|id| {
                Endpoint::lookup(&index, id).map(|endpoint| Job {
                    model: model_for(id),
                    endpoint,
                    profile: None,
                })
            })
            .collect());
    }
    names
        .iter()
        .map(|name| {
            if let Some(profile) = index.profile(name) {
                let endpoint = Endpoint::lookup(&index, &profile.provider)
                    .expect("a valid catalog's profiles name known providers");
                return Ok(Job {
                    endpoint,
                    model: Some(profile.model.clone()),
                    profile: Some(profile.name.to_string()),
                });
            }
            if let Some(endpoint) = Endpoint::lookup(&index, name) {
                return Ok(Job {
                    model: model_for(name),
                    endpoint,
                    profile: None,
                });
            }
            let known = catalog
                .providers
                .iter()
                .map(|p| p.id.as_str())
                .chain(catalog.profiles.iter().map(|p| p.name.as_str()));
            let hint = did_you_mean(name, known)
                .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
            Err(Error::message(format!(
                "`{name}` is neither a provider nor a profile in the catalog{hint}"
            )))
        })
        .collect()
}

#[cfg(feature = "network")]
fn probe(
    agent: &ureq::Agent,
    job: &Job,
    codex_home: &Path,
    responses: bool,
    timeout: Duration,
) -> Vec<Outcome> {
    let e = &job.endpoint;
    let not_probed = |message: String, fix: String| {
        vec![Outcome {
            profile: None,
            provider: e.id.clone(),
            request: "(none)".to_owned(),
            status: Status::Error,
            code: None,
            message: format!("not probed: {message}"),
            fix: Some(fix),
        }]
    };
    let mut key = None;
    if let Some(auth) = &e.auth {
        // Codex would run it before its first request; so does the probe.
        verbosity::info(&format!(
            "probe: running the key command of `{}`: {}",
            e.id,
            auth.display()
        ));
        match keycmd::run(auth, codex_home) {
            Ok(k) => key = Some(k),
            Err(err) => {
                let finding = e.no_key(auth, &err, "");
                return not_probed(finding.message, finding.fix.unwrap_or_default());
            }
        }
    }
    let signed = if e.aws.is_some() {
        Some("Codex signs its requests with AWS SigV4")
    } else if e.builtin && e.id == codex::GCP_PROVIDER.0 && e.auth.is_none() {
        Some("Codex signs in with Google Cloud credentials")
    } else {
        None
    };
    if let Some(how) = signed {
        return vec![Outcome {
            profile: None,
            provider: e.id.clone(),
            request: "(none)".to_owned(),
            status: Status::Info,
            code: None,
            message: format!("not probed: {how}, which the probe does not do"),
            fix: Some(format!(
                "try it with `codexgen exec PROFILE` (a profile on `{}`)",
                e.id
            )),
        }];
    }
    if let Some(var) = &e.env_key {
        let check = KeyCheck::of_var(var, &e.base_url);
        // Codex would stop before sending anything; so does the probe. No
        // HTTP header carries it: sending would fail on this side, and say
        // nothing about the provider.
        if (check.verdict() == KeyVerdict::Missing || check.no_header_carries())
            && let Some(finding) = e.key_finding(var, &check, "")
        {
            return not_probed(finding.message, finding.fix.unwrap_or_default());
        }
        key = std::env::var(var).ok();
    }
    for var in e.env_http_headers.iter().map(|(_, var)| var) {
        if let Some(why) = std::env::var(var)
            .ok()
            .and_then(|value| secrets::unsendable(var, &value))
        {
            return not_probed(
                why,
                format!("set {var} to the header's value alone, on one line"),
            );
        }
    }
    let mut out = vec![get_models(agent, job, key.as_deref(), timeout)];
    if responses {
        out.push(post_responses(agent, job, key.as_deref(), timeout));
    }
    out
}

fn headers(e: &Endpoint, key: Option<&str>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = e.http_headers.clone();
    for (name, var) in &e.env_http_headers {
        if let Ok(value) = std::env::var(var)
            && !value.is_empty()
        {
            headers.push((name.clone(), value));
        }
    }
    if let Some(key) = key {
        headers.push(("Authorization".to_owned(), format!("Bearer {key}")));
    }
    headers
}

#[cfg(feature = "network")]
fn get_models(agent: &ureq::Agent, job: &Job, key: Option<&str>, timeout: Duration) -> Outcome {
    let e = &job.endpoint;
    let url = e.url("models");
    let mut request = agent.get(&url);
    for (k, v) in headers(e, key) {
        request = request.header(k, v);
    }
    let (mut outcome, body) = classify(e, "GET", &url, request.call(), timeout, false);
    if let (Some(200), Some(model)) = (outcome.code, &job.model) {
        let ids = model_ids(&body);
        if ids.iter().any(|id| id == model) {
            outcome.message = format!("200: key accepted; model `{model}` is listed");
        } else if ids.is_empty() {
            "200: key accepted (the answer lists no models)".clone_into(&mut outcome.message);
        } else {
            outcome.status = Status::Warn;
            outcome.message = format!(
                "200: key accepted, but model `{model}` is not among the {} models listed",
                ids.len()
            );
            outcome.fix = Some(format!("check the model id in the catalog against {url}"));
        }
    }
    outcome
}

#[cfg(feature = "network")]
fn post_responses(agent: &ureq::Agent, job: &Job, key: Option<&str>, timeout: Duration) -> Outcome {
    let e = &job.endpoint;
    let url = e.url("responses");
    let body = serde_json::json!({
        "model": job.model.clone().unwrap_or_default(),
        "input": "Reply with the word ok.",
        "max_output_tokens": 16,
        "store": false,
    });
    let mut request = agent.post(&url).header("Content-Type", "application/json");
    for (k, v) in headers(e, key) {
        request = request.header(k, v);
    }
    let (mut outcome, _) = classify(
        e,
        "POST",
        &url,
        request.send(body.to_string()),
        timeout,
        true,
    );
    if outcome.code == Some(200) {
        "200: the Responses API answered; Codex can use this provider"
            .clone_into(&mut outcome.message);
    }
    outcome
}

#[cfg(feature = "network")]
/// Turns a response or transport error into a verdict, and hands back the
/// body (at most 1 MiB) for the caller to read.
fn classify(
    e: &Endpoint,
    method: &str,
    url: &str,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    timeout: Duration,
    is_responses: bool,
) -> (Outcome, String) {
    let request = format!("{method} {url}");
    let outcome = |status, code, message: String, fix: Option<String>| Outcome {
        profile: None,
        provider: e.id.clone(),
        request: shown(&request),
        status,
        code,
        message: shown(&message),
        fix: fix.as_deref().map(own_words),
    };
    let mut response = match result {
        Ok(r) => r,
        Err(err) => {
            let (message, fix) = transport_error(&err, url, timeout);
            return (
                outcome(Status::Error, None, message, Some(fix)),
                String::new(),
            );
        }
    };
    let code = response.status().as_u16();
    let mut body = String::new();
    let _ = response
        .body_mut()
        .as_reader()
        .take(1 << 20)
        .read_to_string(&mut body);
    let detail = scrub(&error_detail(&body));
    let var = match (&e.auth, &e.env_key) {
        (Some(auth), _) => format!("the key command `{}` prints", auth.display()),
        (None, Some(var)) => format!("{var} is set to"),
        (None, None) => "the key variable is set to".to_owned(),
    };
    let verdict = match code {
        200..=299 => outcome(Status::Ok, Some(code), format!("{code}: ok"), None),
        300..=399 => {
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default();
            let (status, message, fix) = redirect(code, url, location);
            outcome(status, Some(code), message, Some(fix))
        }
        401 => outcome(
            Status::Error,
            Some(code),
            format!("401: the key was rejected{detail}"),
            Some(format!("check that {var} a current key that belongs to {}", e.name)),
        ),
        403 => outcome(
            Status::Error,
            Some(code),
            format!("403: the key was accepted but may not use this model or project{detail}"),
            Some("check the model's access for this key in the provider's console".to_owned()),
        ),
        404 if is_responses => outcome(
            Status::Error,
            Some(code),
            format!("404: this endpoint does not serve the Responses API{detail}"),
            Some(format!("Codex cannot use {} at {}; it needs POST {url}", e.name, e.base_url)),
        ),
        404 => outcome(
            Status::Warn,
            Some(code),
            format!("404: no /models here{detail}"),
            Some("some servers do not list models; check base_url, then run `codexgen probe --responses`".to_owned()),
        ),
        429 => outcome(
            Status::Warn,
            Some(code),
            format!("429: rate limited or out of credit{detail}"),
            None,
        ),
        _ => outcome(
            Status::Error,
            Some(code),
            format!("{code}: unexpected answer{detail}"),
            None,
        ),
    };
    (verdict, body)
}

/// The verdict on a redirect from `url` to `location`, which the probe
/// does not follow. Codex does follow it, with the provider's headers
/// (`env_http_headers` included): to another origin, that sends them to a
/// host the catalog does not name, an error whatever answers there.
fn redirect(code: u16, url: &str, location: &str) -> (Status, String, String) {
    let shown_location = shown(location);
    match Origin::target(url, location) {
        Target::Same => (
            Status::Warn,
            format!(
                "{code}: redirects to {shown_location} on the same host; the probe follows no redirect, so the key was not checked"
            ),
            "set base_url to where the redirect points, so that no request needs one".to_owned(),
        ),
        Target::Other(to) => (
            Status::Error,
            format!(
                "{code}: redirects to another host ({}); Codex would follow it and send this provider's headers and key there; the key was not checked",
                shown(&to)
            ),
            format!(
                "find out why the provider redirects to {shown_location}; if that host is the provider's, set base_url to it (the probe follows no redirect)"
            ),
        ),
    }
}

/// Where a redirect leads, as far as who receives the headers goes.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// The scheme, host and port of the request: a path on the same server.
    Same,
    /// Anything else, as `scheme://host:port`; also whatever cannot be read
    /// for sure (a server that answers with it is not to be trusted).
    Other(String),
}

/// The origin of a URL, as an HTTP client compares it: scheme and host in
/// lower case, the host without a final dot, the port spelled out.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// Where `location`, a redirect's answer to a request for `url`, leads.
    /// Read the way URL parsers that clients use read it (WHATWG): spaces
    /// and control characters around it dropped, tabs and newlines in it
    /// dropped, `\` as `/`, `//host/...` taking the request's scheme, and
    /// `http:host` or `http:///host` leading to that host; anything else
    /// without a scheme is a path on the same host.
    fn target(url: &str, location: &str) -> Target {
        let location: String = location
            .trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .map(|c| if c == '\\' { '/' } else { c })
            .collect();
        let Some(base) = Origin::of(url) else {
            return Target::Other(location);
        };
        let to = if let Some(rest) = location.strip_prefix("//") {
            Origin::of(&format!("{}://{rest}", base.scheme))
        } else if Origin::scheme_of(&location).is_some() {
            Origin::of(&location)
        } else {
            return Target::Same;
        };
        match to {
            Some(to) if to == base => Target::Same,
            Some(to) => Target::Other(format!("{}://{}:{}", to.scheme, to.host, to.port)),
            None => Target::Other(location),
        }
    }

    /// The scheme of `url` when it starts with one (`http:`), in lower case.
    fn scheme_of(url: &str) -> Option<String> {
        let (scheme, _) = url.split_once(':')?;
        let mut chars = scheme.chars();
        (chars.next()?.is_ascii_alphabetic()
            && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .then(|| scheme.to_ascii_lowercase())
    }

    fn of(url: &str) -> Option<Origin> {
        let scheme = Origin::scheme_of(url)?;
        let rest = url[scheme.len() + 1..].trim_start_matches('/');
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = match host_port.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']')?;
                (format!("[{host}]"), after.strip_prefix(':'))
            }
            None => match host_port.rsplit_once(':') {
                Some((host, port)) => (host.to_owned(), Some(port)),
                None => (host_port.to_owned(), None),
            },
        };
        let default = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => 0,
        };
        let port = match port {
            None | Some("") => default,
            Some(port) => port.parse().ok()?,
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        (!host.is_empty()).then_some(Origin { scheme, host, port })
    }
}

#[cfg(feature = "network")]
fn transport_error(err: &ureq::Error, url: &str, timeout: Duration) -> (String, String) {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or(url);
    match err {
        ureq::Error::Timeout(_) => (
            format!("no answer within {:.1} s", timeout.as_secs_f64()),
            format!(
                "check that {host} is reachable from here (proxy variables are honoured), or raise --timeout"
            ),
        ),
        ureq::Error::HostNotFound => (
            format!("DNS: cannot resolve {host}"),
            "check the host name in base_url and your network".to_owned(),
        ),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => (
            format!("connection refused by {host}"),
            "is the server running? (local servers: `ollama serve`, `lms server start`)".to_owned(),
        ),
        ureq::Error::ConnectionFailed => (
            format!("cannot connect to {host}"),
            "is the server running and the port right?".to_owned(),
        ),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => (
            format!("TLS: {err}"),
            format!("check that {host} serves a valid certificate for https"),
        ),
        other => (
            format!("request failed: {other}"),
            format!("check base_url {url}"),
        ),
    }
}

/// `: <message>` from an OpenAI-style error body, short and redacted.
fn error_detail(body: &str) -> String {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.get("message"))
                .or_else(|| v.get("error"))
                .and_then(|m| m.as_str().map(str::to_owned))
        });
    match message {
        Some(m) => {
            let m: String = redact(m.lines().next().unwrap_or_default())
                .chars()
                .take(200)
                .collect();
            format!(" ({m})")
        }
        None => String::new(),
    }
}

/// Model ids in a `/models` answer (`{"data": [{"id": ...}]}` or a bare list).
fn model_ids(body: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let list = v.get("data").or(v.get("models")).unwrap_or(&v);
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| {
                    i.get("id")
                        .or(i.get("name"))
                        .and_then(|x| x.as_str())
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_lists_are_read() {
        assert_eq!(
            model_ids(r#"{"data":[{"id":"a"},{"id":"b"}]}"#),
            vec!["a", "b"]
        );
        assert_eq!(
            model_ids(r#"{"models":[{"name":"gpt-oss:20b"}]}"#),
            vec!["gpt-oss:20b"]
        );
        assert!(model_ids("not json").is_empty());
    }

    #[test]
    fn a_redirect_elsewhere_is_never_a_success() {
        let from = "https://api.example/v1/models";
        for to in [
            "https://evil.example/v1/models",
            "http://api.example/v1/models",
            "https://api.example:8443/v1/models",
            "https://user@api.example.evil/v1",
            // Read as hosts by the URL parsers clients use.
            "//evil.example/v1/models",
            "/\\evil.example/v1/models",
            "\\\\evil.example/v1/models",
            " //evil.example/v1",
            "https:evil.example/v1",
            "https:///evil.example/v1",
            "/\t/evil.example/v1",
            "HTTPS://API.EXAMPLE.evil/v1",
            "https://[::1]/v1",
            "https://api.example:notaport/v1",
        ] {
            let (status, message, _) = redirect(302, from, to);
            assert_eq!(status, Status::Error, "{to}");
            assert!(message.contains("another host"), "{message}");
        }
        for to in [
            "/v2/models",
            "https://api.example/v2/models",
            "",
            "HTTPS://API.EXAMPLE:443/v2",
            "https://api.example./v2",
            "v2/models",
            "?page=2",
            "//api.example/v2",
        ] {
            let (status, message, _) = redirect(307, from, to);
            assert_eq!(status, Status::Warn, "{to}");
            assert!(message.contains("same host"), "{message}");
        }
    }

    #[test]
    fn error_bodies_are_summarised() {
        assert_eq!(
            error_detail(r#"{"error":{"message":"Invalid API Key"}}"#),
            " (Invalid API Key)"
        );
        assert_eq!(error_detail("<html>"), "");
    }
}
