//! `errand test`: runs files of conversations (see [`format`](mod@format)) against a
//! gateway over `/v1/ws/text`, each on a session of its own, and says
//! which passed. A turn's events are read until it settles: every command
//! it touched ended or waits on the person (a question or a confirmation),
//! and nothing more arrived for a moment.

pub mod format;

use format::{Conversation, File, Press, Turn, matches};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// How long a turn may take to settle.
const TURN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long nothing more must arrive once a turn looks settled.
const GRACE: Duration = Duration::from_millis(150);

#[derive(Debug, thiserror::Error)]
pub enum TestError {
    #[error("{path}: {why}")]
    File { path: String, why: String },
}

/// Where to talk and how.
#[derive(Clone, Debug)]
pub struct Target {
    /// `ws://host:port/v1/ws/text`
    pub url: String,
    pub token: Option<String>,
    /// Conversations run at once.
    pub parallel: usize,
}

/// One conversation's outcome.
#[derive(Debug)]
pub struct Outcome {
    pub file: String,
    pub name: String,
    /// Why it failed; `None` when it passed.
    pub failure: Option<String>,
}

/// The conversations in `paths` (files, or folders of `.toml` files), in
/// file order.
pub fn load(paths: &[PathBuf]) -> Result<Vec<(String, Conversation)>, TestError> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files).map_err(|e| TestError::File {
            path: path.display().to_string(),
            why: e.to_string(),
        })?;
    }
    let mut all = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| TestError::File {
            path: file.display().to_string(),
            why: e.to_string(),
        })?;
        let parsed: File = toml::from_str(&text).map_err(|e| TestError::File {
            path: file.display().to_string(),
            why: e.to_string(),
        })?;
        let name = file.display().to_string();
        for (i, conversation) in parsed.conversations.into_iter().enumerate() {
            if conversation.turns.is_empty() {
                return Err(TestError::File {
                    path: name,
                    why: format!(
                        "conversation {} ({}) has no turns",
                        i + 1,
                        conversation.name
                    ),
                });
            }
            all.push((name.clone(), conversation));
        }
    }
    Ok(all)
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || entry.extension().is_some_and(|e| e == "toml") {
                collect(&entry, files)?;
            }
        }
    } else {
        std::fs::metadata(path)?;
        files.push(path.to_owned());
    }
    Ok(())
}

/// Runs every conversation, `target.parallel` at a time; outcomes come
/// back in order and are handed to `report` as they are known.
pub async fn run(
    conversations: Vec<(String, Conversation)>,
    target: &Target,
    mut report: impl FnMut(&Outcome),
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut runs = futures_util::stream::iter(conversations.into_iter().map(|(file, c)| {
        let target = target.clone();
        async move {
            let failure = converse(&c, &target).await.err();
            Outcome {
                file,
                name: c.name,
                failure,
            }
        }
    }))
    .buffered(target.parallel.max(1));
    while let Some(outcome) = runs.next().await {
        report(&outcome);
        outcomes.push(outcome);
    }
    outcomes
}

/// What the conversation has seen so far, across its turns.
#[derive(Default)]
struct Seen {
    /// The last confirmation asked for, and the last command confirmed.
    last_confirm: Option<String>,
    last_confirmed: Option<String>,
    /// Each trace's last status.
    last_status: BTreeMap<String, String>,
}

