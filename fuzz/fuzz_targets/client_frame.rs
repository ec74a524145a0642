//! A client's WebSocket text frame: read as errand reads it. Every frame is
//! a request or an error with a stable code; a request reads back the same
//! after errand writes it as JSON.
#![no_main]

use errand_schemas::ClientRequest;
use errand_schemas::client::read_frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match read_frame(text) {
        Ok(request) => {
            let json = serde_json::to_string(&request).expect("a request serialises");
            let again: ClientRequest = serde_json::from_str(&json).expect("and reads back");
            assert_eq!(again, request);
        }
        Err(error) => {
            assert!(!error.code.as_str().is_empty());
            assert!(!error.message.is_empty());
        }
    }
});
