//! A topic record's value, as a consumer decodes it (the versioned JSON
//! envelope, `{"v":1,"data":...}`) for every topic errand reads: decoding
//! never panics, and a value that decodes is written back to a record that
//! decodes the same.
#![no_main]

use errand_schemas::codec::{decode_record, encode_record};
use errand_schemas::{AgentResult, Clarification, Command, DeadLetter, StatusUpdate, Utterance};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = decode_record::<T>(data) {
        let again: T = decode_record(&encode_record(&value)).expect("a written record reads");
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<Utterance>(data); // transcript
    round_trip::<Command>(data); // agent.cmd
    round_trip::<AgentResult>(data); // agent.out.<domain>
    round_trip::<Clarification>(data); // agent.out.clarify
    round_trip::<StatusUpdate>(data); // agent.status
    round_trip::<DeadLetter>(data); // agent.error
});
