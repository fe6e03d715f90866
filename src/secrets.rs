//! Owns every rule about credentials: which prefixes API keys carry and which
//! provider issues them, what looks like a key, which names are a
//! credential's ([`is_credential_name`], the one rule the catalog's checks,
//! redaction and import share), hiding keys in anything printed (redaction
//! of config text, concealment of every line of the values of the variables
//! the catalog names, scrubbing of echoed keys), and what is wrong with a
//! key variable's value and what that means for Codex. Values are looked
//! at, and remembered only to be hidden, never shown. Does not decide what
//! to print.
//!
//! Redaction and scrubbing are hand-written: the crates that mask secrets
//! work on values a program already knows are secret, while these rules find
//! credentials inside arbitrary text (a config line, a server's error body).

use std::borrow::Cow;
use std::collections::HashSet;
use std::ffi::OsString;
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

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

/// The words that make a name (a config key, a header, a query parameter)
/// a credential's name when the name's words end in one of them: `api_key`,
/// `x-api-key`, `apikey`, `Ocp-Apim-Subscription-Key`, `X-Auth-Token`,
/// `client_secret`, `Proxy-Authorization`, `Cookie`, `X-Amz-Signature`.
const CREDENTIAL_WORDS: &[&str] = &[
    "key",
    "keys",
    "token",
    "secret",
    "secrets",
    "signature",
    "password",
    "passwd",
    "passphrase",
    "passcode",
    "credential",
    "credentials",
    "auth",
    "authorization",
    "authentication",
    "cookie",
    "cookies",
    "jwt",
    "bearer",
];

/// Credential words too short or too common to match as a word's end:
/// these match only a whole word (Azure's `sig`, `pwd`, `pass`
/// (`X-Api-Pass`; not `bypass`), an `OAuth` `code`, a session id, a CSRF
/// token, a one-time password).
const CREDENTIAL_WHOLE_WORDS: &[&str] = &[
    "sig", "pwd", "pass", "code", "session", "sid", "csrf", "xsrf", "otp",
];

/// Credential words whose id is the credential itself: a session's id
/// (`X-Session-Id`) is what a cookie carries, unlike a key's id (`key_id`).
const ID_IS_THE_CREDENTIAL: &[&str] = &["session", "sid", "csrf", "xsrf"];

/// Credential words that are also everyday words of messages ("duplicate
/// mapping key: alpha"): alone after another word, they are prose.
const PROSE_WORDS: &[&str] = &["key", "keys", "code", "session", "auth", "pass"];

/// Words that, after a credential word, say the value is about the
/// credential and not the credential itself: a count (`max_token_limit`),
/// a variable's or header's name (`bearer_token_env_var`), a way or place
/// to get it (`cli_auth_credentials_store`, `preferred_auth_method`),
/// instructions (`env_key_instructions`).
const NOT_A_CREDENTIAL: &[&str] = &[
    "limit",
    "limits",
    "count",
    "budget",
    "size",
    "max",
    "min",
    "len",
    "length",
    "window",
    "env",
    "var",
    "variable",
    "name",
    "id",
    "type",
    "kind",
    "store",
    "method",
    "mode",
    "instructions",
    "file",
    "path",
    "url",
    "command",
    "header",
    "interval",
    "timeout",
    "ms",
    "ttl",
    "endpoint",
    "uri",
    "algorithm",
    "scope",
    "scopes",
    "domain",
    "manager",
    "helper",
    "binding",
    "bindings",
];

/// Everyday words that end in a credential word and name none (a word
/// ending in `key` is a key's name: `apikey`, `accesskey`; these are not).
const NOT_CREDENTIAL_WORDS: &[&str] = &[
    "hotkey", "hotkeys", "monkey", "donkey", "turkey", "jockey", "hockey", "whiskey", "turnkey",
];

/// Whether `name` (a config key, an HTTP header's name, a query
/// parameter's name) names a credential, whatever its value looks like.
/// The one rule that catalog checks, redaction and import share: one of its
/// words (split at anything but a letter or digit, case ignored) ends in a
/// credential word, or is a short one (`sig`), and no word after the last
/// such word says it is a count, a name or a place instead
/// (`model_auto_compact_token_limit`, `bearer_token_env_var`). `max_tokens`
/// and `token_budget` are counts: `tokens` is no credential word.
pub fn is_credential_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let words: Vec<&str> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let credential = |w: &&str| {
        (CREDENTIAL_WORDS.iter().any(|c| w.ends_with(c)) && !NOT_CREDENTIAL_WORDS.contains(w))
            || CREDENTIAL_WHOLE_WORDS.contains(w)
    };
    let Some(last) = words.iter().rposition(credential) else {
        return false;
    };
    let id_is_it = ID_IS_THE_CREDENTIAL.contains(&words[last]);
    !words[last + 1..]
        .iter()
        .any(|w| NOT_A_CREDENTIAL.contains(w) && !(id_is_it && *w == "id"))
}

/// Whether a value is a number (`100000`, `1_000`, `0.5`) or a boolean:
/// counts, limits and switches (`requires_openai_auth = true`), never a
/// credential, whatever their key is called.
fn is_number_or_boolean(value: &str) -> bool {
    if value == "true" || value == "false" {
        return true;
    }
    let value = value.strip_prefix(['-', '+']).unwrap_or(value);
    value.starts_with(|c: char| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '_' | '.' | 'e' | 'E' | '-' | '+'))
}

