//! The web page in a real browser: headless Debian Chromium driven over
//! WebDriver (chromedriver's W3C JSON API, spoken with the harness's plain
//! HTTP client). The burger dialogue to its order card, then a dropped
//! socket while a command runs, and every event shown once, in order.

use errand_harness::http;
use errand_harness::redis::free_port;
use errand_harness::{TestStack, secs};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    addr: SocketAddr,
    session: String,
    process: Child,
    profile: std::path::PathBuf,
}

impl Driver {
    async fn start() -> Driver {
        Self::start_with(&[]).await
    }

    async fn start_with(extra: &[String]) -> Driver {
        let port = free_port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (scripts/test installs chromium-driver)");
        let deadline = Instant::now() + secs(20);
        while http::request(addr, "GET", "/status", &[], "")
            .await
            .is_none()
        {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("errand-chromium-{port}"));
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1200,800",
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend_from_slice(extra);
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
        }}});
        let r = http::post(addr, "/session", &[], &capabilities.to_string()).await;
        let session = r.json()["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("a browser session: {}", r.body))
            .to_owned();
        Driver {
            addr,
            session,
            process,
            profile,
        }
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let body = if method == "GET" {
            String::new()
        } else {
            body.to_string()
        };
        let r = http::request(self.addr, method, &path, &[], &body)
            .await
            .expect("chromedriver answers");
        assert!(r.status < 400, "{method} {path}: {} {}", r.status, r.body);
        r.json()["value"].clone()
    }

    /// Opens errand's page and waits until its socket is open.
    async fn open(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url })).await;
        self.until(
            "the connection",
            r#"return document.getElementById("connection").dataset.state === "open""#,
        )
        .await;
    }

    async fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
        .await
    }

    async fn element(&self, css: &str) -> String {
        let v = self
            .call(
                "POST",
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v[ELEMENT].as_str().expect("an element").to_owned()
    }

    async fn say(&self, text: &str) {
        let input = self.element("#text").await;
        self.call(
            "POST",
            &format!("/element/{input}/value"),
            json!({ "text": text }),
        )
        .await;
        let send = self.element("#send").await;
        self.call("POST", &format!("/element/{send}/click"), json!({}))
            .await;
    }

    /// Waits until `script` returns something truthy; returns it.
    async fn until(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + secs(20);
        loop {
            let v = self.script(script).await;
            if !(v.is_null() || v == false || v == "") {
                return v;
            }
            if Instant::now() > deadline {
                let page = self.script("return document.body.innerText").await;
                panic!("{what} never showed; the page says:\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let png = self.call("GET", "/screenshot", Value::Null).await;
        let bytes = base64_decode(png.as_str().expect("a screenshot"));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Ending the session makes chromedriver close Chromium; killing
        // chromedriver alone would leave the browser running.
        end_session(self.addr, &self.session);
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// `DELETE /session/{id}`, blocking (a `Drop` cannot wait on the runtime),
/// and waits for chromedriver's answer: it answers once the browser is
/// closed.
fn end_session(addr: SocketAddr, session: &str) {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&addr, secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(secs(20)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

#[tokio::test]
async fn the_page_completes_the_burger_dialogue_and_loses_no_event_across_a_dropped_socket() {
    let stack = TestStack::start().await;
    let (addr, server) = stack.serve_http().await;
    let browser = Driver::start().await;
    browser.open(&format!("http://{addr}/")).await;

    browser.say("order me a burger").await;
    let missing = browser
        .until("the question", r#"const q = document.querySelector(".bubble.question"); return q && q.dataset.missing"#)
        .await;
    assert_eq!(missing, "address", "the page asks for the address");
    browser.say("221B Baker Street").await;
    let card = browser
        .until(
            "the confirmed order card",
            r#"const c = document.querySelector('.command[data-status="confirmed"] .card');
               return c && !c.hidden && c.innerText"#,
        )
        .await;
    let card = card.as_str().unwrap().to_owned();
    assert!(card.contains("Total"), "{card}");
    assert!(card.contains("Arrives in"), "the ETA: {card}");
    assert!(card.contains("burger") || card.contains("Burger"), "{card}");
    let timeline = browser
        .script(r#"return [...document.querySelectorAll('.command[data-status="confirmed"] .timeline li.done')].map(l => l.dataset.step)"#)
        .await;
    assert_eq!(
        timeline,
        json!(["received", "understood", "dispatched", "confirmed"])
    );
    let shot = browser.screenshot("burger-order.png").await;
    eprintln!("screenshot: {}", shot.display());

    // The socket drops; a command runs while the page is away; the page
    // reconnects, asks for what it missed, and shows it, each event once.
    let session = browser.script("return window.errand.state.session").await;
    let session = session.as_str().unwrap().to_owned();
    browser.script("window.errand.drop(); return true").await;
    let body = json!({"text": "book a cab from Baker Street to King's Cross"}).to_string();
    let r = http::post(
        addr,
        &format!("/v1/sessions/{session}/utterances"),
        &[],
        &body,
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let ride = browser
        .until(
            "the ride booked while the socket was down",
            r#"const c = [...document.querySelectorAll('.command[data-status="confirmed"] .card')]
                 .find(c => c.innerText.includes("Driver in"));
               return c && c.innerText"#,
        )
        .await;
    assert!(ride.as_str().unwrap().contains("Fare"), "{ride}");
    let seen = browser.script("return window.errand.state.seen").await;
    let seen: Vec<u64> = serde_json::from_value(seen).unwrap();
    let expected: Vec<u64> = (1..=*seen.last().unwrap()).collect();
    assert_eq!(seen, expected, "every event once, in order, none missing");
    let reconnects = browser
        .script(r#"return document.getElementById("connection").dataset.state"#)
        .await;
    assert_eq!(reconnects, "open");
    browser.screenshot("after-reconnect.png").await;
    server.abort();
    stack.shutdown().await;
}

/// The microphone button: Chromium's fake capture device plays a recording
/// of "order me a burger" (espeak-ng), the page streams it to /v1/ws/mic,
/// the local speech-to-text server writes it down, and the page shows the
/// transcript and the address question.
#[tokio::test]
async fn the_microphone_button_orders_a_burger_by_voice() {
    let url = std::env::var("ERRAND_TEST_STT_URL")
        .expect("ERRAND_TEST_STT_URL: scripts/test starts the speech-to-text server");
    let stack = TestStack::start_with(|o| {
        o.stt = Some(errand_actors::speech::SpeechConfig::new(url));
    })
    .await;
    let (addr, server) = stack.serve_http().await;
    let wav = std::env::temp_dir().join(format!("errand-mic-{}.wav", std::process::id()));
    let spoke = Command::new("espeak-ng")
        .arg("-w")
        .arg(&wav)
        .arg("order me a burger")
        .status()
        .expect("espeak-ng");
    assert!(spoke.success());
    let browser = Driver::start_with(&[
        "--use-fake-ui-for-media-stream".into(),
        "--use-fake-device-for-media-stream".into(),
        format!("--use-file-for-fake-audio-capture={}%noloop", wav.display()),
        "--autoplay-policy=no-user-gesture-required".into(),
    ])
    .await;
    browser.open(&format!("http://{addr}/")).await;
    let mic = browser.element("#mic").await;
    browser
        .call("POST", &format!("/element/{mic}/click"), json!({}))
        .await;
    browser
        .until(
            "recording",
            r#"return document.getElementById("mic").dataset.recording === "true""#,
        )
        .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    browser
        .call("POST", &format!("/element/{mic}/click"), json!({}))
        .await;
    let heard = browser
        .until(
            "the transcript",
            r#"const b = document.querySelector(".bubble.spoken"); return b && b.textContent"#,
        )
        .await;
    let heard = heard.as_str().unwrap().to_lowercase();
    assert!(heard.contains("burger"), "heard {heard:?}");
    let missing = browser
        .until("the question", r#"const q = document.querySelector(".bubble.question"); return q && q.dataset.missing"#)
        .await;
    assert_eq!(missing, "address");
    browser.screenshot("voice.png").await;
    std::fs::remove_file(&wav).ok();
    server.abort();
    stack.shutdown().await;
}
