//! Every cross-boundary type round-trips through both codecs, and decoding
//! arbitrary bytes is an error, never a panic.

use crate::codec::*;
use crate::*;
use proptest::prelude::*;

fn round_trips<T>(value: &T) -> Result<(), TestCaseError>
where
    T: serde::Serialize
        + serde::de::DeserializeOwned
        + bincode::Encode
        + bincode::Decode<()>
        + PartialEq
        + std::fmt::Debug,
{
    let json: T = from_json(&to_json(value)).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&json, value);
    let record: T =
        decode_record(&encode_record(value)).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&record, value);
    let bytes = to_bincode(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let bin: T = from_bincode(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&bin, value);
    Ok(())
}

/// Decoding must not panic; whether it succeeds depends on the bytes.
fn never_panics<T>(bytes: &[u8])
where
    T: serde::de::DeserializeOwned + bincode::Decode<()>,
{
    let _ = from_json::<T>(bytes);
    let _ = decode_record::<T>(bytes);
    let _ = from_bincode::<T>(bytes);
}

/// Each runs on a thread with a large stack: the generated strategies of
/// the widest types (a session with its priced summaries) are deep in a
/// debug build.
macro_rules! codec_tests {
    ($($name:ident: $ty:ty),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                std::thread::Builder::new()
                    .stack_size(32 << 20)
                    .spawn(|| {
                        proptest!(ProptestConfig::with_cases(128), |(
                            value in any::<$ty>(),
                            garbage in prop::collection::vec(any::<u8>(), 0..256)
                        )| {
                            round_trips(&value)?;
                            never_panics::<$ty>(&garbage);
                        });
                    })
                    .expect("a test thread")
                    .join()
                    .expect("the property holds");
            }
        )*
    };
}

codec_tests! {
    utterance: Utterance,
    command: Command,
    agent_result: AgentResult,
    status_update: StatusUpdate,
    command_state: CommandState,
    session_state: SessionState,
    clarification: Clarification,
    dead_letter: DeadLetter,
    client_request: ClientRequest,
    client_event: ClientEvent,
}

#[test]
fn garbage_is_an_error() {
    assert!(from_json::<Command>(b"{not json").is_err());
    assert!(decode_record::<Command>(br#"{"v":99,"data":{}}"#).is_err());
    assert!(from_bincode::<Command>(&[0xff; 9]).is_err());
    // A hostile length prefix must not allocate gigabytes.
    assert!(
        from_bincode::<Vec<String>>(&[0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
            .is_err()
    );
}

#[test]
fn another_version_is_reported_as_such() {
    use crate::codec::CodecError;
    // Whether or not the data has the shape this build reads.
    for bytes in [&br#"{"v":99,"data":{}}"#[..], br#"{"data":"x","v":2}"#] {
        match decode_record::<Command>(bytes) {
            Err(CodecError::Version { found }) => assert!(found == 99 || found == 2),
            other => panic!("expected a version error, got {other:?}"),
        }
    }
    match decode_record::<String>(br#"{"v":7,"data":"fits"}"#) {
        Err(CodecError::Version { found: 7 }) => {}
        other => panic!("expected a version error, got {other:?}"),
    }
    // This version with the wrong shape is a JSON error.
    assert!(matches!(
        decode_record::<Command>(br#"{"v":1,"data":{}}"#),
        Err(CodecError::Json(_))
    ));
}

#[test]
fn client_event_json_shape() {
    let event = ClientEvent {
        seq: 3,
        event: ServerEvent::Clarify {
            trace_id: "t1".into(),
            intent: "order_food".into(),
            missing: vec!["address".into()],
            question: "Where should I deliver it?".into(),
        },
    };
    let json: serde_json::Value = serde_json::from_slice(&to_json(&event)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"seq":3,"type":"clarify","trace_id":"t1","intent":"order_food",
            "missing":["address"],"question":"Where should I deliver it?"})
    );
    let req: ClientRequest =
        from_json(br#"{"type":"transcript","text":"hi","final":true}"#).unwrap();
    assert_eq!(
        req,
        ClientRequest::Transcript {
            text: "hi".into(),
            is_final: true
        }
    );
}

#[test]
fn command_json_shape() {
    let cmd: Command = from_json(
        br#"{"trace_id":"t","session_id":"s","user_id":"demo","action":"order_food",
            "items":[{"name":"cheeseburger","quantity":2}],"address":"221B Baker Street"}"#,
    )
    .unwrap();
    assert_eq!(cmd.domain(), "food");
    match &cmd.action {
        Action::OrderFood(order) => assert_eq!(order.items[0].quantity, 2),
        other => panic!("unexpected {other:?}"),
    }
}
