//! The two codecs: JSON for Kafka values and clients, bincode 2 for the
//! cluster. Topic values travel in a versioned envelope (`{"v":1,"data":...}`).
//! Decoding never panics: bad bytes are a [`CodecError`].

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The version of the topic value envelope.
pub const SCHEMA_VERSION: u16 = 1;
/// The content type of topic values.
pub const CONTENT_TYPE: &str = "application/json";
/// The largest bincode message errand decodes (protects against hostile lengths).
pub const MAX_BINARY_LEN: usize = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid binary message: {0}")]
    Decode(#[from] bincode::error::DecodeError),
    #[error("cannot encode: {0}")]
    Encode(#[from] bincode::error::EncodeError),
    #[error("unsupported schema version {found} (this build reads {SCHEMA_VERSION})")]
    Version { found: u16 },
}

/// JSON bytes of `value`.
pub fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising errand's own types cannot fail: no maps with non-string
    // keys, no non-finite floats reach here.
    serde_json::to_vec(value).unwrap_or_default()
}

/// Decodes JSON bytes.
pub fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    Ok(serde_json::from_slice(bytes)?)
}

#[derive(Serialize)]
struct WireOut<'a, T> {
    v: u16,
    data: &'a T,
}

#[derive(serde::Deserialize)]
struct WireIn<T> {
    v: u16,
    data: T,
}

/// A topic value: `{"v":1,"data":<value>}`.
pub fn encode_record<T: Serialize>(value: &T) -> Vec<u8> {
    to_json(&WireOut {
        v: SCHEMA_VERSION,
        data: value,
    })
}

/// Decodes a topic value, checking its schema version.
///
/// One pass in the usual case: the value is decoded straight into `T`. Only
/// when that fails is the envelope read alone, so a record of another
/// version is reported as such rather than as a shape `T` does not have.
pub fn decode_record<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    match from_json::<WireIn<T>>(bytes) {
        Ok(wire) if wire.v == SCHEMA_VERSION => Ok(wire.data),
        Ok(wire) => Err(CodecError::Version { found: wire.v }),
        Err(e) => match from_json::<WireIn<serde::de::IgnoredAny>>(bytes) {
            Ok(wire) if wire.v != SCHEMA_VERSION => Err(CodecError::Version { found: wire.v }),
            _ => Err(e),
        },
    }
}

fn bin_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_BINARY_LEN>()
}

/// bincode 2 bytes of `value` (the cluster's wire format).
pub fn to_bincode<T: bincode::Encode>(value: &T) -> Result<Vec<u8>, CodecError> {
    Ok(bincode::encode_to_vec(value, bin_config())?)
}

/// Decodes bincode 2 bytes; trailing bytes are an error.
pub fn from_bincode<T: bincode::Decode<()>>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, read) = bincode::decode_from_slice(bytes, bin_config())?;
    if read != bytes.len() {
        return Err(CodecError::Decode(
            bincode::error::DecodeError::OtherString(format!(
                "{} trailing bytes",
                bytes.len() - read
            )),
        ));
    }
    Ok(value)
}
