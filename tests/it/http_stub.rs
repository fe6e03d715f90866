//! A tiny HTTP server for probe tests: each route answers with a fixed status
//! and body after an optional delay, and every request is recorded. Std only,
//! one thread per connection, `Connection: close`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub status: u16,
    pub body: String,
    pub delay: Duration,
    /// A `Location` header to answer with (for redirects).
    pub location: Option<String>,
}

impl Route {
    pub fn new(method: &'static str, path: &'static str, status: u16, body: &str) -> Self {
        Route {
            method,
            path,
            status,
            body: body.to_owned(),
            delay: Duration::ZERO,
            location: None,
        }
    }

    /// A redirect answer (`status` 301-308) pointing at `location`.
    pub fn redirect(method: &'static str, path: &'static str, status: u16, location: &str) -> Self {
        Route {
            location: Some(location.to_owned()),
            ..Route::new(method, path, status, "")
        }
    }
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path with query string.
    pub target: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct Stub {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    pub fn start(routes: Vec<Route>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let routes = routes.clone();
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &routes, &log));
            }
        });
        Stub { port, seen }
    }

    pub fn url(&self, prefix: &str) -> String {
        format!("http://127.0.0.1:{}{prefix}", self.port)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

fn serve(stream: TcpStream, routes: &[Route], log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let path = target.split('?').next().unwrap_or_default().to_owned();
    log.lock().expect("lock").push(Seen {
        method: method.clone(),
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let route = routes.iter().find(|r| r.method == method && r.path == path);
    let (status, body, delay) = route.map_or(
        (
            404,
            "{\"error\":{\"message\":\"no route\"}}".to_owned(),
            Duration::ZERO,
        ),
        |r| (r.status, r.body.clone(), r.delay),
    );
    let location = route
        .and_then(|r| r.location.as_deref())
        .map_or_else(String::new, |l| format!("Location: {l}\r\n"));
    std::thread::sleep(delay);
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\n{location}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// A port on 127.0.0.1 with nothing listening.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