/// Whether `text`, or any of its words, looks like a key: a string the
/// catalog refuses wherever it stands, and import never copies.
pub fn contains_credential(text: &str) -> bool {
    // A text without whitespace is its only word: looked at once.
    looks_like_secret(text)
        || (text.contains(char::is_whitespace) && text.split_whitespace().any(looks_like_secret))
}

/// Whether `text` holds a credential by the rule [`redact`] hides one: a
/// word that looks like a key, a URL's user info (`postgresql://u:pw@db`),
/// or a secret-named key or flag with its value (`--password=x`,
/// `Authorization: Bearer x`). What the redactor would hide, a check
/// refuses: one rule for both.
pub fn holds_credential(text: &str) -> bool {
    contains_credential(text) || redact_unconcealed(text) != text
}

/// Whether a config value held by the key `name` is a credential: one
/// that [`holds_credential`] wherever it stands, or any value but a number,
/// a switch or nothing under a credential's name ([`is_credential_name`]).
/// `env_key` holds a variable's name, and is a credential only when its
/// value is no name (the rule [`redact`] hides by). What a check refuses
/// to copy, the redactor hides.
pub fn is_credential_value(name: &str, value: &str) -> bool {
    let trimmed = value.trim();
    if holds_credential(value) {
        return true;
    }
    if trimmed.is_empty() || is_number_or_boolean(trimmed) {
        return false;
    }
    if name.eq_ignore_ascii_case("env_key") {
        return !names_a_variable(trimmed);
    }
    is_credential_name(name)
}

/// The first item of a command line that holds a credential: one that
/// [`holds_credential`], or the value after a flag named for one
/// (`--api-key VALUE`, `--client-secret VALUE`); a number after it
/// (`--max-tokens 5`) is a count.
pub fn credential_in_args<S: AsRef<str>>(args: &[S]) -> Option<usize> {
    args.iter().enumerate().find_map(|(i, arg)| {
        let arg = arg.as_ref();
        if holds_credential(arg) {
            return Some(i);
        }
        let flag = arg.strip_prefix('-')?;
        let next = args.get(i + 1)?.as_ref();
        (!flag.contains('=')
            && is_credential_name(flag)
            && !next.starts_with('-')
            && !next.is_empty()
            && !is_number_or_boolean(next))
        .then_some(i + 1)
    })
}

/// Whether `word` looks like a credential rather than a name: a known key
/// prefix, a JWT, or a long run of token characters that is random the way
/// keys are and names are not (hex, high entropy, or letters and digits
/// alternating at every other character). Model ids, URLs, variable names
/// and dates are made of short words between separators and never match.
pub fn looks_like_secret(word: &str) -> bool {
    let word = word.trim_matches(is_around_a_word);
    // Shorter than the shortest key recognized below (a known prefix and
    // more past 8 characters; a JWT's `eyJ`, two dots and two 2-character
    // parts; 20 for the rest), and so are its parts: none.
    if word.len() < 9 {
        return false;
    }
    if KEY_KINDS.iter().any(|k| word.starts_with(k.prefix)) {
        return true;
    }
    // Below 20 characters only a JWT (`eyJ` somewhere) can still match:
    // the AWS key id and the random run need 20.
    if word.len() < 20 && !word.contains("eyJ") {
        return false;
    }
    if is_jwt(word) || is_aws_access_key_id(word) {
        return true;
    }
    // Keys known by their shape stand inside a URL's path or query too.
    if word
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .any(|part| is_jwt(part.trim_matches(is_around_a_word)))
        || word
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(is_aws_access_key_id)
    {
        return true;
    }
    word.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
        .any(is_random_token)
}

/// Quoting and punctuation around a word, not part of it: a key is shown
/// between backticks in a message and before `:` in a YAML line, and its
/// prefix or shape must be seen there as well as bare.
fn is_around_a_word(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '`' | ':' | ';' | ',' | '.' | '(' | ')' | '<' | '>' | '[' | ']'
    )
}

