//! `errand nlu predict` and `errand nlu eval`: the offline reader on files
//! in the shared data's format (one JSON object per line: `id`, `text`,
//! `intent`, `slots`, `slots_annotated`, `context_dependent`, `near_domain`).

use errand_actors::nlu::{Context, Intent, Parse, Understand};
use errand_schemas::SlotValue;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::time::Instant;

/// One labelled line.
pub struct Example {
    pub raw: Value,
}

impl Example {
    fn text(&self) -> &str {
        self.raw["text"].as_str().unwrap_or_default()
    }
    fn intent(&self) -> &str {
        self.raw["intent"].as_str().unwrap_or("out_of_scope")
    }
    fn flag(&self, name: &str) -> bool {
        self.raw[name].as_bool().unwrap_or(false)
    }
}

/// Reads JSON lines; unreadable lines are an error naming the file and line.
pub fn read(path: &str) -> Result<Vec<Example>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line)
                .map(|raw| Example { raw })
                .map_err(|e| format!("{path}:{}: {e}", i + 1))
        })
        .collect()
}

/// The slots in the data's format: name to verbatim value, or a list.
fn slots_json(slots: &errand_schemas::SlotMap) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in slots {
        match value {
            SlotValue::Text(t) => {
                out.insert(name.clone(), Value::String(t.clone()));
            }
            SlotValue::Number(n) => {
                out.insert(name.clone(), Value::String(n.to_string()));
            }
            SlotValue::Items(items) => {
                let names: Vec<Value> = items
                    .iter()
                    .map(|i| Value::String(i.name.clone()))
                    .collect();
                let value = if names.len() == 1 {
                    names[0].clone()
                } else {
                    Value::Array(names)
                };
                out.insert(name.clone(), value);
            }
        }
    }
    out
}

/// What the reader makes of one line (context-dependent lines are read as
/// answers inside an open dialogue of their labelled intent).
pub fn predict(nlu: &dyn Understand, example: &Example) -> (String, Map<String, Value>, u128) {
    let started = Instant::now();
    let (intent, slots) = if example.flag("context_dependent") && example.intent() != "out_of_scope"
    {
        let context = Context {
            open_action: Some(example.intent().to_owned()),
            missing: [
                "item",
                "address",
                "restaurant",
                "cuisine",
                "pickup",
                "destination",
                "ride_type",
                "seats",
                "time",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        };
        let parse: Parse = nlu.parse(example.text(), &context);
        let mut slots = parse.answer.clone();
        if parse.intent.as_str() == example.intent() {
            for (k, v) in parse.slots {
                slots.entry(k).or_insert(v);
            }
        }
        (example.intent().to_owned(), slots)
    } else {
        let parse = nlu.parse(example.text(), &Context::default());
        (parse.intent.as_str().to_owned(), parse.slots)
    };
    let latency = started.elapsed().as_micros();
    (intent, slots_json(&slots), latency)
}

fn values(v: &Value) -> Vec<String> {
    match v {
        Value::Array(list) => list
            .iter()
            .filter_map(|x| x.as_str().map(str::to_lowercase))
            .collect(),
        Value::String(s) => vec![s.to_lowercase()],
        _ => Vec::new(),
    }
}

#[derive(Default)]
struct Counts {
    tp: f64,
    fp: f64,
    fn_: f64,
}

impl Counts {
    fn scores(&self) -> Value {
        let p = if self.tp + self.fp > 0.0 {
            self.tp / (self.tp + self.fp)
        } else {
            0.0
        };
        let r = if self.tp + self.fn_ > 0.0 {
            self.tp / (self.tp + self.fn_)
        } else {
            0.0
        };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        json!({"precision": round(p), "recall": round(r), "f1": round(f)})
    }

    fn f1(&self) -> f64 {
        let p = if self.tp + self.fp > 0.0 {
            self.tp / (self.tp + self.fp)
        } else {
            0.0
        };
        let r = if self.tp + self.fn_ > 0.0 {
            self.tp / (self.tp + self.fn_)
        } else {
            0.0
        };
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn slot_counts(counts: &mut Counts, gold: &Value, predicted: &Map<String, Value>) {
    let gold = gold.as_object().cloned().unwrap_or_default();
    for (name, value) in &gold {
        let want = values(value);
        let got = predicted.get(name).map(values).unwrap_or_default();
        for w in &want {
            if got.contains(w) {
                counts.tp += 1.0;
            } else {
                counts.fn_ += 1.0;
            }
        }
    }
    for (name, value) in predicted {
        let want = gold.get(name).map(values).unwrap_or_default();
        for g in values(value) {
            if !want.contains(&g) {
                counts.fp += 1.0;
            }
        }
    }
}

/// The evaluation report `errand nlu eval` prints.
pub fn evaluate(nlu: &dyn Understand, examples: &[Example]) -> Value {
    let mut per_intent: BTreeMap<&str, Counts> = Intent::ALL
        .iter()
        .map(|i| (i.as_str(), Counts::default()))
        .collect();
    let (mut correct, mut total) = (0.0, 0.0);
    let (mut oos, mut oos_accepted) = (0.0, 0.0);
    let (mut near, mut near_accepted) = (0.0, 0.0);
    let mut slots = Counts::default();
    let mut context_slots = Counts::default();
    let mut latencies = Vec::with_capacity(examples.len());
    for example in examples {
        let (predicted, predicted_slots, latency) = predict(nlu, example);
        latencies.push(latency);
        if example.flag("context_dependent") {
            if example.flag("slots_annotated") {
                slot_counts(&mut context_slots, &example.raw["slots"], &predicted_slots);
            }
            continue;
        }
        let gold = example.intent();
        total += 1.0;
        if predicted == gold {
            correct += 1.0;
            if let Some(c) = per_intent.get_mut(gold) {
                c.tp += 1.0;
            }
        } else {
            if let Some(c) = per_intent.get_mut(predicted.as_str()) {
                c.fp += 1.0;
            }
            if let Some(c) = per_intent.get_mut(gold) {
                c.fn_ += 1.0;
            }
        }
        if gold == "out_of_scope" {
            oos += 1.0;
            if predicted != "out_of_scope" {
                oos_accepted += 1.0;
            }
            if example.flag("near_domain") {
                near += 1.0;
                if predicted != "out_of_scope" {
                    near_accepted += 1.0;
                }
            }
        }
        if example.flag("slots_annotated") && gold != "out_of_scope" {
            slot_counts(&mut slots, &example.raw["slots"], &predicted_slots);
        }
    }
    latencies.sort_unstable();
    let p99 = latencies
        .get(((latencies.len() as f64 * 0.99).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(0);
    let present: Vec<&Counts> = per_intent.values().filter(|c| c.tp + c.fn_ > 0.0).collect();
    let macro_f1 = present.iter().map(|c| c.f1()).sum::<f64>() / present.len().max(1) as f64;
    json!({
        "macro_f1": round(macro_f1),
        "accuracy": round(if total > 0.0 { correct / total } else { 0.0 }),
        "oos_false_accept": round(if oos > 0.0 { oos_accepted / oos } else { 0.0 }),
        "near_domain_false_accept": round(if near > 0.0 { near_accepted / near } else { 0.0 }),
        "slots": slots.scores(),
        "intents": per_intent.iter().map(|(k, c)| ((*k).to_owned(), c.scores())).collect::<Map<String, Value>>(),
        "latency_p99_us": p99,
        "context_dependent": context_slots.scores(),
        "lines": examples.len(),
    })
}
