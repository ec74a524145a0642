//! `/v1/openapi.json`: the OpenAPI 3.1 document of the HTTP surface. The
//! body and result schemas are generated from the same Rust types the
//! handlers decode and encode (`schemars`), so they cannot drift; the route
//! list is [`ROUTES`], which a test checks against the router.

use errand_schemas::{
    ClientEvent, CommandState, ErrorCode, FoodOrder, MartOrder, Place, ResultBody, RideBooking,
    Summary,
};
use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Value, json};

/// Every route: method, path, summary, whether it needs a token when
/// authentication is on.
pub const ROUTES: &[(&str, &str, &str, bool)] = &[
    (
        "get",
        "/v1/ws/text",
        "WebSocket: utterances in, events out",
        true,
    ),
    (
        "get",
        "/v1/ws/mic",
        "WebSocket: speech transcripts in, events out",
        true,
    ),
    (
        "get",
        "/v1/commands/{trace_id}",
        "A command's status and history",
        true,
    ),
    (
        "post",
        "/v1/commands/{trace_id}/cancel",
        "Cancel a command: a placed one with its provider (refunded), or one still being put together",
        true,
    ),
    (
        "get",
        "/v1/hello",
        "What errand can do, things to try, whether it hears speech and wants a token",
        false,
    ),
    (
        "post",
        "/v1/sessions/{session_id}/utterances",
        "Say something over plain HTTP",
        true,
    ),
    (
        "get",
        "/v1/sessions/{session_id}/events",
        "A session's events as Server-Sent Events",
        true,
    ),
    ("post", "/v1/food/orders", "Order food", true),
    ("post", "/v1/ride/bookings", "Book a ride", true),
    ("post", "/v1/mart/orders", "Order groceries", true),
    (
        "post",
        "/v1/food/orders/quote",
        "Price a food order without placing it",
        true,
    ),
    (
        "post",
        "/v1/ride/bookings/quote",
        "Price a ride without booking it",
        true,
    ),
    (
        "post",
        "/v1/mart/orders/quote",
        "Price a grocery order without placing it",
        true,
    ),
    (
        "post",
        "/v1/payment/charges",
        "Charge (idempotent with Idempotency-Key)",
        true,
    ),
    (
        "get",
        "/v1/location/resolve",
        "Resolve a place name or address",
        true,
    ),
    (
        "get",
        "/v1/cluster",
        "The cluster's nodes: roles, health, last heartbeat",
        true,
    ),
    ("get", "/healthz", "Liveness", false),
    ("get", "/readyz", "Readiness (store and bus)", false),
    ("get", "/metrics", "Prometheus metrics", false),
    ("get", "/v1/openapi.json", "This document", false),
];

