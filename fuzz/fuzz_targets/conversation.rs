//! The conversation policy: lines said one after another in one session,
//! each heard offline and decided. Never a panic; every turn decides or
//! fails with a stable code; the session and the effects always save.
#![no_main]

use errand_actors::dialogue::{Ctx, DialogueConfig, decide, hear};
use errand_actors::nlu::TrainedNlu;
use errand_actors::reading::Reading;
use errand_actors::registry::DomainRegistry;
use errand_fuzz::{SimpleDesk, registry};
use errand_schemas::{SessionId, SessionState, TraceId, Utterance, UtteranceSource};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct World {
    registry: DomainRegistry,
    reading: Reading,
    nlu: TrainedNlu,
    config: DialogueConfig,
    runtime: tokio::runtime::Runtime,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let registry = registry();
        World {
            reading: Reading::new(&registry, Reading::time_zone("Europe/London").unwrap()),
            registry,
            nlu: TrainedNlu::embedded(errand_actors::agents::catalog::lexicon()).expect("the built-in model reads"),
            config: DialogueConfig::default(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a runtime"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let w = world();
    let session_id = SessionId("fuzz".into());
    let mut session = SessionState::new(session_id.clone(), "demo");
    let mut now = 1_781_600_000_000u64; // a Tuesday in June 2026
    for (i, line) in text.lines().take(12).enumerate() {
        let line: String = line.chars().take(300).collect();
        now += 1_000;
        let trace_id = (session.open.as_ref())
            .map(|o| o.trace_id.clone())
            .unwrap_or_else(|| TraceId(format!("t{i}")));
        let utterance = Utterance {
            utterance_id: format!("u{i}"),
            trace_id,
            session_id: session_id.clone(),
            user_id: "demo".into(),
            text: line.clone(),
            source: UtteranceSource::Text,
            received_at_ms: now,
            session_version: 0,
            act: None,
        };
        let heard = hear::offline(&w.reading, &w.registry, &w.nlu, &line, &session, now);
        let ctx = Ctx {
            registry: &w.registry,
            config: &w.config,
            desk: &SimpleDesk,
            now_ms: now,
        };
        match w
            .runtime
            .block_on(decide(&mut session, &utterance, &heard, &ctx))
        {
            Ok(effects) => {
                serde_json::to_string(&effects).expect("effects save");
            }
            Err(error) => assert!(!error.code.as_str().is_empty()),
        }
        assert_eq!(session.turns as usize, i + 1);
        let saved = serde_json::to_string(&session).expect("the session saves");
        let _: SessionState = serde_json::from_str(&saved).expect("and loads");
    }
});
