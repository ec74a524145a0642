//! A plain HTTP/1.1 client over a TCP stream, for tests: the request goes
//! out exactly as written, and the whole response comes back.

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A response: status, content type and body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Response {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Sends `method path` with `headers` and `body`; `None` if the server
/// cannot be reached or answers something that is not HTTP.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<Response> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let content = if body.is_empty() {
        String::new()
    } else {
        format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        )
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}{content}Connection: close\r\n\r\n{body}"
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    // Read to the end of the body: Content-Length bytes when the server
    // says (some keep the connection open regardless), else to EOF.
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = find(&raw, b"\r\n\r\n")
            && let Some(length) = header(&String::from_utf8_lossy(&raw[..end]), "content-length")
                .and_then(|v| v.parse::<usize>().ok())
            && raw.len() >= end + 4 + length
        {
            raw.truncate(end + 4 + length);
            break;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&chunk[..n]);
    }
    let response = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = response.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let content_type = header(head, "content-type").unwrap_or_default();
    Some(Response {
        status,
        content_type,
        body: body.to_owned(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A header's value (name case-insensitive, space after the colon optional).
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_ascii_lowercase())
    })
}

/// `GET path`.
pub async fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, &[], "")
        .await
        .expect("an HTTP response")
}

/// `POST path` with a JSON body and extra headers.
pub async fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
    request(addr, "POST", path, headers, body)
        .await
        .expect("an HTTP response")
}

/// Says `text` on `session` through the gateway at `addr` (its HTTP API):
/// the trace id, or `None` when it was not acknowledged.
pub async fn say(addr: SocketAddr, session: &str, text: &str) -> Option<String> {
    let body = serde_json::json!({ "text": text }).to_string();
    let path = format!("/v1/sessions/{session}/utterances");
    let response = request(addr, "POST", &path, &[], &body)
        .await
        .filter(|r| r.status == 202)?;
    response.json()["trace_id"].as_str().map(str::to_owned)
}

/// Polls `GET /v1/commands/{trace}` at `addr` until its status is one of
/// `wanted`: the state then, or the last one seen after `timeout`.
pub async fn await_command(
    addr: SocketAddr,
    trace: &str,
    wanted: &[&str],
    timeout: std::time::Duration,
) -> Result<serde_json::Value, serde_json::Value> {
    let deadline = std::time::Instant::now() + timeout;
    let path = format!("/v1/commands/{trace}");
    loop {
        let state = request(addr, "GET", &path, &[], "")
            .await
            .map(|r| r.json())
            .unwrap_or(serde_json::Value::Null);
        if wanted.contains(&state["status"].as_str().unwrap_or_default()) {
            return Ok(state);
        }
        if std::time::Instant::now() > deadline {
            return Err(state);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits until `GET /readyz` at `addr` answers 200; whether it did within
/// `timeout`.
pub async fn await_ready(addr: SocketAddr, timeout: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if request(addr, "GET", "/readyz", &[], "")
            .await
            .is_some_and(|r| r.status == 200)
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}