async fn converse(conversation: &Conversation, target: &Target) -> Result<(), String> {
    let session = format!("test-{}", errand_schemas::TraceId::generate().0);
    let mut url = format!("{}?session={session}", target.url);
    if let Some(token) = &target.token {
        url.push_str(&format!("&token={token}"));
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(&url)
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", target.url))?;
    let mut seen = Seen::default();
    for (i, turn) in conversation.turns.iter().enumerate() {
        if let Some(ms) = turn.wait_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let label = match (&turn.say, turn.press) {
            (Some(text), _) => format!("turn {} ({text:?})", i + 1),
            (None, Some(press)) => format!("turn {} (the {press:?} button)", i + 1),
            (None, None) => format!("turn {}", i + 1),
        };
        for frame in frames(turn, &seen).map_err(|e| format!("{label}: {e}"))? {
            socket
                .send(Message::Text(frame.into()))
                .await
                .map_err(|e| format!("{label}: cannot send: {e}"))?;
        }
        let events = settle(&mut socket)
            .await
            .map_err(|e| format!("{label}: {e}"))?;
        check(turn, &events)
            .map_err(|e| format!("{label}: {e}\n      got: {}", summary(&events)))?;
        remember(&events, &mut seen);
    }
    let _ = socket.close(None).await;
    let count = |status: &str| seen.last_status.values().filter(|s| *s == status).count();
    if let Some(n) = conversation.confirmed
        && count("confirmed") != n
    {
        return Err(format!(
            "expected {n} command(s) confirmed in the end, got {}",
            count("confirmed")
        ));
    }
    if let Some(n) = conversation.cancelled
        && count("cancelled") != n
    {
        return Err(format!(
            "expected {n} command(s) cancelled in the end, got {}",
            count("cancelled")
        ));
    }
    Ok(())
}

/// The frames one turn sends.
fn frames(turn: &Turn, seen: &Seen) -> Result<Vec<String>, String> {
    match (&turn.say, turn.press) {
        (Some(text), None) => {
            let frame = serde_json::json!({"type": "utterance", "text": text}).to_string();
            Ok(vec![frame; turn.repeat.unwrap_or(1).max(1) as usize])
        }
        (None, Some(press)) => {
            let trace = match press {
                Press::Confirm => seen.last_confirm.clone(),
                Press::Cancel => seen.last_confirm.clone().or(seen.last_confirmed.clone()),
            }
            .ok_or("nothing to press a button on")?;
            let kind = match press {
                Press::Confirm => "confirm",
                Press::Cancel => "cancel",
            };
            Ok(vec![
                serde_json::json!({"type": kind, "trace_id": trace}).to_string(),
            ])
        }
        _ => Err("a turn has either `say` or `press`".into()),
    }
}

fn remember(events: &[Value], seen: &mut Seen) {
    for event in events {
        let trace = event["trace_id"].as_str().map(str::to_owned);
        match event["type"].as_str().unwrap_or_default() {
            "confirm" => seen.last_confirm = trace,
            "status" => {
                let status = event["status"].as_str().unwrap_or_default().to_owned();
                if let Some(trace) = trace {
                    if status == "confirmed" {
                        seen.last_confirmed = Some(trace.clone());
                    }
                    if seen.last_confirm.as_ref() == Some(&trace)
                        && ["dispatched", "confirmed", "cancelled", "failed"]
                            .contains(&status.as_str())
                    {
                        seen.last_confirm = None;
                    }
                    seen.last_status.insert(trace, status);
                }
            }
            _ => {}
        }
    }
}

const FINAL: &[&str] = &["confirmed", "failed", "declined", "cancelled", "answered"];

/// Reads events until the turn settles (see the module doc).
async fn settle<S>(socket: &mut S) -> Result<Vec<Value>, String>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + TURN_TIMEOUT;
    let mut events: Vec<Value> = Vec::new();
    loop {
        let quiet = settled(&events);
        let wait = if quiet {
            GRACE
        } else {
            deadline.saturating_duration_since(tokio::time::Instant::now())
        };
        match tokio::time::timeout(wait, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                let event: Value = serde_json::from_str(&text)
                    .map_err(|e| format!("a frame that is not JSON ({e}): {text}"))?;
                events.push(event);
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => return Err(format!("the socket failed: {e}")),
            Ok(None) => return Err("the socket closed".into()),
            Err(_) if quiet => return Ok(events),
            Err(_) => {
                return Err(format!(
                    "did not settle within {}s\n      got: {}",
                    TURN_TIMEOUT.as_secs(),
                    summary(&events)
                ));
            }
        }
    }
}

