//! The gateway over real sockets: a WebSocket client on `/v1/ws/text` and
//! plain HTTP for the status API and health, against a server on a free port.

use errand_harness::{TestStack, secs};
use errand_schemas::{Action, Command, FoodOrder, ItemRequest, SessionId, TraceId};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

struct Server {
    addr: SocketAddr,
    stack: TestStack,
}

async fn server() -> Server {
    server_with(|_| {}).await
}

async fn server_with(configure: impl FnOnce(&mut errand_cluster::NodeOptions)) -> Server {
    let stack = TestStack::start_with(configure).await;
    let addr = stack.http_addr();
    Server { addr, stack }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(addr: SocketAddr, session: &str) -> Socket {
    let (socket, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/v1/ws/text?session={session}"))
            .await
            .expect("websocket connects");
    socket
}

/// The next JSON event satisfying `matches`.
async fn expect(socket: &mut Socket, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                let event: Value = serde_json::from_str(&text).expect("server frames are JSON");
                if matches(&event) {
                    return event;
                }
                seen.push(event);
            }
            Ok(Some(Ok(_))) => {}
            other => panic!("no {what}: {other:?}; got {seen:#?}"),
        }
    }
}

async fn http_get(addr: SocketAddr, path: &str) -> (u16, String, Value) {
    let r = errand_harness::http::get(addr, path).await;
    (r.status, r.content_type.clone(), r.json())
}

async fn http_text(addr: SocketAddr, path: &str) -> String {
    errand_harness::http::get(addr, path).await.body
}

