//! The web page in a real browser: headless Debian Chromium driven over
//! WebDriver (chromedriver's W3C JSON API, spoken with the harness's plain
//! HTTP client). The burger dialogue to its confirmation and order card,
//! then a dropped socket while a command waits, and every event shown
//! once, in order; an order confirmed and another cancelled with the
//! cards' buttons, the whole conversation again after a reload, a placed
//! order cancelled and refunded, the page at 400 px; the Speak button.
//!
//! `ERRAND_TEST_SCREENSHOTS=docs` rewrites the README's screenshots
//! (`docs/page.png`, `docs/page-400.png`); every run leaves its own in
//! `target/test-artifacts/`.

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

    /// The element `selector` finds: an XPath when it starts with `/`, a
    /// CSS selector otherwise.
    async fn element(&self, selector: &str) -> String {
        let using = if selector.starts_with('/') {
            "xpath"
        } else {
            "css selector"
        };
        let v = self
            .call(
                "POST",
                "/element",
                json!({"using": using, "value": selector}),
            )
            .await;
        v[ELEMENT].as_str().expect("an element").to_owned()
    }

    /// Clicks what `selector` finds, as a person would (WebDriver refuses
    /// an element that is hidden or covered).
    async fn click(&self, selector: &str) {
        let element = self.element(selector).await;
        self.call("POST", &format!("/element/{element}/click"), json!({}))
            .await;
    }

    /// Whether what `selector` finds can be seen: inside the window, not
    /// scrolled out of its panel, nothing on top of it.
    async fn visible(&self, selector: &str) -> bool {
        let element = self.element(selector).await;
        let script = r#"const e = arguments[0], r = e.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) return false;
            if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight) return false;
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return e === top || e.contains(top)"#;
        let v = self
            .call(
                "POST",
                "/execute/sync",
                json!({ "script": script, "args": [{ ELEMENT: element }] }),
            )
            .await;
        v == true
    }

    /// The buttons a person sees on the `domain` card: `[label, disabled]`.
    async fn buttons(&self, domain: &str) -> Value {
        self.script(&format!(
            r#"return [...document.querySelectorAll('.command[data-domain="{domain}"] button')]
                 .filter(b => b.offsetParent !== null).map(b => [b.innerText, b.disabled])"#
        ))
        .await
    }

    async fn resize(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            json!({ "width": width, "height": height }),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// Nothing scrolls sideways: the page, its panels, the input's bar.
    async fn fits_the_window(&self) {
        let wide = self
            .script(
                r#"return [document.documentElement, ...document.querySelectorAll("body, header, main, #transcript, #commands, #say")]
                     .filter(e => e.scrollWidth > e.clientWidth).map(e => e.id || e.tagName)"#,
            )
            .await;
        assert_eq!(wide, json!([]), "wider than the window");
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
        self.screenshot_in(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts"),
            name,
        )
        .await
    }

    /// With `ERRAND_TEST_SCREENSHOTS=DIR` (relative to the repository, e.g.
    /// `docs`), writes the window to `DIR/name` too: the README's pictures.
    async fn publish_screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("ERRAND_TEST_SCREENSHOTS") {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let path = self.screenshot_in(&dir, name).await;
            eprintln!("screenshot: {}", path.display());
        }
    }

    async fn screenshot_in(&self, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
        let png = self.call("GET", "/screenshot", Value::Null).await;
        let bytes = base64_decode(png.as_str().expect("a screenshot"));
        std::fs::create_dir_all(dir).unwrap();
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
/// closed. The answer ends with its Content-Length: chromedriver says
/// `Connection: close` but keeps the socket open.
fn end_session(addr: SocketAddr, session: &str) {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&addr, secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(secs(20)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return;
    }
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    while !answered(&reply) {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => reply.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Whether `reply` holds a whole HTTP response (headers and the body its
/// Content-Length announces).
fn answered(reply: &[u8]) -> bool {
    let text = String::from_utf8_lossy(reply);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    body.len() >= length
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
    let addr = stack.http_addr();
    let browser = Driver::start().await;
    browser.open(&format!("http://{addr}/")).await;

    browser.say("order me a burger").await;
    let missing = browser
        .until("the question", r#"const q = document.querySelector(".bubble.question"); return q && q.dataset.missing"#)
        .await;
    assert_eq!(missing, "address", "the page asks for the address");
    browser.say("221B Baker Street").await;
    // errand prices the order and waits for the person's OK.
    let summary = browser
        .until("the confirmation", &asking("confirm", "food"))
        .await;
    assert!(
        summary.as_str().unwrap().contains("cheeseburger"),
        "{summary}"
    );
    browser.click(&button("food", "Confirm")).await;
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
        json!([
            "received",
            "understood",
            "awaiting_confirmation",
            "dispatched",
            "confirmed"
        ])
    );
    let shot = browser.screenshot("burger-order.png").await;
    eprintln!("screenshot: {}", shot.display());

    // The socket drops; a command is asked for while the page is away; the
    // page reconnects, asks for what it missed, and shows it, each event
    // once: the ride waits for the person's OK on its card.
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
        .until("the ride's confirmation", &asking("confirm", "ride"))
        .await;
    assert!(ride.as_str().unwrap().contains("Fare"), "{ride}");
    browser.click(&button("ride", "Confirm")).await;
    let ride = browser
        .until(
            "the ride booked",
            r#"const c = [...document.querySelectorAll('.command[data-status="confirmed"] .card')]
                 .find(c => c.innerText.includes("Driver in"));
               return c && c.innerText"#,
        )
        .await;
    assert!(ride.as_str().unwrap().contains("Fare"), "{ride}");
    let seen = browser.script("return window.errand.state.seen").await;
    let seen: Vec<u64> = serde_json::from_value(seen).unwrap();
    let numbered = numbered_events(addr, &session).await;
    assert_eq!(seen, numbered, "every event once, in order, none missing");
    let reconnects = browser
        .script(r#"return document.getElementById("connection").dataset.state"#)
        .await;
    assert_eq!(reconnects, "open");
    browser.screenshot("after-reconnect.png").await;
    stack.shutdown().await;
}

/// A person orders a burger from an example chip and confirms it with the
/// card's button, asks for a cab and cancels it at its confirmation, thanks
/// errand (a reply, no card), reloads the page and finds the whole
/// conversation again; then cancels the placed burger from its card.
///
/// With `ERRAND_TEST_SCREENSHOTS=docs` it also writes the README's
/// screenshots (`docs/page.png` at 1200 px, `docs/page-400.png` at 400 px):
/// the ride's confirmation beside the placed burger.
#[tokio::test]
async fn the_page_confirms_one_order_cancels_another_and_shows_both_after_a_reload() {
    let stack = TestStack::start().await;
    let addr = stack.http_addr();
    let browser = Driver::start().await;
    browser.open(&format!("http://{addr}/")).await;

    // The first screen: what errand can do and things to try; no Speak
    // button, as this errand has no speech-to-text.
    let greeting = browser
        .until(
            "the greeting",
            r#"return document.getElementById("greeting-text").innerText"#,
        )
        .await;
    assert!(greeting.as_str().unwrap().contains("food"), "{greeting}");
    let chips = browser
        .script(
            r#"return [...document.querySelectorAll('#examples button')].map(b => b.innerText)"#,
        )
        .await;
    assert!(
        chips
            .as_array()
            .unwrap()
            .contains(&json!("order me a burger")),
        "{chips}"
    );
    assert!(!browser.visible("#mic").await, "no Speak button");

    // A chip says its words; the card shows errand's question.
    browser
        .click(r#"//div[@id="examples"]/button[. = "order me a burger"]"#)
        .await;
    let question = browser
        .until(
            "the question on the card",
            r#"const q = document.querySelector('.command[data-asking="clarify"] .question'); return q && q.innerText"#,
        )
        .await;
    assert!(question.as_str().unwrap().contains("deliver"), "{question}");
    browser.say("221B Baker Street").await;

    // The confirmation: each item with its quantity and price, the
    // delivery fee, the total (the one the question names), two buttons.
    let summary = browser
        .until("the burger's confirmation", &asking("confirm", "food"))
        .await;
    let summary = summary.as_str().unwrap().to_owned();
    let total = browser
        .script(r#"return document.querySelector('.command[data-domain="food"] .ask [data-field="total"]').innerText"#)
        .await;
    let total = total.as_str().unwrap().to_owned();
    assert!(total.starts_with('£'), "{total}");
    for words in [
        "1 × cheeseburger",
        "£",
        "Delivery",
        "Total",
        "Confirm",
        "Cancel",
    ] {
        assert!(summary.contains(words), "{words:?} in {summary}");
    }
    assert!(
        summary.contains(&format!("for {total}?")),
        "the question names the total: {summary}"
    );
    assert_eq!(
        browser.buttons("food").await,
        json!([["Confirm", false], ["Cancel", false]])
    );
    browser.click(&button("food", "Confirm")).await;
    let placed = browser
        .until(
            "the placed burger",
            r#"const c = document.querySelector('.command[data-domain="food"][data-status="confirmed"]');
               return c && c.querySelector(".card:not([hidden])") && c.innerText"#,
        )
        .await;
    let placed = placed.as_str().unwrap().to_owned();
    for words in ["Placed", "cheeseburger", &total, "Arrives in", "Order FO-"] {
        assert!(placed.contains(words), "{words:?} in {placed}");
    }
    assert_eq!(
        browser.buttons("food").await,
        json!([["Cancel order", false]]),
        "the confirmation's buttons are gone; the placed order can be cancelled"
    );

    // The ride: its route, type, seats and fare, and the same two buttons.
    browser.say("book a cab from home to the airport").await;
    let ride = browser
        .until("the ride's confirmation", &asking("confirm", "ride"))
        .await;
    let ride = ride.as_str().unwrap().to_owned();
    for words in [
        "Baker Street → Heathrow Airport",
        "Standard",
        "1 seat",
        "Fare",
    ] {
        assert!(ride.contains(words), "{words:?} in {ride}");
    }
    assert_eq!(
        browser.buttons("ride").await,
        json!([["Confirm", false], ["Cancel", false]])
    );
    browser.resize(1200, 900).await;
    browser.screenshot("confirmation.png").await;
    browser.publish_screenshot("page.png").await;
    // On a phone: nothing wider than the screen, the Send button at hand,
    // the ride's buttons in view.
    browser.resize(400, 960).await;
    browser.fits_the_window().await;
    assert!(browser.visible("#send").await, "the Send button at 400 px");
    assert!(
        browser.visible(&button("ride", "Confirm")).await,
        "the ride's Confirm button at 400 px"
    );
    browser.screenshot("confirmation-400.png").await;
    browser.publish_screenshot("page-400.png").await;
    browser.resize(1200, 900).await;

    // Pressed, both buttons go grey at once: no second answer while errand
    // takes the first.
    let pressed = browser
        .script(
            r#"const bs = [...document.querySelectorAll('.command[data-domain="ride"] .ask button')];
               bs.find(b => b.innerText === "Cancel").click();
               return bs.map(b => b.disabled)"#,
        )
        .await;
    assert_eq!(pressed, json!([true, true]));
    let dropped = browser
        .until(
            "the ride cancelled",
            r#"const c = document.querySelector('.command[data-domain="ride"][data-status="cancelled"]');
               return c && c.innerText.includes("Not placed") && c.innerText"#,
        )
        .await;
    let dropped = dropped.as_str().unwrap().to_owned();
    assert!(dropped.contains("nothing was charged"), "{dropped}");
    assert!(!dropped.contains("Booking"), "no booking: {dropped}");
    assert_eq!(browser.buttons("ride").await, json!([]), "no buttons left");
    // What errand says of it agrees: cancelled, never dispatched.
    let trace = browser
        .script(r#"return document.querySelector('.command[data-domain="ride"]').dataset.trace"#)
        .await;
    let r = http::request(
        addr,
        "GET",
        &format!("/v1/commands/{}", trace.as_str().unwrap()),
        &[],
        "",
    )
    .await
    .expect("errand answers");
    let state = r.json();
    assert_eq!(state["status"], "cancelled", "{}", r.body);
    assert!(
        !r.body.contains("dispatched") && state["result"].is_null(),
        "nothing placed, nothing charged: {}",
        r.body
    );

    // Small talk: a reply, no card.
    let replies = r#"return document.querySelectorAll(".bubble.errand:not(.question)").length"#;
    let before = browser.script(replies).await.as_u64().unwrap();
    browser.say("thanks").await;
    browser
        .until("the reply", &format!("{replies} > {before}"))
        .await;
    assert_eq!(
        browser
            .script("return document.querySelectorAll('.command').length")
            .await,
        2
    );

    // A reload shows the whole conversation again, from the session's
    // first event: the person's words and presses, errand's, both cards.
    let conversation = r#"return [document.getElementById("transcript").innerText, document.getElementById("commands").innerText]"#;
    let before = browser.script(conversation).await;
    browser.call("POST", "/refresh", json!({})).await;
    browser
        .until(
            "the connection after the reload",
            r#"return document.getElementById("connection").dataset.state === "open""#,
        )
        .await;
    browser
        .until(
            "the conversation replayed",
            &format!(
                "const now = (() => {{ {conversation} }})(); return JSON.stringify(now) === JSON.stringify({before})"
            ),
        )
        .await;
    assert_eq!(browser.script(conversation).await, before);
    let said = browser
        .script(r#"return [...document.querySelectorAll(".bubble.you")].map(b => b.innerText)"#)
        .await;
    assert_eq!(
        said,
        json!([
            "order me a burger",
            "221B Baker Street",
            "Confirm",
            "book a cab from home to the airport",
            "Cancel",
            "thanks"
        ])
    );
    assert_eq!(browser.buttons("ride").await, json!([]));
    assert_eq!(
        browser.buttons("food").await,
        json!([["Cancel order", false]])
    );

    // The placed burger, cancelled from its card: the card asks first
    // ("Keep it" keeps it), then shows the refund.
    browser
        .click(r#".command[data-domain="food"] .cancel-order"#)
        .await;
    let asked = browser
        .until("the cancel question", &asking("cancel", "food"))
        .await;
    let asked = asked.as_str().unwrap().to_owned();
    assert!(
        asked.contains("Cancel this order?") && asked.contains(&total),
        "{asked}"
    );
    browser.click(&button("food", "Keep it")).await;
    assert_eq!(
        browser.buttons("food").await,
        json!([["Cancel order", false]])
    );
    browser
        .click(r#".command[data-domain="food"] .cancel-order"#)
        .await;
    browser
        .until("the cancel question", &asking("cancel", "food"))
        .await;
    browser.click(&button("food", "Yes, cancel it")).await;
    let refunded = browser
        .until(
            "the refund",
            r#"const r = document.querySelector('.command[data-domain="food"] .refund'); return r && r.closest(".command").innerText"#,
        )
        .await;
    let refunded = refunded.as_str().unwrap().to_owned();
    assert!(
        refunded.contains(&format!("Cancelled: {total} refunded")),
        "{refunded}"
    );
    assert!(refunded.contains("Cancelled, refunded"), "{refunded}");
    assert_eq!(browser.buttons("food").await, json!([]));
    browser.screenshot("cancelled-and-refunded.png").await;
    stack.shutdown().await;
}

/// A script returning what the `domain` card asks (`kind`: `clarify`,
/// `confirm` or `cancel`), as its text, once it asks it.
fn asking(kind: &str, domain: &str) -> String {
    format!(
        r#"const a = document.querySelector('.command[data-domain="{domain}"][data-asking="{kind}"] .ask');
           return a && !a.hidden && a.innerText"#
    )
}

/// An XPath to the button saying `label` on the `domain` card.
fn button(domain: &str, label: &str) -> String {
    format!(r#"//article[@data-domain="{domain}"]//button[normalize-space(.) = "{label}"]"#)
}

/// The microphone button: Chromium's fake capture device plays a recording
/// of "order me a burger" (espeak-ng), the page streams it to /v1/ws/mic,
/// the local speech-to-text server writes it down, and the page shows the
/// transcript and the address question; the address typed and the Confirm
/// button place the order.
#[tokio::test]
async fn the_microphone_button_orders_a_burger_by_voice() {
    let url = std::env::var("ERRAND_TEST_STT_URL")
        .expect("ERRAND_TEST_STT_URL: scripts/test starts the speech-to-text server");
    let stack = TestStack::start_with(|o| {
        o.stt = Some(errand_actors::speech::SpeechConfig::new(url));
    })
    .await;
    let addr = stack.http_addr();
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
    assert!(
        browser.visible("#mic").await,
        "the Speak button, as errand hears speech"
    );
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
    // The rest by hand: the address typed, the order confirmed with the
    // card's button.
    browser.say("221B Baker Street").await;
    browser
        .until("the confirmation", &asking("confirm", "food"))
        .await;
    browser.click(&button("food", "Confirm")).await;
    let placed = browser
        .until(
            "the placed order",
            r#"const c = document.querySelector('.command[data-domain="food"][data-status="confirmed"]');
               return c && c.innerText"#,
        )
        .await;
    assert!(placed.as_str().unwrap().contains("burger"), "{placed}");
    std::fs::remove_file(&wav).ok();
    stack.shutdown().await;
}

/// The `seq` of every event the gateway numbered for `session`, in order:
/// its replay, read from the session's event stream (`?after_seq=0`) for as
/// long as events keep coming.
async fn numbered_events(addr: SocketAddr, session: &str) -> Vec<u64> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /v1/sessions/{session}/events?after_seq=0 HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 8192];
    while let Ok(Ok(n)) =
        tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await
    {
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    (seen.lines())
        .filter_map(|l| l.strip_prefix("id: "))
        .map(|id| id.trim().parse().unwrap())
        .collect()
}
