//! The intent head over sentence vectors: one hidden layer of rectified
//! units and a softmax, trained by Adam on mini-batches (seeded, one
//! thread, so the same lines give the same weights).

use super::rng::Rng;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Mlp {
    pub inputs: usize,
    pub hidden: usize,
    pub classes: usize,
    /// `inputs × hidden`, row by row.
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    /// `hidden × classes`.
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
}

/// How to train it.
#[derive(Clone, Debug)]
pub(crate) struct MlpTraining {
    pub hidden: usize,
    pub epochs: usize,
    pub learning_rate: f32,
    /// L2 penalty, per mini-batch as scikit-learn's `alpha`.
    pub l2: f32,
    pub batch: usize,
    pub seed: u64,
}

/// One example: its vector, its class and its weight.
pub(crate) type Example<'a> = (&'a [f32], usize, f32);

impl Mlp {
    /// Class probabilities of one vector.
    pub fn probabilities(&self, x: &[f32]) -> Vec<f32> {
        let hidden = self.hide(x);
        self.out(&hidden)
    }

    fn hide(&self, x: &[f32]) -> Vec<f32> {
        let mut h = self.b1.clone();
        let rows: Vec<(f32, &[f32])> = (x.iter().enumerate().take(self.inputs))
            .filter(|(_, xi)| **xi != 0.0)
            .map(|(i, &xi)| (xi, &self.w1[i * self.hidden..(i + 1) * self.hidden]))
            .collect();
        // Four inputs' rows at a time, each unit's sum held while they are
        // added in the order one at a time would add them (so the result is
        // the same to the bit), rather than read and written once per input.
        let mut fours = rows.chunks_exact(4);
        for four in &mut fours {
            let [(x0, w0), (x1, w1), (x2, w2), (x3, w3)] = [four[0], four[1], four[2], four[3]];
            let weights = w0.iter().zip(w1).zip(w2).zip(w3);
            for (h, (((a, b), c), d)) in h.iter_mut().zip(weights) {
                *h = *h + x0 * a + x1 * b + x2 * c + x3 * d;
            }
        }
        for &(xi, w) in fours.remainder() {
            for (h, w) in h.iter_mut().zip(w) {
                *h += xi * w;
            }
        }
        h.iter_mut().for_each(|h| *h = h.max(0.0));
        h
    }

    fn out(&self, hidden: &[f32]) -> Vec<f32> {
        let mut scores = self.b2.clone();
        for (j, &hj) in hidden.iter().enumerate() {
            if hj == 0.0 {
                continue;
            }
            let w = &self.w2[j * self.classes..(j + 1) * self.classes];
            for (s, w) in scores.iter_mut().zip(w) {
                *s += hj * w;
            }
        }
        super::classifier::softmax(&mut scores);
        scores
    }

    pub fn train(examples: &[Example], inputs: usize, classes: usize, t: &MlpTraining) -> Self {
        let mut rng = Rng::new(t.seed);
        let mut uniform = |bound: f32| {
            let unit = (rng.next() >> 40) as f32 / (1u64 << 24) as f32;
            (unit * 2.0 - 1.0) * bound
        };
        let bound1 = (6.0 / (inputs + t.hidden) as f32).sqrt();
        let bound2 = (2.0 / (t.hidden + classes) as f32).sqrt();
        let mut model = Self {
            inputs,
            hidden: t.hidden,
            classes,
            w1: (0..inputs * t.hidden).map(|_| uniform(bound1)).collect(),
            b1: (0..t.hidden).map(|_| uniform(bound1)).collect(),
            w2: (0..t.hidden * classes).map(|_| uniform(bound2)).collect(),
            b2: (0..classes).map(|_| uniform(bound2)).collect(),
        };
        let mut adam = [
            Adam::new(model.w1.len()),
            Adam::new(model.b1.len()),
            Adam::new(model.w2.len()),
            Adam::new(model.b2.len()),
        ];
        let mut grads = [
            vec![0.0f32; model.w1.len()],
            vec![0.0f32; model.b1.len()],
            vec![0.0f32; model.w2.len()],
            vec![0.0f32; model.b2.len()],
        ];
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut shuffle = Rng::new(t.seed ^ 0x5eed);
        let mut delta_hidden = vec![0.0f32; t.hidden];
        for _ in 0..t.epochs {
            shuffle.shuffle(&mut order);
            for batch in order.chunks(t.batch.max(1)) {
                grads.iter_mut().for_each(|g| g.fill(0.0));
                for &k in batch {
                    let (x, class, weight) = examples[k];
                    let hidden = model.hide(x);
                    let p = model.out(&hidden);
                    // Output layer: (p - y) × weight.
                    let delta: Vec<f32> = p
                        .iter()
                        .enumerate()
                        .map(|(c, p)| (p - f32::from(u8::from(c == class))) * weight)
                        .collect();
                    for (c, d) in delta.iter().enumerate() {
                        grads[3][c] += d;
                    }
                    for (j, &hj) in hidden.iter().enumerate() {
                        let w = &model.w2[j * classes..(j + 1) * classes];
                        let g = &mut grads[2][j * classes..(j + 1) * classes];
                        let mut back = 0.0;
                        for c in 0..classes {
                            g[c] += hj * delta[c];
                            back += w[c] * delta[c];
                        }
                        delta_hidden[j] = if hj > 0.0 { back } else { 0.0 };
                    }
                    for (j, d) in delta_hidden.iter().enumerate() {
                        grads[1][j] += d;
                    }
                    for (i, &xi) in x.iter().enumerate().take(inputs) {
                        if xi == 0.0 {
                            continue;
                        }
                        let g = &mut grads[0][i * t.hidden..(i + 1) * t.hidden];
                        for (g, d) in g.iter_mut().zip(&delta_hidden) {
                            *g += xi * d;
                        }
                    }
                }
                let n = batch.len() as f32;
                let params: [&mut Vec<f32>; 4] =
                    [&mut model.w1, &mut model.b1, &mut model.w2, &mut model.b2];
                for (k, (param, grad)) in params.into_iter().zip(&mut grads).enumerate() {
                    let penalised = k % 2 == 0;
                    for (g, w) in grad.iter_mut().zip(param.iter()) {
                        *g = (*g + if penalised { t.l2 * w } else { 0.0 }) / n;
                    }
                    adam[k].step(param, grad, t.learning_rate);
                }
            }
        }
        model
    }
}