/// An AWS access key id (`AKIA` for a long-term key, `ASIA` for a
/// temporary one, then 16 capital letters or digits): too short and too
/// regular for [`is_random_token`], and half of a credential pair.
fn is_aws_access_key_id(word: &str) -> bool {
    word.len() == 20
        && (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// `header.payload.signature`, each base64url, the header a JSON object.
fn is_jwt(word: &str) -> bool {
    if !word.starts_with("eyJ") {
        return false;
    }
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            p.len() >= 2
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// A run of base64 characters that reads as random: 20 or more characters
/// with letters and digits, and either all hex (24 or more), or a Shannon
/// entropy of 4.2 bits per character or more, or a change between digit,
/// lower and upper case at 40 % of the characters or more. Calibrated on
/// the shipped catalog's models and hundreds of random keys of each shape.
fn is_random_token(run: &str) -> bool {
    let len = run.len();
    if len < 20
        || !run.bytes().any(|b| b.is_ascii_digit())
        || !run.bytes().any(|b| b.is_ascii_alphabetic())
    {
        return false;
    }
    // `/` is base64, but also a path's separator: a path's parts are short
    // (`tmp7UaIu6/tpl/config`), a key's are long (one `/` in 64 characters).
    let parts = run.bytes().filter(|&b| b == b'/').count() + 1;
    if len / parts < 10 {
        return false;
    }
    if len >= 24 && run.bytes().all(|b| b.is_ascii_hexdigit()) {
        return true;
    }
    let mut counts = [0u32; 128];
    for b in run.bytes() {
        counts[usize::from(b & 0x7f)] += 1;
    }
    #[allow(clippy::cast_precision_loss)] // lengths far below 2^52
    let n = len as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum();
    let class = |b: u8| match b {
        b'0'..=b'9' => 0,
        b'a'..=b'z' => 1,
        b'A'..=b'Z' => 2,
        _ => 3,
    };
    let bytes = run.as_bytes();
    let changes = bytes
        .windows(2)
        .filter(|w| class(w[0]) != class(w[1]))
        .count();
    entropy >= 4.2 || changes * 5 >= (len - 1) * 2
}

/// Hides credentials in a line of config text before it is shown: the value of
/// any secret-named key, and any word that looks like a key.
pub fn redact(line: &str) -> String {
    redact_unconcealed(&hide_values(line, &concealed()))
}

/// A TOML value as shown next to its key: redacted as the line `KEY = VALUE`
/// would be, so that a secret-named key hides its value whatever it is.
pub fn redact_value(path: &str, value: &str) -> String {
    let key = path.rsplit('.').next().unwrap_or(path);
    let prefix = format!("{key} = ");
    redact(&format!("{prefix}{value}"))
        .strip_prefix(&prefix)
        .map_or_else(|| "<redacted>".to_owned(), str::to_owned)
}

/// For each line of `text` (TOML), whether it continues a multi-line
/// string (`"""…"""`, `\'\'\'…\'\'\'`) that holds a credential's value (its key
/// is a credential's name: [`is_credential_name`]), and where on it the
/// string closes: `Some(at)` hides `line[..at]` (`at` is the line's length
/// on a line the string does not close on). [`redact`] reads one line and
/// hides the value from its opening line on; these are the lines after it.
pub fn multi_line_secrets(text: &str) -> Vec<Option<usize>> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum In {
        Code,
        Basic,
        Literal,
    }
    /// Where a multi-line string of `quote` closes on `line` from `from`:
    /// the start of its closing three quotes (a run of up to five quotes
    /// ends with them), after `\\` escapes in a basic string.
    fn close(line: &[u8], from: usize, quote: u8) -> Option<usize> {
        let mut i = from;
        while i < line.len() {
            if quote == b'"' && line[i] == b'\\' {
                i += 2;
                continue;
            }
            if line[i] == quote {
                let run = line[i..].iter().take_while(|&&b| b == quote).count();
                if run >= 3 {
                    return Some(i + run.min(5) - 3);
                }
                i += run;
                continue;
            }
            i += 1;
        }
        None
    }
    let mut out = Vec::new();
    let mut state = In::Code;
    let mut hide = false;
    for line in text.lines() {
        let bytes = line.as_bytes();
        let mut i = 0;
        let mut entry = None;
        if state != In::Code {
            let quote = if state == In::Basic { b'"' } else { b'\'' };
            match close(bytes, 0, quote) {
                None => {
                    out.push(hide.then_some(line.len()));
                    continue;
                }
                Some(at) => {
                    entry = hide.then_some(at);
                    i = at + 3;
                    state = In::Code;
                }
            }
        }
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'#' => break,
                b'"' | b'\'' if bytes[i..].starts_with(&[b, b, b]) => {
                    if let Some(at) = close(bytes, i + 3, b) {
                        i = at + 3;
                        continue;
                    }
                    state = if b == b'"' { In::Basic } else { In::Literal };
                    // The key the string is the value of.
                    let before = line[..i].trim_end().trim_end_matches('=').trim_end();
                    let before = before.trim_end_matches(['"', '\'']);
                    let start = before
                        .char_indices()
                        .rev()
                        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                        .map_or(0, |(at, c)| at + c.len_utf8());
                    hide = is_credential_name(&before[start..]);
                    break;
                }
                b'"' | b'\'' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b {
                        i += if b == b'"' && bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        out.push(entry);
    }
    out
}

/// [`redact`] without the concealed values: the rule alone.
fn redact_unconcealed(line: &str) -> String {
    // A secret-named key followed by `=` or `:` hides everything after it.
    for (at, c) in line.char_indices() {
        if c != '=' && c != ':' {
            continue;
        }
        let before = line[..at].trim_end().trim_end_matches(['"', '\'', '`']);
        let start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let key = before[start..].to_ascii_lowercase();
        let value = line[at + 1..].trim();
        // A count or a switch (`model_auto_compact_token_limit = 100000`,
        // `requires_openai_auth: true`) hides nothing.
        let first = value
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | ']' | '#' | '`' | ')'))
            .next()
            .unwrap_or_default();
        // `env_key` holds a variable's name; anything else there is most
        // likely the key itself.
        let env_key = key.trim_start_matches('-') == "env_key";
        // `duplicate mapping key: alpha` is prose, not a key named `key`:
        // a generic word after another word is read as a config key only
        // where a key stands (line start, `{`, `,`, `- `, a dotted path).
        let prose = PROSE_WORDS.contains(&key.as_str())
            && line[..start]
                .trim_end()
                .ends_with(|c: char| c.is_alphanumeric());
        let secret_key =
            !env_key && !prose && is_credential_name(&key) && !is_number_or_boolean(first);
        let literal_env_key = env_key && !names_a_variable(value);
        // An inline table's pairs are judged one by one (`auth = { command
        // = "op" }` is a command; `{ Cookie = "..." }` a credential).
        if (secret_key || literal_env_key)
            && !value.is_empty()
            && !value.starts_with('{')
            && value != "["
        {
            // What comes before the key can hold a secret too (a URL's
            // `user:pass@` before its `?api-key=`).
            return format!("{} <redacted>", redact_words(&line[..=at]));
        }
    }
    redact_words(line)
}

/// Hides the concealed values and every word that looks like a key in
/// codexgen's own words (a help line that lists the catalog's names),
/// without [`redact`]'s reading of `NAME=value` (`export GROQ_API_KEY=<your
/// key>` stays as it is).
pub fn mask(text: &str) -> String {
    redact_words(&hide_values(text, &concealed()))
}

/// Whether the value after `env_key =` (or `env_key:`) is a variable's
/// name, quoted or not, with whatever follows it (a comment, a comma).
fn names_a_variable(value: &str) -> bool {
    let value = value.trim_start_matches(['"', '\'']);
    let name = value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or_default();
    let rest = value[name.len()..].trim_start();
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && (rest.is_empty() || rest.starts_with(['"', '\'', '#', ',', '}', ']', ')']))
}

/// Hides each word of `line` that looks like a key, and the user info of
/// each URL. A word is a run between whitespace and the punctuation below,
/// taken as a slice of the line (a diff at 10,000 files redacts every line).
fn redact_words(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    // After a secret-named flag (`--api-key`), the next word is its value.
    let mut after_flag = false;
    let mut flush = |word: &str, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let value_of_flag = std::mem::take(&mut after_flag)
            && !word.starts_with('-')
            && !is_number_or_boolean(word);
        after_flag = word
            .strip_prefix('-')
            .is_some_and(|flag| !flag.contains('=') && is_credential_name(flag));
        if value_of_flag {
            out.push_str("<redacted>");
        } else if looks_like_secret(word) {
            // Keep the punctuation around the key: `KEY:` stays a YAML key.
            let core = word.trim_matches(is_around_a_word);
            let start = word.len() - word.trim_start_matches(is_around_a_word).len();
            out.push_str(&word[..start]);
            out.push_str("<redacted>");
            out.push_str(&word[start + core.len()..]);
        } else {
            push_hiding_userinfo(word, out);
        }
    };
    let mut start = 0;
    for (at, c) in line.char_indices() {
        if c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | ',' | '{' | '}' | '[' | ']' | '=' | '(' | ')'
            )
        {
            flush(&line[start..at], &mut out);
            out.push(c);
            start = at + c.len_utf8();
        }
    }
    flush(&line[start..], &mut out);
    out
}

