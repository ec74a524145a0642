//! Whatever a person types, read by the offline reader and errand's own
//! reading: never a panic, a confidence between 0 and 1, one of the
//! reader's intents.
#![no_main]

use errand_actors::dialogue::hear;
use errand_actors::nlu::{Context, TrainedNlu, Understand};
use errand_actors::reading::Reading;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Reader {
    nlu: TrainedNlu,
    reading: Reading,
}

fn reader() -> &'static Reader {
    static READER: OnceLock<Reader> = OnceLock::new();
    READER.get_or_init(|| {
        let registry = errand_fuzz::registry();
        Reader {
            nlu: TrainedNlu::embedded().expect("the built-in model reads"),
            reading: Reading::new(&registry, Reading::time_zone("Europe/London").unwrap()),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text: String = text.chars().take(1000).collect();
    let r = reader();
    let parse = r.nlu.parse(&text, &Context::default());
    assert!((0.0..=1.0).contains(&parse.confidence), "{parse:?}");
    let prepared = hear::prepare(&r.reading, &text);
    if let Some(request) = &prepared.request {
        let _ = r.nlu.parse(request, &Context::default());
    }
});
