//! A stand-in for an `OpenAI` Responses endpoint, for tests that run the real Codex CLI.
//!
//! Owns a loopback HTTP/1.1 server (std only: one accept thread, one thread per
//! connection) that records every request and answers `POST .../responses` with the
//! shortest event stream that lets `codex exec` finish a turn. It does not try to be a
//! general HTTP server: one request per connection, answered with `Connection: close`.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long a connection may sit idle before the stand-in gives up on it.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// One HTTP request as the stand-in received it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent: path plus `?query`, if any.
    pub path: String,
    /// Header names lowercased; repeated headers joined with `", "`.
    pub headers: BTreeMap<String, String>,
    /// The body (after de-chunking), lossily decoded as UTF-8.
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The string value of a top-level member of a JSON object body, such as `"model"`.
    /// `None` when the body is not a JSON object, lacks the key, or holds a non-string.
    pub fn json_string_field(&self, key: &str) -> Option<String> {
        json::top_level_string(&self.body, key)
    }
}

impl fmt::Display for Request {
    /// A readable dump for failure messages; long bodies are cut.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const BODY_LIMIT: usize = 600;
        writeln!(f, "{} {}", self.method, self.path)?;
        for (name, value) in &self.headers {
            writeln!(f, "  {name}: {value}")?;
        }
        let cut = self
            .body
            .char_indices()
            .nth(BODY_LIMIT)
            .map_or(self.body.len(), |(i, _)| i);
        write!(
            f,
            "  body ({} bytes): {}",
            self.body.len(),
            &self.body[..cut]
        )?;
        if cut < self.body.len() {
            write!(f, "...")?;
        }
        Ok(())
    }
}

