//! `errand nlu predict`, `errand nlu eval`, `errand nlu train` and
//! `errand nlu distil`: the
//! offline reader on files in the shared data's format (one JSON object per
//! line: `id`, `text`, `intent`, `slots`, `slots_annotated`,
//! `context_dependent`, `near_domain`).

use errand_actors::nlu::{
    Context, Intent, LabelledLine, NluModel, Parse, RuleNlu, TrainOptions, TrainedNlu, Understand,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::time::Instant;

/// The labelled intent of a line; a line without one counts as out of
/// scope.
fn gold_intent(line: &LabelledLine) -> &str {
    if line.intent.is_empty() {
        "out_of_scope"
    } else {
        &line.intent
    }
}

/// Slots in the data's format: name to verbatim value, or a list when a
/// slot was said more than once.
fn slots_json(verbatim: Vec<(String, String)>) -> Map<String, Value> {
    let mut grouped: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (name, text) in verbatim {
        grouped.entry(name).or_default().push(Value::String(text));
    }
    grouped
        .into_iter()
        .map(|(name, mut values)| {
            let value = if values.len() == 1 {
                values.remove(0)
            } else {
                Value::Array(values)
            };
            (name, value)
        })
        .collect()
}

/// What the reader makes of one line (context-dependent lines are read as
/// answers inside an open dialogue of their labelled intent).
pub fn predict(nlu: &dyn Understand, example: &LabelledLine) -> (String, Map<String, Value>, u128) {
    let started = Instant::now();
    let in_dialogue = example.context_dependent && gold_intent(example) != "out_of_scope";
    let context = if in_dialogue {
        Context {
            open_action: Some(gold_intent(example).to_owned()),
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
        }
    } else {
        Context::default()
    };
    let (parse, verbatim): (Parse, _) = nlu.parse_verbatim(&example.text, &context);
    let intent = if in_dialogue {
        gold_intent(example).to_owned()
    } else {
        parse.intent.as_str().to_owned()
    };
    let latency = started.elapsed().as_micros();
    (intent, slots_json(verbatim), latency)
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
    /// Precision, recall and F1.
    fn prf(&self) -> (f64, f64, f64) {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        (p, r, ratio(2.0 * p * r, p + r))
    }

    fn scores(&self) -> Value {
        let (p, r, f) = self.prf();
        json!({"precision": round(p), "recall": round(r), "f1": round(f)})
    }

    fn f1(&self) -> f64 {
        self.prf().2
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn slot_counts(
    counts: &mut Counts,
    gold: &BTreeMap<String, Value>,
    predicted: &Map<String, Value>,
) {
    for (name, value) in gold {
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
pub fn evaluate(nlu: &dyn Understand, examples: &[LabelledLine]) -> Value {
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
        if example.context_dependent {
            if example.slots_annotated {
                slot_counts(&mut context_slots, &example.slots, &predicted_slots);
            }
            continue;
        }
        let gold = gold_intent(example);
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
            if example.near_domain {
                near += 1.0;
                if predicted != "out_of_scope" {
                    near_accepted += 1.0;
                }
            }
        }
        if example.slots_annotated && gold != "out_of_scope" {
            slot_counts(&mut slots, &example.slots, &predicted_slots);
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

/// Which reader `predict` and `eval` use.
#[derive(clap::Args, Debug)]
pub struct ReaderArgs {
    /// A model file written by `errand nlu train` (default: the one built in).
    #[arg(long)]
    pub model: Option<std::path::PathBuf>,
    /// `trained` (the default reader) or `rules` (the rule reader alone).
    #[arg(long, default_value = "trained")]
    pub reader: String,
}

impl ReaderArgs {
    pub fn reader(&self) -> Result<Box<dyn Understand>, String> {
        match (self.reader.as_str(), &self.model) {
            ("rules", None) => Ok(Box::new(RuleNlu::new(
                errand_actors::agents::catalog::lexicon(),
            ))),
            ("rules", Some(_)) => Err("--model goes with --reader trained".into()),
            ("trained", Some(path)) => Ok(Box::new(TrainedNlu::from_file(
                path,
                errand_actors::agents::catalog::lexicon(),
            )?)),
            ("trained", None) => Ok(Box::new(
                TrainedNlu::embedded(errand_actors::agents::catalog::lexicon())
                    .map_err(|e| format!("the built-in model: {e}"))?,
            )),
            (other, _) => Err(format!("unknown reader {other:?}: use trained or rules")),
        }
    }
}

/// `errand nlu train`.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// Labelled JSON-lines files to train on.
    #[arg(required = true)]
    pub files: Vec<String>,
    /// Where to write the model.
    #[arg(long, default_value = "nlu/models/nlu.model")]
    pub out: std::path::PathBuf,
    /// An in-scope intent is taken only at this probability or above.
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Extra weight of near-domain out-of-scope lines.
    #[arg(long)]
    pub near_domain_weight: Option<f32>,
    /// How strongly rare intents are weighted up (0 to 1).
    #[arg(long)]
    pub balance: Option<f32>,
    #[arg(long)]
    pub intent_epochs: Option<usize>,
    #[arg(long)]
    pub tagger_epochs: Option<usize>,
    #[arg(long)]
    pub learning_rate: Option<f32>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// Generated shopping lines to add (0: none).
    #[arg(long)]
    pub generated: Option<usize>,
    /// Generated rides, meals and near misses to add, of each (0: none).
    #[arg(long)]
    pub generated_requests: Option<usize>,
    #[arg(long)]
    pub generated_weight: Option<f32>,
    /// The meaning head's hidden units.
    #[arg(long)]
    pub head_hidden: Option<usize>,
    /// The meaning head's passes over the lines.
    #[arg(long)]
    pub head_epochs: Option<usize>,
    /// The meaning head's L2 penalty.
    #[arg(long)]
    pub head_l2: Option<f32>,
    /// How much the meaning head weighs in the intent (0 to 1).
    #[arg(long)]
    pub head_weight: Option<f32>,
}

fn read_all(files: &[String]) -> Result<Vec<LabelledLine>, String> {
    if files.is_empty() {
        return Err("give one or more .jsonl files".into());
    }
    let mut examples = Vec::new();
    for file in files {
        examples.extend(errand_actors::nlu::read_lines(file)?);
    }
    Ok(examples)
}

/// One line per input line. A reader that stops reading (`| head`) ends
/// the output, not the process with a panic.
pub fn predict_files(files: &[String], reader: &ReaderArgs) -> Result<(), String> {
    use std::io::Write as _;
    let examples = read_all(files)?;
    let reader = reader.reader()?;
    let mut out = std::io::stdout().lock();
    for example in &examples {
        let (intent, slots, latency_us) = predict(reader.as_ref(), example);
        let line =
            json!({"id": example.id, "intent": intent, "slots": slots, "latency_us": latency_us});
        match writeln!(out, "{line}") {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(format!("writing the predictions: {e}")),
        }
    }
    Ok(())
}

pub fn eval_files(files: &[String], reader: &ReaderArgs) -> Result<(), String> {
    let examples = read_all(files)?;
    let reader = reader.reader()?;
    println!("{}", evaluate(reader.as_ref(), &examples));
    Ok(())
}

/// Trains, writes the model, reads it back (so what was written is what
/// runs) and prints a summary.
pub fn train(args: &TrainArgs) -> Result<(), String> {
    let lines = read_all(&args.files)?;
    let defaults = TrainOptions::default();
    let options = TrainOptions {
        threshold: args.threshold.unwrap_or(defaults.threshold),
        near_domain_weight: args
            .near_domain_weight
            .unwrap_or(defaults.near_domain_weight),
        balance: args.balance.unwrap_or(defaults.balance),
        intent_epochs: args.intent_epochs.unwrap_or(defaults.intent_epochs),
        tagger_epochs: args.tagger_epochs.unwrap_or(defaults.tagger_epochs),
        learning_rate: args.learning_rate.unwrap_or(defaults.learning_rate),
        seed: args.seed.unwrap_or(defaults.seed),
        generated: args.generated.unwrap_or(defaults.generated),
        generated_requests: args
            .generated_requests
            .unwrap_or(defaults.generated_requests),
        generated_weight: args.generated_weight.unwrap_or(defaults.generated_weight),
        head_hidden: args.head_hidden.unwrap_or(defaults.head_hidden),
        head_epochs: args.head_epochs.unwrap_or(defaults.head_epochs),
        head_l2: args.head_l2.unwrap_or(defaults.head_l2),
        head_weight: args.head_weight.unwrap_or(defaults.head_weight),
        ..defaults
    };
    if !(0.0..=1.0).contains(&options.head_weight) {
        return Err("--head-weight takes a number from 0 to 1".into());
    }
    if options.head_hidden == 0 || options.head_hidden > 4096 {
        return Err("--head-hidden takes 1 to 4096 units".into());
    }
    let started = Instant::now();
    let table = errand_actors::nlu::encoder::Table::embedded()
        .map_err(|e| format!("the built-in token table: {e}"))?;
    let model = NluModel::train(
        &lines,
        &options,
        &errand_actors::agents::catalog::lexicon(),
        table,
    );
    let bytes = model.encode();
    std::fs::write(&args.out, &bytes).map_err(|e| format!("{}: {e}", args.out.display()))?;
    NluModel::decode(&bytes).map_err(|e| format!("the model just written: {e}"))?;
    eprintln!(
        "{}",
        json!({
            "lines": lines.len(),
            "out": args.out.display().to_string(),
            "bytes": bytes.len(),
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}

/// `errand nlu distil`.
#[derive(clap::Args, Debug)]
pub struct DistilArgs {
    /// The encoder's directory: `model.safetensors` and `tokenizer.json`
    /// (what `scripts/nlu-encoder` prints).
    pub encoder: std::path::PathBuf,
    /// Where to write the table.
    #[arg(long, default_value = "nlu/models/tokens.table")]
    pub out: std::path::PathBuf,
    /// The table's width.
    #[arg(long, default_value_t = errand_actors::nlu::encoder::DIMENSIONS)]
    pub dims: usize,
    /// The encoder's attention heads (all-MiniLM-L6-v2 has 12).
    #[arg(long, default_value_t = 12)]
    pub heads: usize,
}

/// Runs every token through the encoder, writes the table and reads it
/// back.
pub fn distil(args: &DistilArgs) -> Result<(), String> {
    use errand_actors::nlu::encoder::{self, Bert, Table};
    let read = |name: &str| {
        let path = args.encoder.join(name);
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let started = Instant::now();
    let vocabulary = encoder::vocabulary(&read("tokenizer.json")?).map_err(|e| e.to_string())?;
    let bert = Bert::from_safetensors(&read("model.safetensors")?, args.heads)
        .map_err(|e| e.to_string())?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let last = std::sync::atomic::AtomicUsize::new(0);
    let table = encoder::distil(&bert, vocabulary, args.dims, threads, &|done, of| {
        let tenth = done * 10 / of.max(1);
        if last.fetch_max(tenth, std::sync::atomic::Ordering::Relaxed) < tenth {
            eprintln!("{done} of {of} tokens");
        }
    })
    .map_err(|e| e.to_string())?;
    let bytes = table.encode();
    std::fs::write(&args.out, &bytes).map_err(|e| format!("{}: {e}", args.out.display()))?;
    Table::decode(&bytes).map_err(|e| format!("the table just written: {e}"))?;
    eprintln!(
        "{}",
        json!({
            "tokens": table.vocabulary().len(),
            "dims": table.dims(),
            "bytes": bytes.len(),
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}