/// Adam's moments for one parameter array.
struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
    steps: i32,
}

impl Adam {
    fn new(len: usize) -> Self {
        Self {
            m: vec![0.0; len],
            v: vec![0.0; len],
            steps: 0,
        }
    }

    fn step(&mut self, param: &mut [f32], grad: &[f32], rate: f32) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        self.steps += 1;
        let rate = rate * (1.0 - B2.powi(self.steps)).sqrt() / (1.0 - B1.powi(self.steps));
        for ((w, g), (m, v)) in param
            .iter_mut()
            .zip(grad)
            .zip(self.m.iter_mut().zip(self.v.iter_mut()))
        {
            *m = B1 * *m + (1.0 - B1) * g;
            *v = B2 * *v + (1.0 - B2) * g * g;
            *w -= rate * *m / (v.sqrt() + 1e-8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hidden_layer_is_the_one_input_at_a_time_sum_to_the_bit() {
        let mut rng = Rng::new(7);
        let mut draw = || (rng.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0;
        let (inputs, hidden) = (23, 10);
        let model = Mlp {
            inputs,
            hidden,
            classes: 2,
            w1: (0..inputs * hidden).map(|_| draw()).collect(),
            b1: (0..hidden).map(|_| draw()).collect(),
            w2: vec![0.0; hidden * 2],
            b2: vec![0.0; 2],
        };
        // Some inputs zero, as a sparse vector has them.
        let x: Vec<f32> = (0..inputs)
            .map(|i| if i % 5 == 2 { 0.0 } else { draw() })
            .collect();
        let mut expected = model.b1.clone();
        for (i, &xi) in x.iter().enumerate().filter(|(_, xi)| **xi != 0.0) {
            for (j, h) in expected.iter_mut().enumerate() {
                *h += xi * model.w1[i * hidden + j];
            }
        }
        expected.iter_mut().for_each(|h| *h = h.max(0.0));
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&model.hide(&x)), bits(&expected));
    }

    #[test]
    fn it_learns_what_no_line_separates() {
        // XOR of two inputs: no linear model gets all four.
        let points: Vec<([f32; 2], usize)> = vec![
            ([0.0, 0.0], 0),
            ([1.0, 1.0], 0),
            ([1.0, 0.0], 1),
            ([0.0, 1.0], 1),
        ];
        let examples: Vec<Example> = (0..50)
            .flat_map(|_| points.iter().map(|(x, c)| (&x[..], *c, 1.0)))
            .collect();
        let t = MlpTraining {
            hidden: 16,
            epochs: 60,
            learning_rate: 0.01,
            l2: 0.0,
            batch: 20,
            seed: 3,
        };
        let model = Mlp::train(&examples, 2, 2, &t);
        for (x, c) in &points {
            let p = model.probabilities(x);
            assert!(p[*c] > 0.8, "{x:?}: {p:?}");
        }
        assert_eq!(
            model,
            Mlp::train(&examples, 2, 2, &t),
            "seeded: the same weights"
        );
    }
}