/// `https://user:pass@host/...` becomes `https://<redacted>@host/...`.
fn push_hiding_userinfo(word: &str, out: &mut String) {
    if let Some(scheme_end) = word.find("://") {
        let rest = &word[scheme_end + 3..];
        let authority_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            out.push_str(&word[..scheme_end + 3]);
            out.push_str("<redacted>");
            out.push_str(&rest[at..]);
            return;
        }
    }
    out.push_str(word);
}

/// The values never to print: those of the variables the catalog names,
/// and the keys that key commands printed.
static CONCEALED: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Shorter values are not hidden: replacing every `abc` in the output would
/// garble it and hide nothing worth hiding.
const MIN_CONCEALED: usize = 4;

/// The values of some variables, in every form [`conceal`] hides, to
/// find them where they must not be (a catalog, an imported config).
pub struct VariableValues(Vec<(String, Vec<String>)>);

impl VariableValues {
    /// The set ones among `vars`, each once.
    pub fn of<'a>(vars: impl IntoIterator<Item = &'a str>) -> Self {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for var in vars {
            if out.iter().any(|(v, _)| v == var) {
                continue;
            }
            if let Some(value) = std::env::var_os(var) {
                let forms = concealed_forms(&value.to_string_lossy());
                if !forms.is_empty() {
                    out.push((var.to_owned(), forms));
                }
            }
        }
        VariableValues(out)
    }

    /// Remembers these values (of the key and header variables the
    /// catalog names), so that [`redact`] and [`scrub`] hide them in
    /// everything codexgen prints, whatever they look like. A value that is
    /// not UTF-8 is hidden in the form it would print in.
    pub fn conceal(&self) {
        conceal_forms(self.0.iter().flat_map(|(_, forms)| forms.iter().cloned()));
    }

    /// The variable whose value (or a line of it) `text` holds, if any.
    pub fn found_in(&self, text: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(_, forms)| forms.iter().any(|f| text.contains(f.as_str())))
            .map(|(var, _)| var.as_str())
    }
}

/// Remembers one secret value (a key a command printed) to hide it from
/// everything printed after: the value as a whole and every line of it
/// (`$(pass show groq)` gives the key, then more lines), each trimmed, and
/// each as a JSON or TOML string escapes it.
pub fn conceal(value: &str) {
    conceal_forms(concealed_forms(value));
}

/// Adds `forms` (of [`concealed_forms`]) to what is never printed.
fn conceal_forms(forms: impl IntoIterator<Item = String>) {
    let mut forms = forms.into_iter().peekable();
    if forms.peek().is_none() {
        return;
    }
    let mut values = CONCEALED.write().unwrap_or_else(PoisonError::into_inner);
    for form in forms {
        if !values.contains(&form) {
            values.push(form);
        }
    }
    // Longest first, so a value that contains another is hidden whole.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
}

