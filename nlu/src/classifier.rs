//! The intent model: multinomial logistic regression over hashed features,
//! trained with stochastic gradient descent.

use super::rng::Rng;

/// A linear model: one weight per (feature bucket, class), one bias per class.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Linear {
    pub bits: u32,
    pub classes: usize,
    pub bias: Vec<f32>,
    pub weights: Vec<f32>,
}

/// How to train it.
#[derive(Clone, Debug)]
pub(crate) struct LinearTraining {
    pub bits: u32,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    pub seed: u64,
}

impl Linear {
    pub fn new(bits: u32, classes: usize) -> Self {
        Self {
            bits,
            classes,
            bias: vec![0.0; classes],
            weights: vec![0.0; (1usize << bits) * classes],
        }
    }

    fn bucket(&self, feature: u64) -> usize {
        // Fibonacci hashing spreads FNV's low-entropy high bits.
        (feature.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - self.bits)) as usize * self.classes
    }

    /// Class probabilities of one utterance's features.
    pub fn probabilities(&self, features: &[u64]) -> Vec<f32> {
        let scale = 1.0 / (features.len().max(1) as f32).sqrt();
        let mut scores = self.bias.clone();
        for &f in features {
            let b = self.bucket(f);
            for (c, s) in scores.iter_mut().enumerate() {
                *s += self.weights[b + c] * scale;
            }
        }
        softmax(&mut scores);
        scores
    }

    /// Trains on `(features, class, weight)` examples.
    pub fn train(examples: &[(Vec<u64>, usize, f32)], classes: usize, t: &LinearTraining) -> Self {
        let mut model = Self::new(t.bits, classes);
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = Rng::new(t.seed);
        let total = (t.epochs * examples.len()).max(1) as f32;
        let mut step = 0usize;
        for _ in 0..t.epochs {
            rng.shuffle(&mut order);
            for &k in &order {
                let (features, class, weight) = &examples[k];
                let lr = t.learning_rate * (1.0 - step as f32 / total).max(0.05);
                step += 1;
                let p = model.probabilities(features);
                let scale = 1.0 / (features.len().max(1) as f32).sqrt();
                for (c, p_c) in p.iter().enumerate() {
                    let target = if c == *class { 1.0 } else { 0.0 };
                    let g = (p_c - target) * weight;
                    model.bias[c] -= lr * g;
                    if g.abs() < 1e-6 {
                        continue;
                    }
                    for &f in features {
                        let b = model.bucket(f) + c;
                        let w = &mut model.weights[b];
                        *w -= lr * (g * scale + t.l2 * *w);
                    }
                }
            }
        }
        model
    }
}

pub(crate) fn softmax(scores: &mut [f32]) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    for s in scores.iter_mut() {
        *s /= sum;
    }
}
