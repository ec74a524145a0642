//! A message from a peer node (bincode): an agent call, its answer, a
//! quote, a cancellation. Reading never panics; what does not decode is a
//! broken message with a reason, and what decodes is written back the same.
#![no_main]

use errand_actors::agents::wire::{AgentReply, CancelReply, CancelRequest, QuoteReply, Wire};
use errand_schemas::Command;
use libfuzzer_sys::fuzz_target;
use ractor::BytesConvertable;

fn read<T>(data: &[u8])
where
    T: bincode::Encode + bincode::Decode<()> + Clone + std::fmt::Debug + PartialEq,
{
    let message = Wire::<T>::from_bytes(data.to_vec());
    match &message.value {
        Ok(value) => {
            let again = Wire::<T>::from_bytes(message.clone().into_bytes());
            assert_eq!(again.value.as_ref().ok(), Some(value));
        }
        Err(why) => assert!(!why.is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    read::<Command>(data);
    read::<CancelRequest>(data);
    let _ = AgentReply::from_bytes(data.to_vec());
    let _ = QuoteReply::from_bytes(data.to_vec());
    let _ = CancelReply::from_bytes(data.to_vec());
});