/// JSON's own words: a variable holding one (a header variable used as a
/// switch, `X-Debug: true`) holds no secret, and hiding it would break
/// every JSON report (`"set": <redacted>`).
const JSON_WORDS: &[&str] = &["true", "false", "null"];

/// The keys that local servers' own guides tell their users to set, since
/// an `OpenAI` client wants one and the server checks none (Ollama's
/// `ollama`, LM Studio's `lm-studio`, vLLM's `EMPTY`, llama.cpp's
/// `sk-no-key-required`): no secret, and `OPENAI_API_KEY=ollama` beside
/// an `ollama` profile must neither stop the catalog nor turn the profile's
/// name into `<redacted>` (a shell function `codex-<redacted>`).
const PLACEHOLDER_KEYS: &[&str] = &[
    "ollama",
    "lm-studio",
    "lmstudio",
    "EMPTY",
    "sk-no-key-required",
    "not-needed",
    "dummy",
    "none",
];

/// The forms of `value` that may reach output: trimmed whole, each part
/// between control characters trimmed (each line, whether it ends at `\n`,
/// `\r\n` or a lone `\r`, and each part a tab divides), and each of those
/// escaped as a JSON or TOML basic string writes it; none shorter than
/// [`MIN_CONCEALED`], none of [`JSON_WORDS`] nor of [`PLACEHOLDER_KEYS`].
fn concealed_forms(value: &str) -> Vec<String> {
    let mut forms: Vec<String> = std::iter::once(value.trim())
        .chain(value.split(char::is_control).map(str::trim))
        .filter(|form| {
            form.chars().count() >= MIN_CONCEALED
                && !JSON_WORDS.contains(form)
                && !PLACEHOLDER_KEYS.contains(form)
        })
        .map(str::to_owned)
        .collect();
    let escaped: Vec<String> = forms
        .iter()
        .filter_map(|form| {
            let json = serde_json::to_string(form).ok()?;
            let inner = json.get(1..json.len() - 1)?;
            (inner != form).then(|| inner.to_owned())
        })
        .collect();
    forms.extend(escaped);
    forms.sort();
    forms.dedup();
    forms
}

fn concealed() -> RwLockReadGuard<'static, Vec<String>> {
    CONCEALED.read().unwrap_or_else(PoisonError::into_inner)
}

/// `text` with every concealed value hidden, and nothing else changed:
/// the last net under everything codexgen prints (`output`), so a value
/// that reaches a printing path no redaction was written for still never
/// shows. Borrowed as it is when nothing is concealed or found.
pub fn hide_concealed(text: &str) -> Cow<'_, str> {
    let values = concealed();
    if values.is_empty() {
        return Cow::Borrowed(text);
    }
    match hide_values(text, &values) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(hidden) => Cow::Owned(hidden),
    }
}

/// `text` with every whole occurrence of a value in `values` hidden.
fn hide_values<'t>(text: &'t str, values: &[String]) -> Cow<'t, str> {
    let mut text = Cow::Borrowed(text);
    for value in values {
        if text.contains(value.as_str()) {
            text = Cow::Owned(text.replace(value.as_str(), "<redacted>"));
        }
    }
    text
}

/// Text from elsewhere (a server's error body, Codex's stderr), made safe to
/// print. Servers echo keys back in part ("Incorrect API key provided:
/// sk-ab***yz", "ending in 6789"): every word that shares four characters in
/// a row with a concealed value is hidden, so not even part of it shows.
pub fn scrub(text: &str) -> String {
    scrub_with(text, &concealed())
}

fn scrub_with(text: &str, values: &[String]) -> String {
    let text = hide_values(text, values);
    // Every run of four characters of every value, looked up for each run of
    // four in each word: linear in the text and the values (a long key and a
    // long error body multiplied, a word at a time, would not be).
    let windows: HashSet<[char; MIN_CONCEALED]> = values
        .iter()
        .flat_map(|value| {
            let chars: Vec<char> = value.chars().collect();
            chars
                .windows(MIN_CONCEALED)
                .filter_map(|w| <[char; MIN_CONCEALED]>::try_from(w).ok())
                .collect::<Vec<_>>()
        })
        .collect();
    if windows.is_empty() {
        return text.into_owned();
    }
    text.split(' ')
        .map(|word| {
            let chars: Vec<char> = word.chars().collect();
            let shares = chars
                .windows(MIN_CONCEALED)
                .any(|w| <[char; MIN_CONCEALED]>::try_from(w).is_ok_and(|w| windows.contains(&w)));
            if shares { "<redacted>" } else { word }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What is wrong, if anything, with a key variable's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    Unset,
    /// Empty, or only whitespace.
    Empty,
    NotUnicode,
    /// Leading or trailing whitespace (often a pasted newline).
    Padded,
    /// Wrapped in quotes that the shell kept.
    Quoted,
    /// More than one line (`$(pass show x)` gives the whole entry): no HTTP
    /// header carries a line break; Codex sends no key (0.169, measured).
    MultiLine,
    /// A control character inside (an escape sequence pasted with it).
    ControlCharacter,
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
            KeyCheck::NotUnicode
            | KeyCheck::Padded
            | KeyCheck::Quoted
            | KeyCheck::MultiLine
            | KeyCheck::ControlCharacter => KeyVerdict::Unusable,
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
            KeyCheck::MultiLine => format!(
                "{var} holds more than one line, which no HTTP header can carry (Codex sends no key)"
            ),
            KeyCheck::ControlCharacter => format!(
                "{var} holds a control character, which no HTTP header can carry (Codex sends no key)"
            ),
            KeyCheck::Foreign { looks_like } => format!("{var} looks like a {looks_like} key"),
            KeyCheck::MissingPrefix { family, prefix } => {
                format!("{var} does not start with `{prefix}` as {family} keys do")
            }
            KeyCheck::Fine => format!("{var} is set"),
        }
    }

    /// Whether no HTTP header can carry the value (more than one line, a
    /// control character): Codex sends no key at all, and a probe cannot
    /// send it either.
    pub fn no_header_carries(&self) -> bool {
        matches!(self, KeyCheck::MultiLine | KeyCheck::ControlCharacter)
    }

    /// How to repair an [unusable](KeyVerdict::Unusable) value; never
    /// includes it.
    pub fn repair(&self, var: &str) -> String {
        match self {
            _ if self.no_header_carries() => format!(
                "keep only the key's own line, e.g. export {var}=\"$(pass show NAME | head -n 1)\""
            ),
            _ => format!("re-export {var} without quotes or surrounding spaces"),
        }
    }
}

