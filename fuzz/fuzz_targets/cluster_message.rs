//! A message from a peer node (bincode, `Wire<T>`): an agent call, its
//! answer, a quote, a cancellation. Reading never panics; what does not
//! decode is a broken message with a reason; what is read and written
//! again reads back as the same bytes.
#![no_main]

use errand_actors::agents::wire::{CancelRequest, Wire};
use errand_schemas::{AgentResult, CancelResult, Command, ErrorBody, Refusal, Summary};
use libfuzzer_sys::fuzz_target;
use ractor::BytesConvertable;

/// Compares bytes, not values: a float a peer sent may be a NaN.
fn read<T: bincode::Encode + bincode::Decode<()> + Clone>(data: &[u8]) {
    let message = Wire::<T>::from_bytes(data.to_vec());
    if let Err(why) = &message.value {
        assert!(!why.trim().is_empty());
    }
    let written = message.into_bytes();
    let again = Wire::<T>::from_bytes(written.clone());
    assert_eq!(again.into_bytes(), written);
}

fuzz_target!(|data: &[u8]| {
    read::<Command>(data); // WireCommand
    read::<CancelRequest>(data);
    read::<Result<AgentResult, ErrorBody>>(data); // AgentReply
    read::<Result<Result<Summary, Refusal>, ErrorBody>>(data); // QuoteReply
    read::<Result<Result<CancelResult, ErrorBody>, ErrorBody>>(data); // CancelReply
});
