//! Voice through `/v1/ws/mic`: speech synthesised by espeak-ng goes to the
//! local faster-whisper server (OpenAI's transcription protocol) and the
//! dialogue goes on as for text; recordings over the limits, garbage and a
//! missing speech-to-text service get their error codes.

use errand_actors::speech::SpeechConfig;
use errand_harness::{TestStack, secs};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::net::SocketAddr;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn stt_url() -> String {
    std::env::var("ERRAND_TEST_STT_URL").expect(
        "ERRAND_TEST_STT_URL: scripts/test starts the speech-to-text server (scripts/stt/run)",
    )
}

async fn serve(
    configure: impl FnOnce(&mut errand_cluster::NodeOptions),
) -> (TestStack, SocketAddr) {
    let stack = TestStack::start_with(configure).await;
    let addr = stack.http_addr();
    (stack, addr)
}

async fn mic(addr: SocketAddr, session: &str) -> Socket {
    let (socket, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/v1/ws/mic?session={session}"))
            .await
            .unwrap();
    socket
}

async fn expect(socket: &mut Socket, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + secs(30);
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("no {what}"))
            .expect("open")
            .unwrap();
        if let Message::Text(text) = frame {
            let event: Value = serde_json::from_str(&text).unwrap();
            if matches(&event) {
                return event;
            }
        }
    }
}

async fn send_audio(socket: &mut Socket, audio: &[u8]) {
    for chunk in audio.chunks(8 * 1024) {
        socket
            .send(Message::Binary(chunk.to_vec().into()))
            .await
            .unwrap();
    }
    socket
        .send(Message::Text(r#"{"type":"audio_end"}"#.into()))
        .await
        .unwrap();
}

fn speak(text: &str) -> Vec<u8> {
    let path = std::env::temp_dir().join(format!("errand-speech-{}.wav", std::process::id()));
    let status = std::process::Command::new("espeak-ng")
        .arg("-w")
        .arg(&path)
        .arg(text)
        .status()
        .expect("espeak-ng (scripts/test installs it)");
    assert!(status.success());
    let wav = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).ok();
    wav
}

#[tokio::test]
async fn spoken_order_me_a_burger_reaches_the_address_question() {
    let url = stt_url();
    let (stack, addr) = serve(|o| o.stt = Some(SpeechConfig::new(url))).await;
    let mut socket = mic(addr, "s-voice").await;
    send_audio(&mut socket, &speak("order me a burger")).await;
    let heard = expect(&mut socket, "the transcript", |e| e["type"] == "transcript").await;
    assert_eq!(heard["final"], true);
    let text = heard["text"].as_str().unwrap().to_lowercase();
    assert!(
        text.contains("order") && text.contains("burger"),
        "heard {text:?}"
    );
    let question = expect(&mut socket, "the question", |e| e["type"] == "clarify").await;
    assert_eq!(question["intent"], "order_food");
    assert_eq!(question["missing"], serde_json::json!(["address"]));
    stack.shutdown().await;
}

#[tokio::test]
async fn bad_or_oversized_audio_and_a_missing_service_get_error_codes() {
    let url = stt_url();
    let (stack, addr) = serve(|o| {
        o.stt = Some(SpeechConfig::new(url));
        o.limits.max_audio_seconds = 1;
        o.limits.max_audio_bytes = 64 * 1024;
    })
    .await;
    let mut socket = mic(addr, "s-audio-limits").await;
    let code = |code: &'static str| move |e: &Value| e["type"] == "error" && e["code"] == code;
    // 1.5 s of silence at 16 kHz, 16-bit: over the one-second limit.
    send_audio(&mut socket, &vec![0u8; 48_000]).await;
    expect(&mut socket, "audio_too_long", code("audio_too_long")).await;
    // Over the byte limit: dropped as it arrives, one error.
    send_audio(&mut socket, &vec![0u8; 100_000]).await;
    expect(
        &mut socket,
        "audio_too_long (bytes)",
        code("audio_too_long"),
    )
    .await;
    // Neither WAV nor 16-bit PCM.
    send_audio(&mut socket, &[1, 2, 3]).await;
    expect(&mut socket, "audio_unreadable", code("audio_unreadable")).await;
    // And the socket still works: a typed final transcript is reasoned.
    socket
        .send(Message::Text(r#"{"type":"transcript","text":"book a cab from Baker Street to King's Cross","final":true}"#.into()))
        .await
        .unwrap();
    expect(&mut socket, "the ride's ack", |e| e["type"] == "ack").await;
    stack.shutdown().await;

    let (stack, addr) = serve(|_| {}).await;
    let mut socket = mic(addr, "s-no-stt").await;
    socket
        .send(Message::Binary(vec![0u8; 3200].into()))
        .await
        .unwrap();
    expect(
        &mut socket,
        "speech_unavailable",
        code("speech_unavailable"),
    )
    .await;
    stack.shutdown().await;
}
