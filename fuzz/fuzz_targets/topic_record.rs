//! A topic record's value, as a consumer decodes it (the versioned JSON
//! envelope, `{"v":1,"data":...}`, as errand's ingress does) for every
//! topic errand reads: decoding never panics, a value that decodes is
//! written back to a record that decodes the same, and its trace id always
//! makes a well-formed `traceparent` (what errand's spans follow).
#![no_main]

use errand_actors::spans::of_command;
use errand_schemas::codec::{decode_record, encode_record};
use errand_schemas::{
    AgentResult, Clarification, Command, DeadLetter, StatusUpdate, TraceId, Utterance,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn decode<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(data: &[u8]) -> Option<T> {
    let value = decode_record::<T>(data).ok()?;
    let again: T = decode_record(&encode_record(&value)).expect("a written record reads");
    assert_eq!(again, value);
    Some(value)
}

fn traced(trace_id: &TraceId) {
    let parent = of_command(trace_id.as_str());
    let parts: Vec<&str> = parent.split('-').collect();
    assert_eq!(parts.len(), 4, "{parent}");
    assert_eq!((parts[0], parts[3]), ("00", "01"), "{parent}");
    assert_eq!((parts[1].len(), parts[2].len()), (32, 16), "{parent}");
    assert!(
        parts[1]
            .bytes()
            .chain(parts[2].bytes())
            .all(|b| b.is_ascii_hexdigit())
    );
}

fuzz_target!(|data: &[u8]| {
    if let Some(utterance) = decode::<Utterance>(data) {
        traced(&utterance.trace_id); // transcript
    }
    if let Some(command) = decode::<Command>(data) {
        traced(&command.trace_id); // agent.cmd
    }
    decode::<AgentResult>(data); // agent.out.<domain>
    decode::<Clarification>(data); // agent.out.clarify
    decode::<StatusUpdate>(data); // agent.status
    decode::<DeadLetter>(data); // agent.error
});