#[tokio::test]
async fn a_malformed_frame_gets_an_error_and_the_same_socket_completes_a_dialogue() {
    let s = server().await;
    let mut ws = connect(s.addr, "ws-1").await;
    ws.send(Message::text("{this is not json")).await.unwrap();
    let error = expect(&mut ws, "error", |e| e["type"] == "error").await;
    assert_eq!(error["code"], "malformed_json");
    ws.send(Message::text(r#"{"type":"teleport","to":"mars"}"#))
        .await
        .unwrap();
    assert_eq!(
        expect(&mut ws, "error", |e| e["type"] == "error").await["code"],
        "unknown_type"
    );
    ws.send(Message::text(r#"{"type":"utterance","text":42}"#))
        .await
        .unwrap();
    assert_eq!(
        expect(&mut ws, "error", |e| e["type"] == "error").await["code"],
        "invalid_message"
    );
    ws.send(Message::binary(vec![0xff, 0xfe, 0x00]))
        .await
        .unwrap();
    assert_eq!(
        expect(&mut ws, "error", |e| e["type"] == "error").await["code"],
        "not_utf8"
    );
    ws.send(Message::text("   ")).await.unwrap();
    assert_eq!(
        expect(&mut ws, "error", |e| e["type"] == "error").await["code"],
        "empty_utterance"
    );
    ws.send(Message::text("pizza ".repeat(300))).await.unwrap();
    assert_eq!(
        expect(&mut ws, "error", |e| e["type"] == "error").await["code"],
        "utterance_too_long"
    );

    ws.send(Message::text(
        r#"{"type":"utterance","text":"order me a burger"}"#,
    ))
    .await
    .unwrap();
    let question = expect(&mut ws, "clarify", |e| e["type"] == "clarify").await;
    assert_eq!(question["missing"][0], "address");
    let trace = question["trace_id"].as_str().unwrap().to_owned();
    ws.send(Message::text("221B Baker Street")).await.unwrap();
    let confirm = expect(&mut ws, "confirm", |e| e["type"] == "confirm").await;
    assert_eq!(confirm["trace_id"], trace.as_str());
    assert_eq!(confirm["summary"]["merchant"], "Burger Barn");
    // A button press names its trace: a stale one is refused politely.
    ws.send(Message::text(
        r#"{"type":"confirm","trace_id":"not-a-command"}"#,
    ))
    .await
    .unwrap();
    let stale = expect(&mut ws, "a reply", |e| e["type"] == "reply").await;
    assert!(
        stale["text"]
            .as_str()
            .unwrap()
            .contains("no longer waiting")
    );
    ws.send(Message::text(
        serde_json::json!({"type": "confirm", "trace_id": trace}).to_string(),
    ))
    .await
    .unwrap();
    let done = expect(&mut ws, "confirmed", |e| {
        e["type"] == "status" && e["status"] == "confirmed"
    })
    .await;
    assert_eq!(done["trace_id"], trace.as_str());
    assert!(done["result"]["order_id"].is_string());
    assert!(
        done["seq"].as_u64().unwrap() > question["seq"].as_u64().unwrap(),
        "seq grows"
    );

    let (status, _, command) = http_get(s.addr, &format!("/v1/commands/{trace}")).await;
    assert_eq!(status, 200);
    assert_eq!(command["status"], "confirmed");
    let history: Vec<&str> = command["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        [
            "received",
            "awaiting_clarification",
            "understood",
            "awaiting_confirmation",
            "dispatched",
            "confirmed"
        ]
    );
    assert!(command["history"][0]["at_ms"].as_u64().unwrap() > 0);
    s.stack.shutdown().await;
}

#[tokio::test]
async fn the_cab_and_the_weather_over_a_real_socket() {
    let s = server().await;
    let mut ws = connect(s.addr, "ws-2").await;
    ws.send(Message::text("book a cab from home to the airport"))
        .await
        .unwrap();
    // The first event is the utterance's ack, before its `received` step.
    let first = expect(&mut ws, "an event", |_| true).await;
    assert_eq!(first["type"], "ack", "{first}");
    let confirm = expect(&mut ws, "confirm", |e| e["type"] == "confirm").await;
    assert!(confirm["summary"]["fare"].as_i64().unwrap() > 0);
    ws.send(Message::text("yes please")).await.unwrap();
    let done = expect(&mut ws, "confirmed", |e| {
        e["type"] == "status" && e["status"] == "confirmed"
    })
    .await;
    assert!(done["result"]["booking_id"].is_string());
    assert!(done["result"]["fare"].is_i64());
    ws.send(Message::text("what's the weather tomorrow"))
        .await
        .unwrap();
    let declined = expect(&mut ws, "declined", |e| {
        e["type"] == "status" && e["status"] == "declined"
    })
    .await;
    let reply = expect(&mut ws, "reply", |e| e["type"] == "reply").await;
    assert_eq!(reply["trace_id"], declined["trace_id"]);
    let metrics = http_text(s.addr, "/metrics").await;
    assert!(
        metrics.contains(r#"errand_command_latency_ms_count{domain="ride",status="confirmed"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"errand_sockets 1"#));
    assert!(
        metrics.contains(r#"errand_http_requests_total{route="/v1/ws/text",status="101"} 1"#),
        "{metrics}"
    );
    s.stack.shutdown().await;
}

#[tokio::test]
async fn status_api_health_and_unknown_routes() {
    let s = server().await;
    let (status, content_type, body) = http_get(s.addr, "/v1/commands/no-such-trace").await;
    assert_eq!(status, 404);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["code"], "not_found");
    assert_eq!(http_get(s.addr, "/healthz").await.0, 200);
    let (status, _, ready) = http_get(s.addr, "/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(ready["ready"], true);
    let metrics = http_text(s.addr, "/metrics").await;
    assert!(
        metrics.contains("errand_consumer_lag{group=\"errand-router\",topic=\"agent.cmd\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("errand_sockets 0"));
    assert!(metrics.contains("errand_ready 1"));
    let (status, _, body) = http_get(s.addr, "/v1/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "not_found");
    s.stack.shutdown().await;
}

#[tokio::test]
async fn two_nodes_in_one_process_count_their_own_metrics() {
    let (a, b) = (server().await, server().await);
    for _ in 0..2 {
        assert_eq!(http_get(a.addr, "/healthz").await.0, 200);
    }
    let (status, _) = http_post(a.addr, "/v1/sessions/m/utterances", r#"{"text":"  "}"#).await;
    assert_eq!(status, 400);
    assert_eq!(http_get(b.addr, "/readyz").await.0, 200);

    let metrics = http_text(a.addr, "/metrics").await;
    for line in [
        r#"errand_http_requests_total{route="/healthz",status="200"} 2"#,
        r#"errand_http_requests_total{route="/v1/sessions/{session_id}/utterances",status="400"} 1"#,
        r#"errand_client_errors_total{code="empty_utterance"} 1"#,
        "# HELP errand_http_requests_total HTTP requests answered, by route and status.",
        "# TYPE errand_http_requests_total counter",
        "# HELP errand_sockets Open client sockets on this gateway.",
        "# TYPE errand_sockets gauge",
        "errand_sockets 0",
        "# TYPE errand_consumer_lag gauge",
        "# TYPE errand_client_errors_total counter",
        "# TYPE errand_ready gauge",
        "errand_ready 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in {metrics}");
    }
    assert!(!metrics.contains(r#"route="/readyz""#), "{metrics}");

    let metrics = http_text(b.addr, "/metrics").await;
    assert!(
        metrics.contains(r#"errand_http_requests_total{route="/readyz",status="200"} 1"#),
        "{metrics}"
    );
    assert!(!metrics.contains(r#"route="/healthz""#), "{metrics}");
    assert!(
        !metrics.contains("errand_client_errors_total{"),
        "{metrics}"
    );
    for s in [a, b] {
        s.stack.shutdown().await;
    }
}

#[tokio::test]
async fn shutdown_closes_sockets_with_a_reason() {
    let s = server().await;
    let mut ws = connect(s.addr, "ws-3").await;
    ws.send(Message::text("hello")).await.unwrap();
    expect(&mut ws, "a reply", |e| e["type"] == "reply").await;
    s.stack.node.begin_shutdown();
    let close = tokio::time::timeout(secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    })
    .await
    .expect("closed within 5 s")
    .expect("with a close frame");
    assert_eq!(u16::from(close.code), 1001);
    assert!(close.reason.contains("shutting down"));
    tokio::time::timeout(secs(15), s.stack.shutdown())
        .await
        .expect("the node stops");
}

async fn connect_path(addr: SocketAddr, path: &str) -> Socket {
    let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}{path}"))
        .await
        .expect("websocket connects");
    socket
}

#[tokio::test]
async fn the_mic_socket_echoes_partials_and_reasons_finals() {
    let s = server().await;
    let mut mic = connect_path(s.addr, "/v1/ws/mic?session=mic-1").await;
    mic.send(Message::text(
        r#"{"type":"transcript","text":"order me","final":false}"#,
    ))
    .await
    .unwrap();
    let partial = expect(&mut mic, "a partial", |e| e["type"] == "transcript").await;
    assert_eq!(partial["final"], false);
    assert_eq!(partial["text"], "order me");
    mic.send(Message::text(
        r#"{"type":"transcript","text":"order me a burger","final":true}"#,
    ))
    .await
    .unwrap();
    let final_echo = expect(&mut mic, "the final", |e| e["type"] == "transcript").await;
    assert_eq!(final_echo["final"], true);
    let question = expect(&mut mic, "clarify", |e| e["type"] == "clarify").await;
    assert_eq!(question["missing"][0], "address");
    // Audio without a speech-to-text service configured.
    mic.send(Message::binary(vec![0u8; 640])).await.unwrap();
    let error = expect(&mut mic, "error", |e| e["type"] == "error").await;
    assert_eq!(error["code"], "speech_unavailable");
    // A plain text frame on the mic is a final transcript: it answers.
    mic.send(Message::text("221B Baker Street")).await.unwrap();
    expect(&mut mic, "confirm", |e| e["type"] == "confirm").await;
    mic.send(Message::text("yes")).await.unwrap();
    let done = expect(&mut mic, "confirmed", |e| {
        e["type"] == "status" && e["status"] == "confirmed"
    })
    .await;
    assert_eq!(done["trace_id"], question["trace_id"]);
    s.stack.shutdown().await;
}

async fn http_post(addr: SocketAddr, path: &str, body: &str) -> (u16, Value) {
    let r = errand_harness::http::post(addr, path, &[], body).await;
    (r.status, r.json())
}

#[tokio::test]
async fn utterances_over_plain_http_and_events_as_server_sent_events() {
    let s = server().await;
    let (status, body) = http_post(
        s.addr,
        "/v1/sessions/http-1/utterances",
        r#"{"text":"book a cab from home to the airport"}"#,
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let trace = body["trace_id"].as_str().unwrap().to_owned();
    // The confirmation comes as an event; the yes goes over HTTP too.
    let deadline = tokio::time::Instant::now() + secs(10);
    loop {
        let (_, _, command) = http_get(s.addr, &format!("/v1/commands/{trace}")).await;
        if command["status"] == "awaiting_confirmation" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{command}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (status, _) = http_post(
        s.addr,
        "/v1/sessions/http-1/utterances",
        r#"{"text":"yes"}"#,
    )
    .await;
    assert_eq!(status, 202);

    // Events since the start of the session, then live ones.
    let mut stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let request = format!(
        "GET /v1/sessions/http-1/events?after_seq=0 HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        s.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + secs(10);
    while !seen.contains("\"status\":\"confirmed\"") {
        let n = tokio::time::timeout_at(deadline, stream.read(&mut buf))
            .await
            .expect("events within 10 s")
            .unwrap();
        assert!(n > 0, "the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.contains("text/event-stream"));
    assert!(seen.contains("event: ack"));
    assert!(seen.contains("event: confirm"));
    assert!(seen.contains("event: status"));
    assert!(seen.contains(&trace));
    let ids: Vec<u64> = (seen.lines())
        .filter_map(|l| l.strip_prefix("id: "))
        .map(|id| id.trim().parse().unwrap())
        .collect();
    assert!(
        !ids.is_empty() && ids.windows(2).all(|w| w[0] < w[1]),
        "{ids:?}"
    );
    for id in &ids {
        assert!(
            seen.contains(&format!("\"seq\":{id}")),
            "ids are the session's seq numbers: {id}"
        );
    }

    let (status, body) = http_post(s.addr, "/v1/sessions/http-1/utterances", "{not json").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("malformed_json"))
    );
    let (status, body) = http_post(
        s.addr,
        "/v1/sessions/http-1/utterances",
        r#"{"words":"hi"}"#,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_message"))
    );
    let (status, body) =
        http_post(s.addr, "/v1/sessions/http-1/utterances", r#"{"text":"  "}"#).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("empty_utterance"))
    );
    s.stack.shutdown().await;
}

async fn http_post_with(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, Value) {
    let r = errand_harness::http::post(addr, path, headers, body).await;
    (r.status, r.content_type.clone(), r.json())
}

#[tokio::test]
async fn rest_adapters_answer_with_the_result_and_honour_idempotency_keys() {
    let s = server().await;
    let order = r#"{"items":[{"name":"cheeseburger","quantity":2}],"address":"221B Baker Street"}"#;
    let key = [("Idempotency-Key", "order-1")];
    let (status, _, first) = http_post_with(s.addr, "/v1/food/orders", &key, order).await;
    assert_eq!(status, 201, "{first}");
    for field in ["order_id", "items", "total", "currency", "eta_minutes"] {
        assert!(!first[field].is_null(), "{field} at the top level: {first}");
    }
    // The same request again (formatted differently): the same order.
    let again_body = r#"{ "address": "221B Baker Street", "items": [ {"quantity": 2, "name": "cheeseburger"} ] }"#;
    let (status, _, again) = http_post_with(s.addr, "/v1/food/orders", &key, again_body).await;
    assert_eq!(status, 201);
    assert_eq!(again["order_id"], first["order_id"]);
    // The same key for something else: a conflict.
    let other = r#"{"items":[{"name":"pizza","quantity":1}],"address":"home"}"#;
    let (status, content_type, conflict) =
        http_post_with(s.addr, "/v1/food/orders", &key, other).await;
    assert_eq!(
        (status, conflict["code"].as_str()),
        (409, Some("idempotency_conflict"))
    );
    assert_eq!(content_type, "application/problem+json");
    // Without a key, each request is its own order.
    let (_, _, a) = http_post_with(s.addr, "/v1/food/orders", &[], order).await;
    let (_, _, b) = http_post_with(s.addr, "/v1/food/orders", &[], order).await;
    assert_ne!(a["order_id"], b["order_id"]);

    for (body, code) in [
        ("{nope", "malformed_json"),
        (r#"{"items":"burger","address":"home"}"#, "invalid_message"),
        (r#"{"items":[],"address":"home"}"#, "invalid_message"),
        (
            r#"{"items":[{"name":"burger","quantity":0}],"address":"home"}"#,
            "invalid_message",
        ),
        (
            r#"{"items":[{"name":"burger","quantity":1}]}"#,
            "invalid_message",
        ),
    ] {
        let (status, content_type, problem) =
            http_post_with(s.addr, "/v1/food/orders", &[], body).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (400, Some(code)),
            "{body}"
        );
        assert_eq!(content_type, "application/problem+json");
    }
    let (status, _, refused) = http_post_with(
        s.addr,
        "/v1/food/orders",
        &[],
        r#"{"items":[{"name":"burger","quantity":1}],"address":"Atlantis"}"#,
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (422, Some("unknown_place"))
    );

    let (status, _, ride) = http_post_with(
        s.addr,
        "/v1/ride/bookings",
        &[],
        r#"{"pickup":"home","destination":"the airport","ride_type":"xl"}"#,
    )
    .await;
    assert_eq!(status, 201, "{ride}");
    assert!(ride["booking_id"].is_string() && ride["fare"].is_i64());
    let (status, _, mart) = http_post_with(
        s.addr,
        "/v1/mart/orders",
        &[],
        r#"{"items":[{"name":"milk","quantity":2}],"address":"work"}"#,
    )
    .await;
    assert_eq!(status, 201, "{mart}");
    assert_eq!(mart["items"][0]["name"], "milk");
    let (status, _, charge) = http_post_with(
        s.addr,
        "/v1/payment/charges",
        &[("Idempotency-Key", "c-1")],
        r#"{"amount":1250,"currency":"GBP"}"#,
    )
    .await;
    assert_eq!(status, 201, "{charge}");
    let (_, _, same) = http_post_with(
        s.addr,
        "/v1/payment/charges",
        &[("Idempotency-Key", "c-1")],
        r#"{"amount":1250,"currency":"GBP"}"#,
    )
    .await;
    assert_eq!(same["charge_id"], charge["charge_id"]);
    let (status, _, over) = http_post_with(
        s.addr,
        "/v1/payment/charges",
        &[],
        r#"{"amount":9999999,"currency":"GBP"}"#,
    )
    .await;
    assert_eq!((status, over["code"].as_str()), (422, Some("over_limit")));
    assert!(over["detail"].as_str().unwrap().contains('£'), "{over}");
    let (_, _, over) = http_post_with(
        s.addr,
        "/v1/payment/charges",
        &[],
        r#"{"amount":9999999,"currency":"EUR"}"#,
    )
    .await;
    let detail = over["detail"].as_str().unwrap();
    assert!(detail.contains('€') && !detail.contains('£'), "{detail}");
    let (status, _, place) = http_get(s.addr, "/v1/location/resolve?q=the%20airport").await;
    assert_eq!(
        (status, place["name"].as_str()),
        (200, Some("Heathrow Airport"))
    );
    let (status, _, missing) = http_get(s.addr, "/v1/location/resolve?q=Atlantis").await;
    assert_eq!(
        (status, missing["code"].as_str()),
        (404, Some("unknown_place"))
    );
    s.stack.shutdown().await;
}

async fn http_get_auth(addr: SocketAddr, path: &str, token: Option<&str>) -> (u16, Value) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|b| ("Authorization", b.as_str()))
        .collect();
    let r = errand_harness::http::request(addr, "GET", path, &headers, "")
        .await
        .expect("an HTTP response");
    (r.status, r.json())
}

#[tokio::test]
async fn with_auth_on_a_subject_sees_only_its_own_commands() {
    let s = server_with(|o| {
        o.auth.tokens =
            errand_gateway::auth::Auth::parse_tokens("token-a:alice,token-b:bob").unwrap();
        o.auth.jwt = Some(errand_gateway::auth::JwtConfig {
            secret: b"a-long-enough-secret".to_vec(),
            audience: None,
        });
        o.allowed_origins = vec!["https://app.example".into()];
    })
    .await;
    let (status, body) = http_get_auth(s.addr, "/v1/commands/anything", None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    assert_eq!(
        http_get_auth(s.addr, "/healthz", None).await.0,
        200,
        "health stays open"
    );
    let (status, _, _) =
        http_post_with(s.addr, "/v1/sessions/s/utterances", &[], r#"{"text":"hi"}"#).await;
    assert_eq!(status, 401);

    let (status, _, body) = http_post_with(
        s.addr,
        "/v1/sessions/s/utterances",
        &[("Authorization", "Bearer token-a")],
        r#"{"text":"book a cab from home to the airport"}"#,
    )
    .await;
    assert_eq!(status, 202);
    let trace = body["trace_id"].as_str().unwrap().to_owned();
    let path = format!("/v1/commands/{trace}");
    assert_eq!(http_get_auth(s.addr, &path, Some("token-a")).await.0, 200);
    let (status, body) = http_get_auth(s.addr, &path, Some("token-b")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("not_found")),
        "bob cannot see alice's command"
    );

    // A signed JWT works the same; a forged one does not.
    let exp = errand_schemas::now_ms() / 1000 + 600;
    let jwt = errand_gateway::auth::sign_hs256(
        b"a-long-enough-secret",
        &serde_json::json!({"sub":"alice","exp":exp}),
    );
    assert_eq!(http_get_auth(s.addr, &path, Some(&jwt)).await.0, 200);
    let forged = errand_gateway::auth::sign_hs256(
        b"not-the-secret-at-all",
        &serde_json::json!({"sub":"alice","exp":exp}),
    );
    assert_eq!(http_get_auth(s.addr, &path, Some(&forged)).await.0, 401);

    // Sockets: a token in the query, and only from allowed origins.
    assert!(
        tokio_tungstenite::connect_async(format!("ws://{}/v1/ws/text", s.addr))
            .await
            .is_err(),
        "no token, no socket"
    );
    let mut ws = connect_path(s.addr, "/v1/ws/text?session=s&token=token-b").await;
    ws.send(Message::text("what's the weather")).await.unwrap();
    let declined = expect(&mut ws, "declined", |e| {
        e["type"] == "status" && e["status"] == "declined"
    })
    .await;
    let theirs = format!("/v1/commands/{}", declined["trace_id"].as_str().unwrap());
    assert_eq!(http_get_auth(s.addr, &theirs, Some("token-b")).await.0, 200);
    assert_eq!(http_get_auth(s.addr, &theirs, Some("token-a")).await.0, 404);
    let mut request = format!("ws://{}/v1/ws/text?token=token-a", s.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Origin", "https://evil.example".parse().unwrap());
    assert!(
        tokio_tungstenite::connect_async(request).await.is_err(),
        "a foreign origin is refused"
    );
    s.stack.shutdown().await;
}

#[tokio::test]
async fn limits_rate_sockets_per_client_and_idle_sockets() {
    let s = server_with(|o| {
        o.limits.utterance_burst = 3.0;
        o.limits.utterances_per_second = 0.1;
        o.limits.max_sockets_per_client = 2;
        o.limits.idle_timeout = Duration::from_millis(300);
    })
    .await;
    // Three at once, then the bucket is empty: a rate_limited error, the
    // socket stays open.
    let mut ws = connect_path(s.addr, "/v1/ws/text?session=limits").await;
    for _ in 0..3 {
        ws.send(Message::text("what's the weather")).await.unwrap();
        expect(&mut ws, "ack", |e| e["type"] == "ack").await;
    }
    ws.send(Message::text("what's the weather")).await.unwrap();
    let limited = expect(&mut ws, "error", |e| e["type"] == "error").await;
    assert_eq!(limited["code"], "rate_limited");
    let (status, _, body) = http_post_with(
        s.addr,
        "/v1/sessions/limits/utterances",
        &[],
        r#"{"text":"hello"}"#,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")));

    // Two sockets per client: the third is refused.
    let _second = connect_path(s.addr, "/v1/ws/text?session=other").await;
    let third = tokio_tungstenite::connect_async(format!("ws://{}/v1/ws/text", s.addr)).await;
    match third {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429)
        }
        other => panic!("the third socket is refused: {other:?}"),
    }
    // An event stream holds a socket too, and counts against the limit.
    let stream = tokio::time::timeout(
        secs(5),
        errand_harness::http::get(s.addr, "/v1/sessions/other/events"),
    )
    .await
    .expect("an event stream over the limit is answered at once");
    assert_eq!(
        (stream.status, stream.json()["code"].as_str()),
        (429, Some("rate_limited"))
    );

    // A socket that says nothing is closed.
    let close = tokio::time::timeout(secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    })
    .await
    .expect("closed when idle")
    .expect("with a reason");
    assert_eq!(close.reason.as_str(), "idle timeout");
    s.stack.shutdown().await;
}

/// One request through the router itself, no socket.
async fn oneshot(app: &axum::Router, method: &str, path: &str, body: &str) -> (u16, Value) {
    use tower::ServiceExt;
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_openapi_document_is_the_routers_own() {
    let stack = TestStack::start().await;
    let app = errand_gateway::app(stack.node.gateway.clone().expect("a gateway"));
    let (status, doc) = oneshot(&app, "GET", "/v1/openapi.json", "").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc,
        serde_json::to_value(errand_gateway::app::document()).unwrap(),
        "the served document is the one made from the routes"
    );
    let methods = ["get", "post", "put", "delete", "patch"];
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{trace_id}", "t").replace("{session_id}", "s");
        for method in methods {
            let documented = item[method].is_object();
            if path.starts_with("/v1/ws/") || path.ends_with("/events") {
                // Upgrades and streams are exercised by their own tests.
                continue;
            }
            let (status, body) = oneshot(&app, &method.to_uppercase(), &concrete, "{}").await;
            if documented {
                operations += 1;
                assert!(
                    !(status == 404 && body["detail"] == "No such route.") && status != 405,
                    "{method} {path} is documented and routed ({status} {body})"
                );
            } else {
                assert_eq!(status, 405, "{method} {path} is not routed: {body}");
                assert_eq!(body["code"], "method_not_allowed");
            }
        }
    }
    assert!(operations >= 17, "{operations} operations documented");
    for route in [
        "/v1/food/orders",
        "/v1/ride/bookings",
        "/v1/mart/orders",
        "/v1/payment/charges",
        "/v1/location/resolve",
        "/v1/commands/{trace_id}",
        "/v1/commands/{trace_id}/cancel",
        "/v1/sessions/{session_id}/utterances",
        "/v1/sessions/{session_id}/events",
        "/v1/ws/text",
        "/v1/ws/mic",
        "/v1/hello",
        "/v1/cluster",
        "/healthz",
        "/readyz",
        "/metrics",
        "/v1/openapi.json",
    ] {
        assert!(doc["paths"][route].is_object(), "{route}");
    }
    // Bodies and answers are the handlers' own types.
    let food = &doc["paths"]["/v1/food/orders"]["post"];
    let schema_of = |v: &Value| v["content"]["application/json"]["schema"]["$ref"].clone();
    assert_eq!(
        schema_of(&food["requestBody"]),
        "#/components/schemas/FoodOrder"
    );
    assert_eq!(
        schema_of(&food["responses"]["201"]),
        "#/components/schemas/ResultBody"
    );
    assert_eq!(
        food["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
    for schema in [
        "FoodOrder",
        "ItemRequest",
        "ResultBody",
        "Problem",
        "ErrorCode",
        "CommandState",
        "ChargeBody",
        "Charge",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} in components"
        );
    }
    assert!(doc["components"]["schemas"]["FoodOrder"]["properties"]["items"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // An unknown route and a wrong method are problems with stable codes.
    let (status, body) = oneshot(&app, "GET", "/v1/nowhere", "").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    let (status, body) = oneshot(&app, "DELETE", "/v1/food/orders", "").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn a_node_that_is_not_a_gateway_serves_its_health_metrics_and_cluster_where_told() {
    let stack = TestStack::start_with(|o| {
        o.roles.remove(&errand_cluster::Role::Gateway);
    })
    .await;
    assert!(stack.node.gateway.is_none(), "no front door here");
    let addr = stack.http_addr();
    let (status, _, ready) = http_get(addr, "/readyz").await;
    assert_eq!((status, &ready["ready"]), (200, &json!(true)), "{ready}");
    let (status, _, alive) = http_get(addr, "/healthz").await;
    assert_eq!((status, &alive["status"]), (200, &json!("ok")));
    let (status, _, cluster) = http_get(addr, "/v1/cluster").await;
    assert_eq!(status, 200, "{cluster}");
    let metrics = http_text(addr, "/metrics").await;
    assert!(metrics.contains("errand_ready 1"), "{metrics}");
    assert!(
        metrics.contains(r#"errand_http_requests_total{route="/readyz",status="200"} 1"#),
        "{metrics}"
    );
    // No conversation and no commands on a node that is not a gateway.
    for path in ["/v1/hello", "/v1/openapi.json"] {
        let (status, _, body) = http_get(addr, path).await;
        assert_eq!(
            (status, &body["code"]),
            (404, &json!("not_found")),
            "{path}"
        );
    }
    // The listener is a supervised role of its own, seen in the live tree.
    let (status, _, tree) = http_get(addr, "/v1/tree").await;
    assert_eq!((status, &tree["name"]), (200, &json!("errand")), "{tree}");
    let roles = tree["children"].as_array().unwrap();
    let http = roles
        .iter()
        .find(|r| r["name"] == "http")
        .expect("an http role");
    assert_eq!(http["running"], true, "{http}");
    assert_eq!(http["children"][0]["name"], "http", "{http}");
    assert!(roles.iter().all(|r| r["name"] != "gateway"), "{tree}");
    stack.shutdown().await;
}

#[tokio::test]
async fn a_domain_served_by_an_external_http_service() {
    // The provider speaks errand's REST contract (here: another errand).
    let provider = server().await;
    let url = format!("http://{}", provider.addr);
    let stack = TestStack::start_with(|o| o.use_http_agent("food", &url).unwrap()).await;
    let mut person = stack.client("http-agent");
    let trace = person
        .say("order me 2 burgers to 221B Baker Street")
        .await
        .unwrap();
    // Priced by the provider before the yes (POST /v1/food/orders/quote).
    let confirm = person.approve(trace.as_str()).await;
    assert_eq!(confirm["summary"]["merchant"], "Burger Barn");
    assert_eq!(confirm["summary"]["total"], 2 * 899 + 299);
    let done = person
        .expect_status(trace.as_str(), "confirmed", secs(10))
        .await;
    assert!(done["result"]["order_id"].is_string());
    assert_eq!(done["result"]["items"][0]["quantity"], 2);
    // The trace id goes as the Idempotency-Key: a retried command is the
    // same order at the provider.
    let command = Command {
        trace_id: TraceId::generate(),
        session_id: SessionId("http-agent".into()),
        user_id: "demo".into(),
        action: Action::OrderFood(FoodOrder {
            items: vec![ItemRequest::new("burger", 2)],
            restaurant: None,
            cuisine: None,
            address: "221B Baker Street".into(),
            instructions: None,
        }),
        issued_at_ms: 0,
        turn: 1,
        deadline_ms: None,
    };
    let agent = errand_actors::agents::http::HttpAgent::new(
        stack.node.options.registry.spec("food").unwrap().clone(),
        &url,
        secs(5),
    )
    .unwrap();
    use errand_actors::registry::DomainAgent;
    let services = stack.node.services.clone().unwrap();
    let errand_schemas::ResultBody::Order(first) =
        agent.execute(&command, &services).await.unwrap()
    else {
        panic!("an order")
    };
    let errand_schemas::ResultBody::Order(again) =
        agent.execute(&command, &services).await.unwrap()
    else {
        panic!("an order")
    };
    assert_eq!(again.order_id, first.order_id);
    // A refusal with a code is an answer, not a retry.
    let nowhere = Command {
        trace_id: TraceId::generate(),
        action: Action::OrderFood(FoodOrder {
            items: vec![ItemRequest::new("burger", 1)],
            restaurant: None,
            cuisine: None,
            address: "Atlantis".into(),
            instructions: None,
        }),
        ..command
    };
    let refused = agent.execute(&nowhere, &services).await.unwrap_err();
    assert_eq!(refused.code.as_str(), "unknown_place");
    stack.shutdown().await;
    provider.stack.shutdown().await;
}

#[tokio::test]
async fn oversized_frames_and_bodies_are_refused_with_codes() {
    let s = server().await;
    let mut ws = connect_path(s.addr, "/v1/ws/text?session=big").await;
    ws.send(Message::text("x".repeat(100 * 1024)))
        .await
        .unwrap();
    let error = expect(&mut ws, "error", |e| e["type"] == "error").await;
    assert_eq!(error["code"], "frame_too_large");
    ws.send(Message::text("what's the weather")).await.unwrap();
    expect(&mut ws, "the socket still works", |e| {
        e["type"] == "status" && e["status"] == "declined"
    })
    .await;

    // Beyond what a socket reads at all: the error, then a 1009 close.
    ws.send(Message::text("x".repeat(2 << 20))).await.unwrap();
    let error = expect(&mut ws, "error", |e| e["type"] == "error").await;
    assert_eq!(error["code"], "frame_too_large");
    assert_eq!(close_code(&mut ws).await, 1009);

    // A text frame that is not UTF-8: not_utf8, then a 1007 close.
    let mut ws = connect_path(s.addr, "/v1/ws/text?session=bytes").await;
    let frame = tokio_tungstenite::tungstenite::protocol::frame::Frame::message(
        vec![b'h', b'i', 0xff, 0xfe],
        tokio_tungstenite::tungstenite::protocol::frame::coding::OpCode::Data(
            tokio_tungstenite::tungstenite::protocol::frame::coding::Data::Text,
        ),
        true,
    );
    ws.send(Message::Frame(frame)).await.unwrap();
    let error = expect(&mut ws, "error", |e| e["type"] == "error").await;
    assert_eq!(error["code"], "not_utf8");
    assert_eq!(close_code(&mut ws).await, 1007);

    // A session id too long to keep is refused, not silently replaced.
    let long = "s".repeat(200);
    match tokio_tungstenite::connect_async(format!("ws://{}/v1/ws/text?session={long}", s.addr))
        .await
    {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 400)
        }
        other => panic!("an over-long session id is refused: {other:?}"),
    }

    let big = format!(r#"{{"text":"{}"}}"#, "x".repeat(100 * 1024));
    let (status, content_type, body) =
        http_post_with(s.addr, "/v1/sessions/big/utterances", &[], &big).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (413, Some("frame_too_large"))
    );
    assert_eq!(content_type, "application/problem+json");
    let (status, content_type, body) = http_post_with(s.addr, "/healthz", &[], "{}").await;
    assert_eq!(status, 405);
    assert_eq!(content_type, "application/problem+json");
    assert!(body["code"].is_string());
    s.stack.shutdown().await;
}

#[test]
fn errand_up_refuses_a_public_address_without_authentication() {
    let out = std::process::Command::new(errand_harness::errand_binary())
        .args(["up", "--listen", "0.0.0.0:0"])
        .env("ERRAND_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("without authentication"), "{stderr}");
    assert!(stderr.contains("--insecure"));
}

#[test]
fn errand_up_on_a_taken_port_exits_non_zero_and_says_why() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = std::process::Command::new(errand_harness::errand_binary())
        .args(["up", "--listen", &addr])
        .env("ERRAND_LOG", "warn")
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        format!(
            "errand: cannot start the supervision tree: cannot listen on {addr}: \
             Address already in use (os error 98)"
        )
    );
}

#[tokio::test]
async fn a_placed_order_is_cancelled_over_http_and_refunded_once() {
    let s = server().await;
    let mut ws = connect(s.addr, "http-cancel").await;
    ws.send(Message::text("order me 2 burgers to work"))
        .await
        .unwrap();
    let confirm = expect(&mut ws, "confirm", |e| e["type"] == "confirm").await;
    let trace = confirm["trace_id"].as_str().unwrap().to_owned();
    ws.send(Message::text(
        json!({"type": "confirm", "trace_id": trace}).to_string(),
    ))
    .await
    .unwrap();
    expect(&mut ws, "confirmed", |e| {
        e["type"] == "status" && e["status"] == "confirmed"
    })
    .await;

    let path = format!("/v1/commands/{trace}/cancel");
    let (status, _, state) = http_post_with(s.addr, &path, &[], "").await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["status"], "cancelled");
    assert_eq!(state["result"]["refund"], 2 * 899 + 299);
    let event = expect(&mut ws, "cancelled", |e| {
        e["type"] == "status" && e["status"] == "cancelled"
    })
    .await;
    assert_eq!(event["trace_id"], trace.as_str());
    // Again: the same state, nothing refunded twice.
    let (status, _, again) = http_post_with(s.addr, &path, &[], "").await;
    assert_eq!(status, 200);
    assert_eq!(again["history"], state["history"]);
    let (status, _, missing) =
        http_post_with(s.addr, "/v1/commands/no-such-trace/cancel", &[], "").await;
    assert_eq!((status, missing["code"].as_str()), (404, Some("not_found")));

    // A command still waiting for its yes is dropped.
    ws.send(Message::text("book a cab from home to the airport"))
        .await
        .unwrap();
    let confirm = expect(&mut ws, "confirm", |e| e["type"] == "confirm").await;
    let ride = confirm["trace_id"].as_str().unwrap().to_owned();
    let (status, _, state) =
        http_post_with(s.addr, &format!("/v1/commands/{ride}/cancel"), &[], "").await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["status"], "cancelled");
    assert!(
        state["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["status"] != "dispatched")
    );
    s.stack.shutdown().await;
}

/// With auth off (the default), a page of another site cannot act for the
/// person whose browser it runs in: a cross-site POST (JSON or a form),
/// an event stream or a socket from another origin is refused with
/// `forbidden_origin`; the page's own origin and clients that send no
/// `Origin` (curl, services) are served.
#[tokio::test]
async fn a_page_of_another_site_cannot_charge_order_or_listen() {
    let s = server().await;
    let evil = [("Origin", "https://evil.example")];
    let charge = r#"{"amount":1250,"currency":"GBP"}"#;
    for (path, body) in [
        ("/v1/payment/charges", charge),
        (
            "/v1/sessions/victim/utterances",
            r#"{"text":"order me a burger"}"#,
        ),
        (
            "/v1/food/orders",
            r#"{"items":[{"name":"cheeseburger","quantity":1}],"address":"home"}"#,
        ),
    ] {
        let (status, _, body) = http_post_with(s.addr, path, &evil, body).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("forbidden_origin")),
            "{path}"
        );
    }
    // A form post (no preflight in a browser) is refused before its body is read.
    let form = errand_harness::http::request(
        s.addr,
        "POST",
        "/v1/payment/charges",
        &[
            ("Origin", "https://evil.example"),
            ("Content-Type", "text/plain"),
            ("Content-Length", "0"),
        ],
        "",
    )
    .await
    .unwrap();
    assert_eq!(
        (form.status, form.json()["code"].as_str()),
        (403, Some("forbidden_origin"))
    );
    let stream = errand_harness::http::request(
        s.addr,
        "GET",
        "/v1/sessions/victim/events",
        &[
            ("Origin", "https://evil.example"),
            ("Accept", "text/event-stream"),
        ],
        "",
    )
    .await
    .unwrap();
    assert_eq!(stream.status, 403);
    let mut request = format!("ws://{}/v1/ws/text", s.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Origin", "https://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_err());

    // Reading is not guarded; the page's own origin and no origin are served.
    let (status, _, _) = http_get(s.addr, "/v1/hello").await;
    assert_eq!(status, 200);
    let own = format!("http://{}", s.addr);
    let (status, _, body) =
        http_post_with(s.addr, "/v1/payment/charges", &[("Origin", &own)], charge).await;
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = http_post_with(s.addr, "/v1/payment/charges", &[], charge).await;
    assert_eq!(status, 201, "{body}");
    s.stack.shutdown().await;
}

/// The code of the close frame that ends `socket`.
async fn close_code(socket: &mut Socket) -> u16 {
    tokio::time::timeout(secs(5), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
                Some(Ok(Message::Close(None))) | None => panic!("closed without a code"),
                Some(Ok(_)) => continue,
                Some(Err(e)) => panic!("no close frame: {e}"),
            }
        }
    })
    .await
    .expect("the socket is closed")
}

/// Whether an event of `trace` other than its `ack` arrives within
/// `quiet`.
async fn more_of(socket: &mut Socket, trace: &str, quiet: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + quiet;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                let event: Value = serde_json::from_str(&text).unwrap();
                if event["trace_id"] == trace && event["type"] != "ack" {
                    return Some(event);
                }
            }
            Ok(Some(Ok(_))) => {}
            _ => return None,
        }
    }
}

#[tokio::test]
async fn a_retried_utterance_gets_the_same_trace_and_is_not_reasoned_twice() {
    let s = server().await;
    let said = |text: &str, id: &str| {
        Message::text(json!({"type": "utterance", "text": text, "id": id}).to_string())
    };
    let mut ws = connect(s.addr, "retry").await;
    ws.send(said("order me a burger", "u-1")).await.unwrap();
    let trace = expect(&mut ws, "ack", |e| e["type"] == "ack").await["trace_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let question = expect(&mut ws, "the question", |e| e["type"] == "clarify").await;
    // The socket drops before the client saw the answer; it says it again
    // and is shown the same question for the same command, nothing new.
    drop(ws);
    let mut ws = connect(s.addr, "retry").await;
    ws.send(said("order me a burger", "u-1")).await.unwrap();
    let again = expect(&mut ws, "ack", |e| e["type"] == "ack").await;
    assert_eq!(again["trace_id"], trace);
    let shown = more_of(&mut ws, &trace, Duration::from_secs(1)).await;
    if let Some(shown) = shown {
        assert_eq!(
            (&shown["type"], &shown["question"]),
            (&question["type"], &question["question"])
        );
    }
    ws.send(said("221B Baker Street", "u-2")).await.unwrap();
    expect(&mut ws, "the confirmation", |e| e["type"] == "confirm").await;
    // An earlier utterance said again changes nothing at all.
    ws.send(said("order me a burger", "u-1")).await.unwrap();
    let again = expect(&mut ws, "ack", |e| e["type"] == "ack").await;
    assert_eq!(again["trace_id"], trace);
    assert_eq!(more_of(&mut ws, &trace, Duration::from_secs(1)).await, None);
    ws.send(said("yes", "u-3")).await.unwrap();
    expect(&mut ws, "confirmed", |e| {
        e["type"] == "status" && e["status"] == "confirmed"
    })
    .await;
    expect(&mut ws, "what was ordered", |e| e["type"] == "reply").await;
    // The same "yes" again, now over HTTP with its key: the same trace,
    // nothing ordered or said again.
    let (status, _, body) = http_post_with(
        s.addr,
        "/v1/sessions/retry/utterances",
        &[("Idempotency-Key", "u-3")],
        r#"{"text":"yes"}"#,
    )
    .await;
    assert_eq!(
        (status, body["trace_id"].as_str()),
        (202, Some(trace.as_str()))
    );
    assert_eq!(more_of(&mut ws, &trace, Duration::from_secs(1)).await, None);
    // The same key with other words is a conflict.
    let (status, _, body) = http_post_with(
        s.addr,
        "/v1/sessions/retry/utterances",
        &[("Idempotency-Key", "u-3")],
        r#"{"text":"no"}"#,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("idempotency_conflict"))
    );
    let (_, _, command) = http_get(s.addr, &format!("/v1/commands/{trace}")).await;
    assert_eq!(command["status"], "confirmed");
    s.stack.shutdown().await;
}