/// What is wrong with a header variable's value that no HTTP header can
/// carry, if anything: a sentence naming `var`, never the value.
pub fn unsendable(var: &str, value: &str) -> Option<String> {
    if value.contains(['\n', '\r']) {
        Some(KeyCheck::MultiLine.describe(var))
    } else if value.chars().any(|c| c.is_control() && c != '\t') {
        Some(KeyCheck::ControlCharacter.describe(var))
    } else {
        None
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
    // Only whitespace is no key to Codex, which stops with "Missing
    // environment variable" (0.169.0, measured), as for an empty one.
    if value.trim().is_empty() {
        return KeyCheck::Empty;
    }
    if value.trim() != value {
        return KeyCheck::Padded;
    }
    let quoted = |q: char| value.len() >= 2 && value.starts_with(q) && value.ends_with(q);
    if quoted('"') || quoted('\'') {
        return KeyCheck::Quoted;
    }
    if value.contains(['\n', '\r']) {
        return KeyCheck::MultiLine;
    }
    if value.chars().any(char::is_control) {
        return KeyCheck::ControlCharacter;
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

    #[test]
    fn a_value_is_redacted_as_its_key_would_have_it() {
        assert_eq!(
            redact_value("model_providers.x.experimental_bearer_token", "\"abc\""),
            "<redacted>"
        );
        assert_eq!(redact_value("model", "\"gpt-4.1\""), "\"gpt-4.1\"");
        assert_eq!(
            redact_value(
                "model_providers.x.env_key",
                "\"sk-proj-9fQ2xLr7Vb1mZt4KpW8sNd3Y\""
            ),
            "<redacted>"
        );
    }

    #[test]
    fn what_the_redactor_hides_a_check_refuses() {
        for text in [
            "postgresql://admin:pw0rd@db.internal/prod",
            "--password=hunter2",
            "Authorization: Bearer abc",
            "sk-live-1234567890abcdefABCDEF",
        ] {
            assert!(holds_credential(text), "{text}");
            assert_ne!(redact(text), text, "{text}");
        }
        for text in [
            "-y",
            "@team/docs-mcp",
            "https://m.example/mcp",
            "--max-tokens=5",
            "^a.*$",
        ] {
            assert!(!holds_credential(text), "{text}");
        }
    }

    #[test]
    fn the_value_after_a_secret_named_flag_is_a_credential() {
        assert_eq!(credential_in_args(&["--api-key", "plainsecret99"]), Some(1));
        assert_eq!(
            credential_in_args(&["-y", "--client-secret", "x1", "-v"]),
            Some(2)
        );
        assert_eq!(credential_in_args(&["--max-tokens", "5"]), None);
        assert_eq!(credential_in_args(&["--token", "--verbose"]), None);
        assert_eq!(credential_in_args(&["--port", "80", "pkg"]), None);
        assert_eq!(
            redact(r#"args = ["--api-key", "plainsecret99"]"#),
            r#"args = ["--api-key", "<redacted>"]"#
        );
        assert_eq!(
            redact("args: [--api-key, plainsecret99]"),
            "args: [--api-key, <redacted>]"
        );
    }

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
        assert_eq!(
            redact("base_url: \"https://al:pw-word@h.example/v1?api-key=k-word\""),
            "base_url: \"https://<redacted>@h.example/v1?api-key= <redacted>"
        );
        for named in [
            "env_key = \"GROQ_API_KEY\"   # mine",
            "    env_key: GROQ_API_KEY",
            "env_key = 'K'",
        ] {
            assert_eq!(redact(named), named);
        }
        assert_eq!(
            redact("-env_key = \"my-pass-word\""),
            "-env_key = <redacted>"
        );
        assert_eq!(
            redact("note: `model_providers.a.env_key` = \"my pass\" was not written"),
            "note: `model_providers.a.env_key` = <redacted>"
        );
    }

    #[test]
    fn credential_names_are_one_rule() {
        for name in [
            "api_key",
            "apikey",
            "x-api-key",
            "X-Goog-Api-Key",
            "Ocp-Apim-Subscription-Key",
            "X-Auth-Token",
            "X-Amz-Security-Token",
            "X-Amz-Signature",
            "sig",
            "access_token",
            "client_secret",
            "Authorization",
            "Proxy-Authorization",
            "Cookie",
            "Set-Cookie",
            "experimental_bearer_token",
            "GROQ_API_KEY",
            "api_key_2",
            "auth",
            "password",
            "session",
            "X-Api-Pass",
            "PASSPHRASE",
            "GPG_PASSCODE",
            "X-Session-Id",
            "X-XSRF",
            "csrf_token",
        ] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in [
            "model_auto_compact_token_limit",
            "tool_output_token_limit",
            "max_tokens",
            "max_output_tokens",
            "token_budget",
            "token_count",
            "bearer_token_env_var",
            "env_key_instructions",
            "cli_auth_credentials_store",
            "mcp_oauth_credentials_store",
            "preferred_auth_method",
            "X-Api-Key-Id",
            "X-Title",
            "api-version",
            "model",
            "base_url",
            "unicode",
            "monkeypatch",
            "bypass",
            "passthrough",
            "key_id",
            "AWS_ACCESS_KEY_ID",
            "key_bindings",
            "hotkey",
            "monkey",
            "signature_algorithm",
            "authorization_endpoint",
            "token_endpoint",
            "oauth_scopes",
            "cookie_domain",
            "secrets_manager",
            "api_key_helper",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
    }

    #[test]
    fn counts_are_shown_and_credentials_hidden_by_the_same_rule() {
        for shown in [
            "model_auto_compact_token_limit = 100000",
            "tool_output_token_limit = 2_000",
            "max_tokens: 4096",
            "token_budget = 0.5",
            "bearer_token_env_var = \"GITHUB_PAT\"",
            "cli_auth_credentials_store = \"file\"",
            "requires_openai_auth = true",
            "provider `corp` has `auth` and `requires_openai_auth: false`",
        ] {
            assert_eq!(redact(shown), shown);
        }
        for (line, hidden) in [
            (
                "http_headers = { Cookie = \"sid=abc123\" }",
                "http_headers = { Cookie = <redacted>",
            ),
            (
                "http_headers = { X-Team = \"a\", Proxy-Authorization = \"Basic dXNl\" }",
                "http_headers = { X-Team = \"a\", Proxy-Authorization = <redacted>",
            ),
            ("  X-Api-Key: plainvalue", "  X-Api-Key: <redacted>"),
            ("client_secret = 'hunter2'", "client_secret = <redacted>"),
        ] {
            assert_eq!(redact(line), hidden);
        }
        // A table of pairs is judged pair by pair.
        assert_eq!(
            redact("auth = { command = \"op\", args = [\"read\"] }"),
            "auth = { command = \"op\", args = [\"read\"] }"
        );
    }

    #[test]
    fn every_line_of_a_concealed_value_is_hidden() {
        let forms = concealed_forms("s3cr3t-first-line\nlogin: bob\r\nurl: x\n");
        for form in [
            "s3cr3t-first-line\nlogin: bob\r\nurl: x",
            "s3cr3t-first-line",
            "login: bob",
            "url: x",
            // As a JSON report or a TOML string writes the whole value.
            "s3cr3t-first-line\\nlogin: bob\\r\\nurl: x",
        ] {
            assert!(forms.iter().any(|f| f == form), "{form:?} in {forms:?}");
        }
        // Too short to hide without garbling everything else.
        assert!(!forms.iter().any(|f| f.is_empty() || f == "x"));
        // JSON's words are no secret; a line of them beside a key is hidden.
        assert!(concealed_forms("true").is_empty());
        assert!(concealed_forms("ollama").is_empty());
        assert_eq!(
            concealed_forms("null\nk-3Zx8"),
            ["k-3Zx8", "null\nk-3Zx8", "null\\nk-3Zx8"]
        );
        let values = concealed_forms("pw-one-2024\r\n");
        assert_eq!(
            hide_values("got pw-one-2024 back", &values),
            "got <redacted> back"
        );
        assert_eq!(
            hide_values(
                "\"pw-one-2024\\r\\n\"",
                &concealed_forms("pw-one-2024\r\nx")
            ),
            "\"<redacted>\\r\\n\""
        );
    }

    proptest::proptest! {
        /// Both directions of the one rule, over names built of any
        /// words: a credential word last is a credential's name; followed
        /// by a qualifier it is not; and a count under any name shows.
        #[test]
        fn the_credential_rule_holds_for_any_words(
            words in proptest::collection::vec("[a-z]{1,8}", 0..4),
            credential in proptest::sample::select(CREDENTIAL_WORDS),
            qualifier in proptest::sample::select(NOT_A_CREDENTIAL),
            sep in proptest::sample::select(&["_", "-", "."][..]),
            count in 0u64..10_000_000,
        ) {
            let mut name = words.clone();
            name.push(credential.to_owned());
            let secret = name.join(sep);
            // A name that is itself key-shaped (`fw_secret` starts like a
            // Fireworks key) is hidden whole, which is the safe side.
            proptest::prop_assume!(redact(&secret) == secret);
            proptest::prop_assert!(is_credential_name(&secret), "{}", secret);
            proptest::prop_assert!(is_credential_name(&secret.to_ascii_uppercase()), "{}", secret);
            name.push(qualifier.to_owned());
            let about = name.join(sep);
            proptest::prop_assert!(!is_credential_name(&about), "{}", about);
            let line = format!("{secret} = {count}");
            proptest::prop_assert_eq!(redact(&line), line);
            let line = format!("{secret} = \"v\"");
            proptest::prop_assert_eq!(redact(&line), format!("{secret} = <redacted>"));
        }
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
        // The shortest of each shape, at the length below which none is looked for.
        assert!(looks_like_secret("sk-or-abc"));
        assert!(!looks_like_secret("sk-or-ab"));
        assert!(looks_like_secret("eyJ.ab.cd"));
        assert!(looks_like_secret("`eyJ.ab.cd`"));
        assert!(contains_credential("see eyJ.ab.cd here"));
        assert!(contains_credential("see\teyJ.ab.cd"));
        assert!(!contains_credential("eyJ.ab.c"));
        assert!(looks_like_secret("x/eyJ.ab.cd"));
        assert!(looks_like_secret("sk-or-0123456789"));
        assert!(!looks_like_secret("AKIA0123456789ABCDE"));
        assert!(looks_like_secret("AKIA0123456789ABCDEF"));
        assert!(!looks_like_secret("model_provider_x"));
        assert!(looks_like_secret("gsk_0123456789abcdef"));
        assert!(looks_like_secret("a8f5f167f44f4964e6c998dee827110c"));
        assert!(!looks_like_secret("OPENROUTER_API_KEY"));
        assert!(!looks_like_secret("sk-"));
        assert!(!looks_like_secret(
            "accounts/fireworks/models/qwen3-235b-a22b"
        ));
    }

    #[test]
    fn tokens_are_told_from_names() {
        for token in [
            // A JWT, a base64 signature, an AWS-style secret, hex, base62.
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "3540d317ad3d7388fa79cacf846debca",
            "k2TDOHN4NRBfSPeHOrgxRsTEp8FGUdQFUikHRWMG",
            "Bearer abc",
            "AKIAIOSFODNN7EXAMPLE",
            "ASIAQ3EGUJ7PLAIN6XZ4",
            // Quoted in a message or a YAML key: the shape is still seen.
            "`gsk_abcdefgh`",
            "AKIAQWERTYUIOPASDFGH:",
            "(nvapi-abcdefg)",
            // Inside a URL's path or query.
            "https://e.com/v1/AKIAQWERTYUIOPASDFGH/x",
            "https://e.com/v1/eyJhbGci.eyJzdWIi.abc_def",
            "https://e.com/v1?t=eyJhbGci.eyJzdWIi.abc_def&x=1",
        ] {
            assert!(looks_like_secret(token), "{token}");
        }
        assert_eq!(
            redact("  AKIAQWERTYUIOPASDFGH: {provider: gw}"),
            "  <redacted>: {provider: gw}"
        );
        assert_eq!(redact("name `gsk_abcdefgh` is"), "name `<redacted>` is");
        // Model ids, URLs, variable names, dates and versions are names.
        for name in [
            "accounts/fireworks/models/qwen3-235b-a22b",
            "deepseek-r1-distill-llama-70b",
            "Qwen3-Coder-480B-A35B-Instruct-FP8",
            "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
            "mistralai/Mixtral-8x22B-Instruct-v0.1",
            "claude-3-5-sonnet-20241022",
            "https://api.groq.com/openai/v1",
            "OPENROUTER_API_KEY",
            "2025-04-01-preview",
            "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
            // A temporary folder's random name inside a path.
            "/tmp/.tmp7UaIu6/tpl/config.toml.tera",
            "/home/u/.cache/codexgen-ci/codex-0.169.0/node_modules/x9Ab/vendor",
        ] {
            assert!(!looks_like_secret(name), "{name}");
        }
    }

    #[test]
    fn concealed_values_are_hidden_whole_and_in_part() {
        // A header variable's value looks like nothing in particular.
        let values = ["hunter2-corp".to_owned()];
        assert_eq!(
            scrub_with("{\"echo\": \"hunter2-corp\"}", &values),
            "{\"echo\": \"<redacted>\"}"
        );
        assert_eq!(
            scrub_with("got hunt*** back", &values),
            "got <redacted> back"
        );
        assert_eq!(hide_values("a hunter2-corp b", &values), "a <redacted> b");
        assert_eq!(hide_values("nothing here", &values), "nothing here");
    }

    #[test]
    fn echoed_keys_are_scrubbed() {
        let values = ["sk-abcdef123456789".to_owned()];
        let scrub = |text: &str, values: &[String]| scrub_with(text, values);
        let key = &values[..];
        assert_eq!(
            scrub("Incorrect API key provided: sk-abcd*******6789.", key),
            "Incorrect API key provided: <redacted>"
        );
        assert_eq!(
            scrub("key sk-abcdef123456789 bad", key),
            "key <redacted> bad"
        );
        assert_eq!(scrub("quota exceeded", key), "quota exceeded");
        assert_eq!(scrub("quota exceeded", &[]), "quota exceeded");
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
        assert_eq!(check("gsk_abc\nlogin: me"), KeyCheck::MultiLine);
        assert_eq!(check("gsk_abc\r\nx"), KeyCheck::MultiLine);
        assert_eq!(check("gsk_a\tbc"), KeyCheck::ControlCharacter);
        assert_eq!(unsendable("V", "a\tb"), None);
        assert!(unsendable("V", "a\u{1b}b").is_some());
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