/// Every trace touched has ended or waits on the person, and something
/// ended the turn (a question, a final status, an error, a reply).
fn settled(events: &[Value]) -> bool {
    #[derive(Default)]
    struct Trace {
        asked: bool,
        moving: bool,
        done: bool,
    }
    let mut traces: BTreeMap<&str, Trace> = BTreeMap::new();
    let mut ended = false;
    for event in events {
        let trace = event["trace_id"].as_str().unwrap_or_default();
        let kind = event["type"].as_str().unwrap_or_default();
        let entry = traces.entry(trace).or_default();
        match kind {
            "ack" => {}
            "clarify" | "confirm" => {
                entry.asked = true;
                ended = true;
            }
            "status" => {
                let status = event["status"].as_str().unwrap_or_default();
                if FINAL.contains(&status) {
                    entry.done = true;
                    ended = true;
                } else if status == "dispatched" {
                    entry.moving = true;
                }
            }
            "error" | "reply" => ended = true,
            _ => {}
        }
    }
    ended
        && traces.iter().all(|(id, t)| {
            id.is_empty() || t.done || (t.asked && !t.moving) || only_replies(events, id)
        })
}

/// Whether `text` contains `words`, without regard to case (a leading
/// `~`, as in tables, means the same). A leading `≈` says the words are
/// about now ("in an hour and a half" is "≈at 10:30am"): the run's clock
/// starts at `--now` and goes on while the conversations run, so a clock
/// time in them may be up to [`CLOCK_DRIFT_MINUTES`] later.
fn says(text: &str, words: &str) -> bool {
    let text = text.to_lowercase();
    let Some(about_now) = words.strip_prefix('≈') else {
        let words = words.strip_prefix('~').unwrap_or(words);
        return text.contains(&words.to_lowercase());
    };
    let words = about_now.to_lowercase();
    (0..=CLOCK_DRIFT_MINUTES)
        .any(|later| clock_time_later(&words, later).is_some_and(|words| text.contains(&words)))
}

/// How far the run's clock may have gone on when a turn is heard.
const CLOCK_DRIFT_MINUTES: u32 = 3;

/// `words` with their first clock time ("10:30am") `minutes` later; the
/// words as they are when they have none.
fn clock_time_later(words: &str, minutes: u32) -> Option<String> {
    let found = words.char_indices().find_map(|(at, _)| {
        let rest = &words[at..];
        let (hours, after) = rest.split_once(':')?;
        let hour: u32 = hours.parse().ok().filter(|h| (1..=12).contains(h))?;
        let minute: u32 = after.get(..2)?.parse().ok().filter(|m| *m < 60)?;
        let half = after.get(2..4).filter(|h| *h == "am" || *h == "pm")?;
        Some((at, hours.len() + 5, hour, minute, half == "pm"))
    });
    let Some((at, len, hour, minute, pm)) = found else {
        return (minutes == 0).then(|| words.to_owned());
    };
    let of_day = (hour % 12 + if pm { 12 } else { 0 }) * 60 + minute + minutes;
    let (hour24, minute) = ((of_day / 60) % 24, of_day % 60);
    let half = if hour24 >= 12 { "pm" } else { "am" };
    let hour = match hour24 % 12 {
        0 => 12,
        h => h,
    };
    Some(format!(
        "{}{hour}:{minute:02}{half}{}",
        &words[..at],
        &words[at + len..]
    ))
}

/// A trace that only got words (its ack and a reply, no question or
/// status: "OK, I haven't cancelled it" on an order already placed).
fn only_replies(events: &[Value], trace: &str) -> bool {
    let mine = || {
        events
            .iter()
            .filter(|e| e["trace_id"].as_str() == Some(trace) && e["type"] != "ack")
    };
    mine().next().is_some() && mine().all(|e| e["type"] == "reply")
}

