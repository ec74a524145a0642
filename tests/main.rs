//! errand's integration suite: one test binary, so it links once.
//!
//! | module | covers |
//! | --- | --- |
//! | `supervision` | poison records, dropped envelopes, the deadline sweeper |
//! | `domains` | food, ride, mart, payment, location through the router; idempotency; a new domain |
//! | `browser` | the web page in headless Chromium over WebDriver: confirming and cancelling with its buttons, a dropped socket, a reload, 400 px, voice |
//! | `cluster` | `errand node` processes: roles across nodes, a node killed under load, a hung node, a wrong cookie |
//! | `dialogue` | the reasoner's dialogues through the gateway front |
//! | `llm` | the LLM reasoner against a fake OpenAI-compatible endpoint: tool calls, bad arguments, retries, fallback |
//! | `nlu` | `errand nlu` eval, predict and train on the shared real utterances |
//! | `gateway_ws` | `errand up`'s HTTP and WebSocket surface with real clients |
//! | `otlp` | spans exported over OTLP/HTTP to a receiver in the test: one linked trace per dialogue, embedded and across nodes on Kafka |
//! | `voice` | speech through `/v1/ws/mic` to the local faster-whisper server; audio limits |
//! | `lifecycle` | proptest state machines: the command lifecycle in the memory and Redis stores, the dialogue never placing without a yes |
//! | `examples` | the REPL examples, as a user runs them |

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod browser;
mod cluster;
mod dialogue;
mod domains;
mod examples;
mod gateway_ws;
mod kafka;
mod lifecycle;
mod llm;
mod nlu;
mod otlp;
mod reader;
mod redis;
mod supervision;
mod voice;
