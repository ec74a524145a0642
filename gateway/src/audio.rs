//! Audio for `/v1/ws/mic`: a WAV file, or raw 16-bit little-endian PCM at
//! 16 kHz mono (wrapped into WAV here), checked against the limits before
//! it goes to speech-to-text.

use errand_schemas::{ErrorBody, ErrorCode};

/// Raw PCM is taken to be 16-bit mono at this rate.
pub const PCM_RATE: u32 = 16_000;

/// A recording ready for speech-to-text (a WAV file), or why not.
pub fn prepare(bytes: &[u8], max_seconds: u32, max_bytes: usize) -> Result<Vec<u8>, ErrorBody> {
    if bytes.len() > max_bytes {
        return Err(too_long(format!(
            "The recording has {} bytes; the limit is {max_bytes}.",
            bytes.len()
        )));
    }
    let (wav, seconds) = if bytes.starts_with(b"RIFF") {
        let seconds = wav_seconds(bytes).ok_or_else(|| {
            ErrorBody::new(
                ErrorCode::AudioUnreadable,
                "The recording starts like a WAV file but its header is not one (PCM WAV expected).",
            )
        })?;
        (bytes.to_vec(), seconds)
    } else {
        if !bytes.len().is_multiple_of(2) {
            return Err(ErrorBody::new(
                ErrorCode::AudioUnreadable,
                "Raw audio must be 16-bit PCM (an even number of bytes) at 16 kHz, or a WAV file.",
            ));
        }
        let seconds = bytes.len() as f64 / f64::from(PCM_RATE * 2);
        (wav_from_pcm(bytes, PCM_RATE), seconds)
    };
    if seconds > f64::from(max_seconds) {
        return Err(too_long(format!(
            "The recording lasts {seconds:.1} s; the limit is {max_seconds} s."
        )));
    }
    if seconds < 0.1 {
        return Err(ErrorBody::new(
            ErrorCode::AudioUnreadable,
            "The recording is too short to hold speech.",
        ));
    }
    Ok(wav)
}

fn too_long(message: String) -> ErrorBody {
    ErrorBody::new(ErrorCode::AudioTooLong, message)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The duration of a PCM WAV file, from its `fmt ` and `data` chunks.
fn wav_seconds(b: &[u8]) -> Option<f64> {
    if b.get(8..12)? != b"WAVE" {
        return None;
    }
    let (mut at, mut byte_rate, mut data) = (12usize, None, None);
    while at + 8 <= b.len() {
        let id = b.get(at..at + 4)?;
        let size = u32_at(b, at + 4)? as usize;
        match id {
            b"fmt " => {
                let format = u16_at(b, at + 8)?;
                if format != 1 && format != 0xfffe {
                    return None; // not PCM
                }
                byte_rate = Some(u32_at(b, at + 16)?);
            }
            // Streamed WAV (espeak-ng to a pipe) leaves the size unset.
            b"data" => data = Some(size.min(b.len() - (at + 8))),
            _ => {}
        }
        at = at.checked_add(8 + size + (size & 1))?;
    }
    let (rate, data) = (byte_rate?, data?);
    (rate > 0).then(|| data as f64 / f64::from(rate))
}

/// A WAV header in front of 16-bit mono PCM at `rate`.
pub fn wav_from_pcm(pcm: &[u8], rate: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(44 + pcm.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + pcm.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(pcm.len() as u32).to_le_bytes());
    out.extend_from_slice(pcm);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcm_is_wrapped_and_measured() {
        let second = vec![0u8; 32_000];
        let wav = prepare(&second, 30, 1 << 20).unwrap();
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(wav_seconds(&wav), Some(1.0));
        assert_eq!(
            prepare(&wav, 30, 1 << 20).unwrap(),
            wav,
            "a WAV file passes as it is"
        );
    }

    #[test]
    fn limits_and_garbage_have_codes() {
        let long = vec![0u8; 32_000 * 3];
        assert_eq!(
            prepare(&long, 2, 1 << 20).unwrap_err().code,
            ErrorCode::AudioTooLong
        );
        assert_eq!(
            prepare(&long, 30, 1000).unwrap_err().code,
            ErrorCode::AudioTooLong
        );
        assert_eq!(
            prepare(&[1, 2, 3], 30, 1000).unwrap_err().code,
            ErrorCode::AudioUnreadable
        );
        let mut bad = b"RIFF\0\0\0\0WAVEjunk".to_vec();
        bad.extend_from_slice(&[0; 40]);
        assert_eq!(
            prepare(&bad, 30, 1 << 20).unwrap_err().code,
            ErrorCode::AudioUnreadable
        );
        assert_eq!(
            prepare(&[0; 100], 30, 1 << 20).unwrap_err().code,
            ErrorCode::AudioUnreadable,
            "too short"
        );
    }
}
