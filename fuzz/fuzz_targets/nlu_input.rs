//! Whatever a person types, read as errand reads it offline: the built-in
//! trained reader (errand's default), the rule reader it falls back to,
//! and errand's own first reading (typos, acts). Never a panic, and a
//! confidence between 0 and 1; an input slower than scripts/fuzz's
//! timeout fails too.
#![no_main]

use errand_actors::dialogue::hear;
use errand_actors::nlu::{Context, RuleNlu, TrainedNlu, Understand};
use errand_actors::reading::Reading;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Readers {
    trained: TrainedNlu,
    rules: RuleNlu,
    reading: Reading,
}

fn readers() -> &'static Readers {
    static READERS: OnceLock<Readers> = OnceLock::new();
    READERS.get_or_init(|| {
        let registry = errand_fuzz::registry();
        Readers {
            trained: TrainedNlu::embedded(errand_actors::agents::catalog::lexicon()).expect("the built-in model reads"),
            rules: RuleNlu::new(errand_actors::agents::catalog::lexicon()),
            reading: Reading::new(&registry, Reading::time_zone("Europe/London").unwrap()),
        }
    })
}

fn read(reader: &dyn Understand, text: &str, context: &Context) {
    let parse = reader.parse(text, context);
    assert!((0.0..=1.0).contains(&parse.confidence), "{parse:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The gateway refuses longer utterances.
    let text: String = text.chars().take(1000).collect();
    let r = readers();
    let open = Context {
        open_action: Some("order_food".into()),
        missing: vec!["address".into()],
    };
    for context in [Context::default(), open] {
        read(&r.trained, &text, &context);
        read(&r.rules, &text, &context);
    }
    let prepared = hear::prepare(&r.reading, &text);
    if let Some(request) = &prepared.request {
        read(&r.trained, request, &Context::default());
    }
});