/// A running stand-in; stops when dropped.
pub struct StandIn {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl StandIn {
    /// Binds `127.0.0.1:0` and starts answering in the background.
    pub fn start() -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the stand-in to 127.0.0.1:0");
        let addr = listener.local_addr().expect("stand-in local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            let counter = Arc::new(AtomicUsize::new(0));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let requests = Arc::clone(&requests);
                    let counter = Arc::clone(&counter);
                    thread::spawn(move || {
                        if let Err(err) = serve(stream, &requests, &counter) {
                            eprintln!("stand-in: connection error: {err}");
                        }
                    });
                }
            })
        };
        StandIn {
            addr,
            requests,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:PORT` followed by `prefix` (e.g. `/v1`).
    pub fn base_url(&self, prefix: &str) -> String {
        format!("http://{}{prefix}", self.addr)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the thread sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Reads one request, records it, answers it, closes the connection.
fn serve(
    stream: TcpStream,
    requests: &Mutex<Vec<Request>>,
    counter: &AtomicUsize,
) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let Some(request) = read_request(&mut reader, &mut writer)? else {
        return Ok(()); // closed before sending anything (e.g. the wake-up connect)
    };
    let is_responses = request.method == "POST"
        && request
            .path
            .split('?')
            .next()
            .is_some_and(|path| path.ends_with("/responses"));
    let (status, content_type, body) = if is_responses {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        ("200 OK", "text/event-stream", responses_stream(n, "ok"))
    } else {
        let message = format!("stand-in: no route for {} {}", request.method, request.path);
        let body = format!(
            r#"{{"error":{{"message":{},"type":"not_found"}}}}"#,
            json::quote(&message)
        );
        ("404 Not Found", "application/json", body)
    };
    requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request);
    write!(
        writer,
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\
         cache-control: no-cache\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    writer.flush()?;
    writer.shutdown(std::net::Shutdown::Write)
}

/// The event stream for one successful turn whose only output is an assistant message.
///
/// `codex exec` needs only `response.completed` to end the turn; without it Codex
/// reconnects five times and fails. `response.created` and the message item make
/// the run look like a real one (the message text is what `codex exec` prints).
pub fn responses_stream(n: usize, text: &str) -> String {
    let events = [
        (
            "response.created",
            format!(r#"{{"type":"response.created","response":{{"id":"resp_{n}"}}}}"#),
        ),
        (
            "response.output_item.done",
            format!(
                r#"{{"type":"response.output_item.done","item":{{"type":"message","role":"assistant","id":"msg_{n}","content":[{{"type":"output_text","text":{}}}]}}}}"#,
                json::quote(text)
            ),
        ),
        (
            "response.completed",
            format!(
                r#"{{"type":"response.completed","response":{{"id":"resp_{n}","usage":{{"input_tokens":0,"input_tokens_details":null,"output_tokens":0,"output_tokens_details":null,"total_tokens":0}}}}}}"#
            ),
        ),
    ];
    let mut stream = String::new();
    for (kind, data) in events {
        let _ = write!(stream, "event: {kind}\ndata: {data}\n\n");
    }
    stream
}

/// Parses request line, headers and body. `None` when the peer closed without a request.
fn read_request(reader: &mut impl BufRead, writer: &mut impl Write) -> io::Result<Option<Request>> {
    let request_line = match read_line(reader) {
        Ok(line) => line,
        Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(err) => return Err(err),
    };
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(invalid(format!("bad request line {request_line:?}")));
    };
    let (method, path) = (method.to_owned(), path.to_owned());

    let mut headers = BTreeMap::<String, String>::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(invalid(format!("bad header line {line:?}")));
        };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        headers
            .entry(name)
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(value);
            })
            .or_insert_with(|| value.to_owned());
    }

    if headers
        .get("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        writer.flush()?;
    }

    let chunked = headers
        .get("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        read_chunked(reader)?
    } else {
        let length = match headers.get("content-length") {
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| invalid(format!("bad content-length {v:?}")))?,
            None => 0,
        };
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };

    Ok(Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }))
}

/// A `Transfer-Encoding: chunked` body: hex size lines, data, and trailers at the end.
fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| invalid(format!("bad chunk size line {line:?}")))?;
        if size == 0 {
            while !read_line(reader)?.is_empty() {} // trailers
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        read_line(reader)?; // the CRLF after the chunk data
    }
}

/// One line without its line ending; end of stream is `UnexpectedEof`.
fn read_line(reader: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line)? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Just enough JSON for the stand-in: quoting strings, and reading one top-level
/// string member of an object (the dev-dependencies carry no JSON crate).
mod json {
    use std::fmt::Write as _;

    pub fn quote(s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    pub fn top_level_string(text: &str, key: &str) -> Option<String> {
        let mut p = Parser {
            bytes: text.as_bytes(),
            at: 0,
        };
        p.expect(b'{')?;
        if p.eat(b'}') {
            return None;
        }
        loop {
            let name = p.string()?;
            p.expect(b':')?;
            if name == key {
                return p.string();
            }
            p.skip_value()?;
            if !p.eat(b',') {
                return None;
            }
        }
    }

    struct Parser<'a> {
        bytes: &'a [u8],
        at: usize,
    }

    impl Parser<'_> {
        fn peek(&mut self) -> Option<u8> {
            while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
                self.at += 1;
            }
            self.bytes.get(self.at).copied()
        }

        fn eat(&mut self, byte: u8) -> bool {
            let found = self.peek() == Some(byte);
            if found {
                self.at += 1;
            }
            found
        }

        fn expect(&mut self, byte: u8) -> Option<()> {
            self.eat(byte).then_some(())
        }

        fn string(&mut self) -> Option<String> {
            self.expect(b'"')?;
            let mut out = Vec::new();
            loop {
                let byte = *self.bytes.get(self.at)?;
                self.at += 1;
                match byte {
                    b'"' => return String::from_utf8(out).ok(),
                    b'\\' => {
                        let escaped = *self.bytes.get(self.at)?;
                        self.at += 1;
                        let c = match escaped {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            b'u' => {
                                let hex = self.bytes.get(self.at..self.at + 4)?;
                                self.at += 4;
                                let code =
                                    u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                                // Surrogate pairs are not needed here; they read as U+FFFD.
                                char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
                            }
                            _ => return None,
                        };
                        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    }
                    _ => out.push(byte),
                }
            }
        }

        fn skip_value(&mut self) -> Option<()> {
            match self.peek()? {
                b'"' => self.string().map(drop),
                open @ (b'{' | b'[') => {
                    let close = if open == b'{' { b'}' } else { b']' };
                    self.at += 1;
                    if self.eat(close) {
                        return Some(());
                    }
                    loop {
                        if open == b'{' {
                            self.string()?;
                            self.expect(b':')?;
                        }
                        self.skip_value()?;
                        if self.eat(close) {
                            return Some(());
                        }
                        self.expect(b',')?;
                    }
                }
                _ => {
                    let rest = &self.bytes[self.at..];
                    let len = rest
                        .iter()
                        .position(|b| matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace())
                        .unwrap_or(rest.len());
                    (len > 0).then(|| self.at += len)
                }
            }
        }
    }
}

/// The stand-in itself, without Codex: these run everywhere.
mod tests {
    use super::{Request, StandIn};
    use std::collections::BTreeMap;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn exchange(server: &StandIn, raw: &str) -> String {
        let mut stream = TcpStream::connect(server.addr).expect("connect to the stand-in");
        stream.write_all(raw.as_bytes()).expect("send a request");
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .expect("read until the stand-in closes");
        answer
    }

    #[test]
    fn stand_in_records_a_chunked_post_and_streams_events() {
        let server = StandIn::start();
        let answer = exchange(
            &server,
            "POST /openai/v1/responses?api-version=x HTTP/1.1\r\nHost: h\r\n\
             Authorization: Bearer k\r\nX-Twice: a\r\nx-twice: b\r\n\
             Transfer-Encoding: chunked\r\n\r\n\
             9\r\n{\"model\":\r\n8;ext=1\r\n\"m-1\"}  \r\n0\r\nTrailer: t\r\n\r\n",
        );
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(
            answer.contains("content-type: text/event-stream\r\n"),
            "{answer}"
        );
        let events: Vec<&str> = answer
            .lines()
            .filter_map(|line| line.strip_prefix("event: "))
            .collect();
        assert_eq!(
            events,
            [
                "response.created",
                "response.output_item.done",
                "response.completed"
            ]
        );

        let requests = server.requests();
        assert_eq!(requests.len(), 1, "{requests:?}");
        let request = &requests[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/openai/v1/responses?api-version=x");
        assert_eq!(request.header("Authorization"), Some("Bearer k"));
        assert_eq!(request.header("x-twice"), Some("a, b"));
        assert_eq!(request.body, "{\"model\":\"m-1\"}  ");
        assert_eq!(request.json_string_field("model").as_deref(), Some("m-1"));
    }

    #[test]
    fn stand_in_answers_other_paths_with_404_json() {
        let server = StandIn::start();
        let answer = exchange(&server, "GET /v1/models HTTP/1.1\r\nHost: h\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 404 Not Found\r\n"), "{answer}");
        assert!(
            answer.ends_with(
                r#"{"error":{"message":"stand-in: no route for GET /v1/models","type":"not_found"}}"#
            ),
            "{answer}"
        );
        assert_eq!(server.requests()[0].path, "/v1/models");
    }

    #[test]
    fn json_string_field_reads_only_top_level_members() {
        let request = |body: &str| Request {
            method: "POST".into(),
            path: "/".into(),
            headers: BTreeMap::new(),
            body: body.into(),
        };
        let body = r#" { "input": [{"model": "nested", "n": [1, -2.5e3, true, null]}],
                        "x": {"model": "deeper"}, "model" : "top\"\u00e9\n" } "#;
        assert_eq!(
            request(body).json_string_field("model").as_deref(),
            Some("top\"\u{e9}\n")
        );
        assert_eq!(request(r#"{"model": 3}"#).json_string_field("model"), None);
        assert_eq!(
            request(r#"{"other": "x"}"#).json_string_field("model"),
            None
        );
        assert_eq!(request("not json").json_string_field("model"), None);
    }
}
