//! The slot tagger: an averaged perceptron over word windows with
//! first-order label transitions, decoded with Viterbi. Labels are
//! begin/inside/outside per slot ("B-item", "I-item", "O"), so every slot
//! is a verbatim span of the text.

use super::rng::Rng;

/// The slots the tagger knows, in label order.
pub(crate) const SLOTS: [&str; 10] = [
    "item",
    "quantity",
    "restaurant",
    "cuisine",
    "address",
    "pickup",
    "destination",
    "ride_type",
    "seats",
    "time",
];

/// "O", then B and I of each slot.
pub(crate) const LABELS: usize = 1 + 2 * SLOTS.len();

pub(crate) fn begin(slot: usize) -> usize {
    1 + 2 * slot
}

fn slot_of(label: usize) -> Option<(usize, bool)> {
    (label > 0).then(|| ((label - 1) / 2, (label - 1).is_multiple_of(2)))
}

/// A slot found in a line: the slot's index and the words it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub slot: usize,
    pub from: usize,
    pub to: usize,
}

/// Labels to spans.
pub(crate) fn spans(labels: &[usize]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for (i, &label) in labels.iter().enumerate() {
        match slot_of(label) {
            Some((slot, true)) => out.push(Span {
                slot,
                from: i,
                to: i + 1,
            }),
            Some((slot, false)) => match out.last_mut() {
                Some(last) if last.slot == slot && last.to == i => last.to = i + 1,
                _ => out.push(Span {
                    slot,
                    from: i,
                    to: i + 1,
                }),
            },
            None => {}
        }
    }
    out
}

/// Spans to labels.
pub(crate) fn labels(len: usize, spans: &[Span]) -> Vec<usize> {
    let mut out = vec![0; len];
    for s in spans {
        for (k, label) in out.iter_mut().enumerate().take(s.to).skip(s.from) {
            *label = begin(s.slot) + usize::from(k > s.from);
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Tagger {
    pub bits: u32,
    /// Emission weights, one per hashed (feature, label).
    pub weights: Vec<f32>,
    /// `(previous label or start) * LABELS + label`.
    pub transitions: Vec<f32>,
}

/// One training line: each word's features and its gold labels, and the
/// labels its intent allows.
pub(crate) struct TaggedLine {
    pub features: Vec<Vec<u64>>,
    pub labels: Vec<usize>,
    pub allowed: [bool; LABELS],
}

const START: usize = LABELS;

impl Tagger {
    pub fn new(bits: u32) -> Self {
        Self {
            bits,
            weights: vec![0.0; 1 << bits],
            transitions: vec![0.0; (LABELS + 1) * LABELS],
        }
    }

    fn index(&self, feature: u64, label: usize) -> usize {
        let mixed = (feature ^ (label as u64 + 1).wrapping_mul(0xff51_afd7_ed55_8ccd))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (mixed >> (64 - self.bits)) as usize
    }

    fn emission(&self, features: &[u64], label: usize) -> f32 {
        features
            .iter()
            .map(|&f| self.weights[self.index(f, label)])
            .sum()
    }

    /// The best labels for a line's words, among the `allowed` ones, with
    /// "I-x" only after "B-x" or "I-x".
    pub fn decode(&self, features: &[Vec<u64>], allowed: &[bool; LABELS]) -> Vec<usize> {
        let n = features.len();
        if n == 0 {
            return Vec::new();
        }
        let valid = |prev: usize, label: usize| -> bool {
            match slot_of(label) {
                Some((slot, false)) => {
                    prev != START && matches!(slot_of(prev), Some((s, _)) if s == slot)
                }
                _ => true,
            }
        };
        let mut score = vec![f32::NEG_INFINITY; n * LABELS];
        let mut back = vec![0usize; n * LABELS];
        for i in 0..n {
            for label in (0..LABELS).filter(|&l| allowed[l]) {
                let e = self.emission(&features[i], label);
                if i == 0 {
                    if valid(START, label) {
                        score[label] = e + self.transitions[START * LABELS + label];
                    }
                    continue;
                }
                let mut best = (f32::NEG_INFINITY, 0);
                for prev in (0..LABELS).filter(|&p| allowed[p]) {
                    let s = score[(i - 1) * LABELS + prev];
                    if s == f32::NEG_INFINITY || !valid(prev, label) {
                        continue;
                    }
                    let s = s + self.transitions[prev * LABELS + label];
                    if s > best.0 {
                        best = (s, prev);
                    }
                }
                score[i * LABELS + label] = best.0 + e;
                back[i * LABELS + label] = best.1;
            }
        }
        let mut last = (0..LABELS)
            .max_by(|&a, &b| score[(n - 1) * LABELS + a].total_cmp(&score[(n - 1) * LABELS + b]))
            .unwrap_or(0);
        let mut out = vec![0; n];
        for i in (0..n).rev() {
            out[i] = last;
            last = back[i * LABELS + last];
        }
        out
    }

    /// Averaged perceptron training.
    pub fn train(lines: &[TaggedLine], bits: u32, epochs: usize, seed: u64) -> Self {
        let mut model = Self::new(bits);
        // Sums of updates weighted by when they happened, for averaging.
        let mut weight_sums = vec![0.0f64; model.weights.len()];
        let mut transition_sums = vec![0.0f64; model.transitions.len()];
        let mut clock = 1.0f64;
        let mut order: Vec<usize> = (0..lines.len()).collect();
        let mut rng = Rng::new(seed);
        for _ in 0..epochs {
            rng.shuffle(&mut order);
            for &k in &order {
                let line = &lines[k];
                let predicted = model.decode(&line.features, &line.allowed);
                if predicted != line.labels {
                    for i in 0..line.labels.len() {
                        let (gold, guess) = (line.labels[i], predicted[i]);
                        let gold_prev = if i == 0 { START } else { line.labels[i - 1] };
                        let guess_prev = if i == 0 { START } else { predicted[i - 1] };
                        if gold != guess {
                            for &f in &line.features[i] {
                                let g = model.index(f, gold);
                                model.weights[g] += 1.0;
                                weight_sums[g] += clock;
                                let p = model.index(f, guess);
                                model.weights[p] -= 1.0;
                                weight_sums[p] -= clock;
                            }
                        }
                        if gold != guess || gold_prev != guess_prev {
                            let g = gold_prev * LABELS + gold;
                            model.transitions[g] += 1.0;
                            transition_sums[g] += clock;
                            let p = guess_prev * LABELS + guess;
                            model.transitions[p] -= 1.0;
                            transition_sums[p] -= clock;
                        }
                    }
                }
                clock += 1.0;
            }
        }
        for (w, s) in model.weights.iter_mut().zip(&weight_sums) {
            *w -= (s / clock) as f32;
        }
        for (w, s) in model.transitions.iter_mut().zip(&transition_sums) {
            *w -= (s / clock) as f32;
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_labels_round_trip() {
        let spans_in = vec![
            Span {
                slot: 0,
                from: 1,
                to: 3,
            },
            Span {
                slot: 6,
                from: 4,
                to: 5,
            },
        ];
        let labels = labels(6, &spans_in);
        assert_eq!(labels, vec![0, 1, 2, 0, 13, 0]);
        assert_eq!(spans(&labels), spans_in);
    }
}