fn check(turn: &Turn, events: &[Value]) -> Result<(), String> {
    let of = |kind: &'static str| events.iter().filter(move |e| e["type"] == kind);
    if let Some(missing) = &turn.clarify {
        let mut want = missing.clone();
        want.sort();
        let found = of("clarify").any(|e| {
            let mut got: Vec<String> = e["missing"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            got.sort();
            got == want
        });
        if !found {
            return Err(format!("expected a question for {want:?}"));
        }
    }
    if let Some(words) = &turn.question {
        let found = events.iter().any(|e| {
            (e["type"] == "clarify" || e["type"] == "confirm")
                && e["question"].as_str().is_some_and(|q| says(q, words))
        });
        if !found {
            return Err(format!("expected a question with {words:?}"));
        }
    }
    if let Some(confirm) = &turn.confirm {
        let found = of("confirm").any(|e| match confirm {
            toml::Value::Boolean(want) => *want,
            want => matches(want, &e["summary"]),
        });
        let any = of("confirm").next().is_some();
        match (confirm, found, any) {
            (toml::Value::Boolean(false), _, true) => return Err("expected no confirmation".into()),
            (toml::Value::Boolean(false), _, false) => {}
            (_, false, _) => {
                return Err(format!("expected a confirmation with {}", shown(confirm)));
            }
            _ => {}
        }
    }
    if let Some(status) = &turn.status {
        let found = of("status").any(|e| e["status"] == status.as_str());
        if !found {
            return Err(format!("expected the status {status:?}"));
        }
    }
    if let Some(result) = &turn.result {
        let candidates: Vec<&Value> = match &turn.status {
            Some(status) => of("status")
                .filter(|e| e["status"] == status.as_str())
                .collect(),
            None => of("status").filter(|e| !e["result"].is_null()).collect(),
        };
        if !candidates.iter().any(|e| matches(result, &e["result"])) {
            return Err(format!("expected a result with {}", shown(result)));
        }
    }
    if let Some(replies) = &turn.reply {
        for words in replies.all() {
            let found = of("reply").any(|e| e["text"].as_str().is_some_and(|t| says(t, words)));
            if !found {
                return Err(format!("expected a reply with {words:?}"));
            }
        }
    }
    if let Some(code) = &turn.error
        && !of("error").any(|e| e["code"] == code.as_str())
    {
        return Err(format!("expected the error {code:?}"));
    }
    for never in &turn.never {
        let found = events.iter().any(|e| {
            e["type"] == never.as_str() || (e["type"] == "status" && e["status"] == never.as_str())
        });
        if found {
            return Err(format!("expected no {never:?}"));
        }
    }
    Ok(())
}

/// An expectation as JSON.
fn shown(value: &toml::Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The events of a turn, briefly.
fn summary(events: &[Value]) -> String {
    let parts: Vec<String> = events
        .iter()
        .map(|e| match e["type"].as_str().unwrap_or_default() {
            "status" => format!("status {}", e["status"].as_str().unwrap_or_default()),
            "clarify" => format!(
                "clarify {} {:?}",
                e["missing"],
                e["question"].as_str().unwrap_or_default()
            ),
            "confirm" => format!("confirm {:?}", e["question"].as_str().unwrap_or_default()),
            "reply" => format!("reply {:?}", e["text"].as_str().unwrap_or_default()),
            "error" => format!(
                "error {} {:?}",
                e["code"].as_str().unwrap_or_default(),
                e["message"].as_str().unwrap_or_default()
            ),
            other => other.to_owned(),
        })
        .collect();
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::says;

    #[test]
    fn a_time_about_now_may_be_a_few_minutes_later() {
        let asked = "Book a standard ride at 10:31am on Tuesday 16 June?";
        assert!(says(asked, "≈at 10:30am"));
        assert!(!says(asked, "at 10:30am"));
        assert!(!says(asked, "~at 10:30am"));
        assert!(!says(asked, "≈at 10:35am"));
        assert!(!says(asked, "≈at 10:32am on Wednesday"));
        assert!(says("at 1:02pm", "≈at 12:59pm"));
        assert!(says("no time in it", "≈no TIME"));
        assert!(says("no time in it", "~no TIME"));
    }
}
