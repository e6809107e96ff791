//! Just enough HTTP/1.1 over std for the demo: one request per connection,
//! JSON bodies, loopback only.

use serde_json::{json, Value};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use traceprop::{Header, SpanId};

/// A parsed request.
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

/// Reads one request from `stream`, answers with `handler`'s status and JSON.
pub fn serve(stream: TcpStream, handler: impl Fn(&Request) -> (u16, Value)) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(reader_stream) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reader_stream);
    let Some(req) = read_request(&mut reader) else {
        return;
    };
    let (status, body) = handler(&req);
    let body = body.to_string();
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let headers = read_headers(reader);
    Some(Request { path, headers })
}

fn read_headers(reader: &mut impl BufRead) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    headers
}

/// `GET url` with `headers`; the JSON body, or an error object.
pub fn get_json(url: &str, headers: &[(String, String)]) -> Value {
    match try_get(url, headers) {
        Ok(v) => v,
        Err(e) => json!({"error": format!("{url}: {e}")}),
    }
}

fn try_get(url: &str, headers: &[(String, String)]) -> std::io::Result<Value> {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut req = format!("GET /{path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes())?;
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status)?;
    read_headers(&mut reader);
    let mut body = String::new();
    reader.read_to_string(&mut body)?;
    serde_json::from_str(&body).map_err(std::io::Error::other)
}

/// This hop's span followed by the downstream hops' spans.
pub fn chain(span: Value, downstream: Value) -> (u16, Value) {
    let mut spans = vec![span];
    match downstream.get("spans").and_then(Value::as_array) {
        Some(more) => spans.extend(more.iter().cloned()),
        None => spans.push(json!({"error": downstream})),
    }
    (200, json!({ "spans": spans }))
}

/// The headers a tracing codec reads, for the span record.
pub fn tracing_headers(headers: &[(String, String)]) -> Value {
    let map: serde_json::Map<String, Value> = headers
        .iter()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            Header::lookup(&k).is_some()
                || k.starts_with("uberctx-")
                || k.starts_with("ot-baggage-")
        })
        .map(|(k, v)| (k.to_ascii_lowercase(), Value::from(v.as_str())))
        .collect();
    Value::Object(map)
}

/// A random 64-bit value (std's per-process random hash keys; enough for ids).
fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .elapsed()
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// A random 128-bit value.
pub fn random_u128() -> u128 {
    (u128::from(random_u64()) << 64) | u128::from(random_u64())
}

/// A random non-zero span id.
pub fn random_span_id() -> SpanId {
    SpanId::from_u64(random_u64() | 1)
}