#[derive(JsonSchema)]
#[allow(dead_code)]
struct UtteranceRequest {
    text: String,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct ChargeRequest {
    /// Minor units.
    amount: i64,
    /// ISO 4217.
    currency: String,
    description: Option<String>,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct Accepted {
    trace_id: String,
    session_id: String,
}

/// The document.
pub fn document() -> Value {
    let mut generator: SchemaGenerator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let mut schema = |f: fn(&mut SchemaGenerator) -> schemars::Schema| {
        serde_json::to_value(f(&mut generator)).unwrap_or_default()
    };
    let food = schema(|g| g.subschema_for::<FoodOrder>());
    let ride = schema(|g| g.subschema_for::<RideBooking>());
    let mart = schema(|g| g.subschema_for::<MartOrder>());
    let charge = schema(|g| g.subschema_for::<ChargeRequest>());
    let utterance = schema(|g| g.subschema_for::<UtteranceRequest>());
    let accepted = schema(|g| g.subschema_for::<Accepted>());
    let result = schema(|g| g.subschema_for::<ResultBody>());
    let priced = schema(|g| g.subschema_for::<Summary>());
    let state = schema(|g| g.subschema_for::<CommandState>());
    let place = schema(|g| g.subschema_for::<Place>());
    let event = schema(|g| g.subschema_for::<ClientEvent>());
    let code = schema(|g| g.subschema_for::<ErrorCode>());
    let components: serde_json::Map<String, Value> = generator.take_definitions(true);

    let problem = json!({
        "description": "A problem (RFC 9457) with a stable code",
        "content": {"application/problem+json": {"schema": {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "code": code,
                "detail": {"type": "string"}
            },
            "required": ["code", "status", "detail"]
        }}}
    });
    let body = |schema: &Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let ok = |code: &str, description: &str, schema: &Value| json!({code: {"description": description, "content": {"application/json": {"schema": schema}}}});
    let idempotency = json!({"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 255}});

    let mut paths = serde_json::Map::new();
    for (method, path, summary, secured) in ROUTES {
        let mut operation = json!({"summary": summary, "responses": {}});
        let responses = &mut operation["responses"];
        match *path {
            "/v1/food/orders" | "/v1/ride/bookings" | "/v1/mart/orders" | "/v1/payment/charges" => {
                let request = match *path {
                    "/v1/food/orders" => &food,
                    "/v1/ride/bookings" => &ride,
                    "/v1/mart/orders" => &mart,
                    _ => &charge,
                };
                operation["requestBody"] = body(request);
                operation["parameters"] = json!([idempotency]);
                let response = if *path == "/v1/payment/charges" {
                    json!({"type": "object"})
                } else {
                    result.clone()
                };
                operation["responses"] = ok("201", "The result", &response);
                for code in ["400", "409", "422", "503"] {
                    operation["responses"][code] = problem.clone();
                }
            }
            "/v1/food/orders/quote" | "/v1/ride/bookings/quote" | "/v1/mart/orders/quote" => {
                let request = match *path {
                    "/v1/food/orders/quote" => &food,
                    "/v1/ride/bookings/quote" => &ride,
                    _ => &mart,
                };
                operation["requestBody"] = body(request);
                operation["responses"] = ok("200", "The priced summary", &priced);
                for code in ["400", "422", "503"] {
                    operation["responses"][code] = problem.clone();
                }
            }
            "/v1/sessions/{session_id}/utterances" => {
                operation["requestBody"] = body(&utterance);
                operation["responses"] = ok("202", "Accepted; events follow", &accepted);
                operation["responses"]["400"] = problem.clone();
                operation["responses"]["429"] = problem.clone();
            }
            "/v1/sessions/{session_id}/events" => {
                responses["200"] = json!({"description": "text/event-stream of client events", "content": {"text/event-stream": {"schema": event}}});
            }
            "/v1/ws/text" | "/v1/ws/mic" => {
                responses["101"] = json!({"description": "Switching protocols; each server frame is one client event", "content": {"application/json": {"schema": event}}});
                responses["401"] = problem.clone();
            }
            "/v1/commands/{trace_id}" => {
                operation["responses"] = ok("200", "The command", &state);
                operation["responses"]["404"] = problem.clone();
            }
            "/v1/commands/{trace_id}/cancel" => {
                operation["responses"] = ok("200", "The command, cancelled", &state);
                operation["responses"]["202"] = json!({"description": "Accepted: the conversation is dropping it", "content": {"application/json": {"schema": state}}});
                for code in ["404", "409", "422", "503"] {
                    operation["responses"][code] = problem.clone();
                }
            }
            "/v1/location/resolve" => {
                operation["parameters"] = json!([{"name": "q", "in": "query", "required": true, "schema": {"type": "string"}}]);
                operation["responses"] = ok("200", "The place", &place);
                operation["responses"]["404"] = problem.clone();
            }
            _ => {
                responses["200"] = json!({"description": "OK"});
            }
        }
        let names: Vec<&str> = path
            .split('/')
            .filter_map(|p| p.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
            .collect();
        for name in names {
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut parameters = parameters;
            parameters.push(
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
            );
            operation["parameters"] = Value::Array(parameters);
        }
        if *secured {
            operation["security"] = json!([{"bearer": []}, {}]);
        }
        paths
            .entry(path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .map(|o| o.insert(method.to_string(), operation));
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "errand", "version": env!("CARGO_PKG_VERSION"), "description": "A conversational command backend."},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A static token or an HS256 JWT (when authentication is on)"}}
        }
    })
}
