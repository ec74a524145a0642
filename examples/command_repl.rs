//! A REPL that sends commands straight to the router, skipping the reasoner.
//!
//! Each line is a JSON command (as on `agent.cmd`; `trace_id`, `session_id`
//! and `user_id` may be left out) or a short form:
//!
//! ```text
//! food 2 cheeseburger, 1 fries [from Burger Barn] to 221B Baker Street
//! ride [from] home to the airport [as xl] [for 3]
//! mart 2 milk and eggs to home
//! ```
//!
//! It prints each lifecycle step of the command until it ends; `--json`
//! prints one JSON line per event.

use anyhow::{Context, bail};
use clap::Parser;
use errand_actors::bus::OutRecord;
use errand_schemas::topics::{AGENT_CMD, AGENT_STATUS};
use errand_schemas::{
    Action, ClientEvent, Command, FoodOrder, ItemRequest, MartOrder, RideBooking, RideType,
    ServerEvent, SessionId, StatusUpdate, TraceId,
};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

#[derive(Parser)]
#[command(about = "Send commands straight to errand's router")]
struct Args {
    /// Print every event as one JSON line.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let filter = std::env::var("ERRAND_LOG").unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .init();
    let node = errand_cluster::Node::start(errand_cluster::NodeOptions::embedded()).await?;
    let bus = node.options.bus.clone();
    let mut status = bus
        .subscribe("command-repl", &[AGENT_STATUS.to_owned()])
        .await?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut seq = 0;
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        let command = match parse(&line) {
            Ok(command) => command,
            Err(e) => {
                seq += 1;
                let event = ClientEvent {
                    seq,
                    event: ServerEvent::error(
                        errand_schemas::ErrorCode::InvalidCommand,
                        e.to_string(),
                        None,
                    ),
                };
                print(&event, args.json);
                continue;
            }
        };
        bus.publish(OutRecord::json(
            AGENT_CMD,
            command.session_id.as_str(),
            &command,
        ))
        .await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Ok(Some(delivery)) = tokio::time::timeout(left, status.next()).await else {
                eprintln!("(no final status within 40 s)");
                break;
            };
            delivery.ack.ack();
            let Ok(update) =
                errand_schemas::codec::decode_record::<StatusUpdate>(&delivery.record.value)
            else {
                continue;
            };
            if update.trace_id != command.trace_id {
                continue;
            }
            for event in ServerEvent::from_status(&update) {
                seq += 1;
                print(&ClientEvent { seq, event }, args.json);
            }
            if update.status.is_final() {
                break;
            }
        }
    }
    node.shutdown().await;
    Ok(())
}

fn print(event: &ClientEvent, json: bool) {
    let value = serde_json::to_value(event).unwrap_or_default();
    if json {
        println!("{value}");
    } else {
        match &event.event {
            ServerEvent::Status {
                status, trace_id, ..
            } => println!("[{trace_id}] {status}"),
            ServerEvent::Reply { text, .. } => println!("< {text}"),
            ServerEvent::Error { message, code, .. } => println!("! {message} ({code})"),
            _ => println!("{value}"),
        }
    }
}

/// A JSON command or the short form.
fn parse(line: &str) -> anyhow::Result<Command> {
    let line = line.trim();
    if line.starts_with('{') {
        let mut value: serde_json::Value =
            serde_json::from_str(line).context("invalid JSON command")?;
        let object = value
            .as_object_mut()
            .context("a command is a JSON object")?;
        object
            .entry("trace_id")
            .or_insert_with(|| TraceId::generate().0.into());
        object
            .entry("session_id")
            .or_insert_with(|| "command-repl".into());
        object.entry("user_id").or_insert_with(|| "demo".into());
        return serde_json::from_value(value).context("not a valid command");
    }
    let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
    let action = match verb {
        "food" => {
            let (what, address) = rest
                .rsplit_once(" to ")
                .context("food ITEMS [from RESTAURANT] to ADDRESS")?;
            let (items, restaurant) = match what.split_once(" from ") {
                Some((items, r)) => (items, Some(r.trim().to_owned())),
                None => (what, None),
            };
            Action::OrderFood(FoodOrder {
                items: items_of(items)?,
                restaurant,
                cuisine: None,
                address: address.trim().to_owned(),
                instructions: None,
            })
        }
        "mart" => {
            let (items, address) = rest.rsplit_once(" to ").context("mart ITEMS to ADDRESS")?;
            Action::OrderMart(MartOrder {
                items: items_of(items)?,
                address: address.trim().to_owned(),
                instructions: None,
            })
        }
        "ride" => {
            let rest = rest.trim().strip_prefix("from ").unwrap_or(rest.trim());
            let (pickup, rest) = rest
                .split_once(" to ")
                .context("ride [from] PICKUP to DESTINATION [as TYPE] [for SEATS]")?;
            let (rest, seats) = match rest.rsplit_once(" for ") {
                Some((r, n)) => (r, n.trim().parse().context("seats must be a number")?),
                None => (rest, 1),
            };
            let (destination, ride_type) = match rest.rsplit_once(" as ") {
                Some((d, t)) => (
                    d,
                    RideType::parse(t.trim())
                        .context("ride types: standard, shared, xl, premium")?,
                ),
                None => (rest, RideType::Standard),
            };
            Action::BookRide(RideBooking {
                pickup: pickup.trim().to_owned(),
                destination: destination.trim().to_owned(),
                ride_type,
                seats,
                bags: 0,
                pickup_at: None,
                instructions: None,
            })
        }
        other => bail!("unknown command \"{other}\": use food, ride, mart or a JSON command"),
    };
    Ok(Command {
        trace_id: TraceId::generate(),
        session_id: SessionId("command-repl".into()),
        user_id: "demo".into(),
        action,
        issued_at_ms: errand_schemas::now_ms(),
        turn: 1,
        deadline_ms: None,
    })
}

/// "2 cheeseburger, 1 fries and a cola".
fn items_of(text: &str) -> anyhow::Result<Vec<ItemRequest>> {
    let items: Vec<ItemRequest> = text
        .split([','])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (first, rest) = part.split_once(' ').unwrap_or((part, ""));
            match first.parse::<u32>() {
                Ok(quantity) if !rest.is_empty() => ItemRequest::new(rest.trim(), quantity),
                _ => ItemRequest::new(
                    part.trim_start_matches("a ")
                        .trim_start_matches("an ")
                        .to_owned(),
                    1,
                ),
            }
        })
        .collect();
    if items.is_empty() {
        bail!("no items given");
    }
    Ok(items)
}
