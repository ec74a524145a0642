//! A BERT encoder's forward pass (all-MiniLM-L6-v2: 6 layers, 384 wide, 12
//! heads), read from its `model.safetensors`. Only training runs it, to
//! distil the static table; nothing at run time does.

use super::EncoderError;
use std::collections::HashMap;

const EPS: f32 = 1e-12;

struct Linear {
    /// `inputs × outputs`, row by row (the file's weight transposed).
    weight: Vec<f32>,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

struct Norm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attended: Linear,
    attended_norm: Norm,
    widen: Linear,
    narrow: Linear,
    output_norm: Norm,
}

/// The encoder's weights.
pub struct Bert {
    words: Vec<f32>,
    positions: Vec<f32>,
    kinds: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
}

/// A tensor's shape and its values.
type Tensor = (Vec<usize>, Vec<f32>);

/// Takes a named tensor out of the file's.
type Take<'a> = dyn FnMut(&str) -> Result<Tensor, EncoderError> + 'a;

/// The float tensors of a safetensors file, by name, with their shapes.
fn tensors(bytes: &[u8]) -> Result<HashMap<String, Tensor>, EncoderError> {
    let corrupt = |what: &str| EncoderError::Weights(what.to_owned());
    let len = bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| corrupt("no header"))? as usize;
    let header = bytes
        .get(8..8usize.saturating_add(len))
        .ok_or_else(|| corrupt("truncated header"))?;
    let data = &bytes[8 + len..];
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(header).map_err(|e| corrupt(&format!("header: {e}")))?;
    let mut out = HashMap::new();
    for (name, info) in header {
        if info.get("dtype").and_then(|d| d.as_str()) != Some("F32") {
            continue;
        }
        let numbers = |key: &str| -> Option<Vec<usize>> {
            info.get(key)?
                .as_array()?
                .iter()
                .map(|v| v.as_u64().map(|n| n as usize))
                .collect()
        };
        let shape = numbers("shape").ok_or_else(|| corrupt(&name))?;
        let offsets = numbers("data_offsets").ok_or_else(|| corrupt(&name))?;
        let raw = match offsets.as_slice() {
            [start, end] => data.get(*start..*end),
            _ => None,
        }
        .ok_or_else(|| corrupt(&name))?;
        if raw.len() != shape.iter().product::<usize>() * 4 {
            return Err(corrupt(&name));
        }
        let values = raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        out.insert(name, (shape, values));
    }
    Ok(out)
}

impl Bert {
    /// Reads `model.safetensors`; `heads` is the model's attention heads.
    pub fn from_safetensors(bytes: &[u8], heads: usize) -> Result<Self, EncoderError> {
        let mut t = tensors(bytes)?;
        let depth = (0..)
            .take_while(|i| {
                t.contains_key(&format!("encoder.layer.{i}.attention.self.query.weight"))
            })
            .count();
        let mut take = |name: &str| {
            t.remove(name)
                .ok_or_else(|| EncoderError::Weights(format!("no tensor {name}")))
        };
        let (shape, words) = take("embeddings.word_embeddings.weight")?;
        let hidden = *shape.get(1).ok_or(EncoderError::Weights("shape".into()))?;
        let norm = |take: &mut Take, prefix: &str| {
            Ok::<_, EncoderError>(Norm {
                gain: take(&format!("{prefix}.weight"))?.1,
                bias: take(&format!("{prefix}.bias"))?.1,
            })
        };
        let linear = |take: &mut Take, prefix: &str| {
            let (shape, weight) = take(&format!("{prefix}.weight"))?;
            let bias = take(&format!("{prefix}.bias"))?.1;
            let [outputs, inputs] = shape[..] else {
                return Err(EncoderError::Weights(format!("{prefix} is not a matrix")));
            };
            let mut transposed = vec![0.0; weight.len()];
            for o in 0..outputs {
                for i in 0..inputs {
                    transposed[i * outputs + o] = weight[o * inputs + i];
                }
            }
            Ok(Linear {
                weight: transposed,
                bias,
                inputs,
                outputs,
            })
        };
        let positions = take("embeddings.position_embeddings.weight")?.1;
        let kinds = take("embeddings.token_type_embeddings.weight")?.1;
        let embedding_norm = norm(&mut take, "embeddings.LayerNorm")?;
        let mut layers = Vec::new();
        for i in 0..depth {
            let p = format!("encoder.layer.{i}");
            layers.push(Layer {
                query: linear(&mut take, &format!("{p}.attention.self.query"))?,
                key: linear(&mut take, &format!("{p}.attention.self.key"))?,
                value: linear(&mut take, &format!("{p}.attention.self.value"))?,
                attended: linear(&mut take, &format!("{p}.attention.output.dense"))?,
                attended_norm: norm(&mut take, &format!("{p}.attention.output.LayerNorm"))?,
                widen: linear(&mut take, &format!("{p}.intermediate.dense"))?,
                narrow: linear(&mut take, &format!("{p}.output.dense"))?,
                output_norm: norm(&mut take, &format!("{p}.output.LayerNorm"))?,
            });
        }
        if layers.is_empty() {
            return Err(EncoderError::Weights("no layers".into()));
        }
        if heads == 0 || hidden % heads != 0 {
            return Err(EncoderError::Weights(format!(
                "{heads} heads for a width of {hidden}"
            )));
        }
        let sizes = [
            (words.len() % hidden, 0),
            (positions.len(), 3 * hidden),
            (kinds.len(), hidden),
            (embedding_norm.gain.len(), hidden),
        ];
        if sizes[0].0 != 0 || sizes[1..].iter().any(|(len, least)| len < least) {
            return Err(EncoderError::Weights("embedding shapes".into()));
        }
        Ok(Self {
            words,
            positions,
            kinds,
            embedding_norm,
            layers,
            hidden,
            heads,
        })
    }

    pub fn hidden(&self) -> usize {
        self.hidden
    }

    pub fn vocabulary(&self) -> usize {
        self.words.len() / self.hidden
    }

    /// The last layer's states of `sequences` (all of one length `len`, no
    /// padding), `sequences.len() / len × hidden`, row by row.
    pub fn forward(&self, sequences: &[u32], len: usize) -> Vec<f32> {
        let h = self.hidden;
        let rows = sequences.len();
        let mut x = vec![0.0f32; rows * h];
        for (r, &id) in sequences.iter().enumerate() {
            let word = &self.words[id as usize * h..(id as usize + 1) * h];
            let position = &self.positions[(r % len) * h..(r % len + 1) * h];
            let out = &mut x[r * h..(r + 1) * h];
            for j in 0..h {
                out[j] = word[j] + position[j] + self.kinds[j];
            }
        }
        normalise(&mut x, &self.embedding_norm, h);
        for layer in &self.layers {
            let q = layer.query.apply(&x);
            let k = layer.key.apply(&x);
            let v = layer.value.apply(&x);
            let mut attended = self.attend(&q, &k, &v, len);
            let mut a = layer.attended.apply(&attended);
            add(&mut a, &x);
            normalise(&mut a, &layer.attended_norm, h);
            attended.clear();
            let mut wide = layer.widen.apply(&a);
            wide.iter_mut().for_each(|w| *w = gelu(*w));
            let mut out = layer.narrow.apply(&wide);
            add(&mut out, &a);
            normalise(&mut out, &layer.output_norm, h);
            x = out;
        }
        x
    }

    /// Scaled dot-product attention within each sequence, head by head.
    fn attend(&self, q: &[f32], k: &[f32], v: &[f32], len: usize) -> Vec<f32> {
        let h = self.hidden;
        let d = h / self.heads;
        let scale = 1.0 / (d as f32).sqrt();
        let mut out = vec![0.0f32; q.len()];
        let mut scores = vec![0.0f32; len];
        for seq in 0..q.len() / (len * h) {
            let base = seq * len;
            for head in 0..self.heads {
                let cols = head * d..(head + 1) * d;
                for i in 0..len {
                    let qi = &q[(base + i) * h..][cols.clone()];
                    for (j, s) in scores.iter_mut().enumerate() {
                        let kj = &k[(base + j) * h..][cols.clone()];
                        *s = qi.iter().zip(kj).map(|(a, b)| a * b).sum::<f32>() * scale;
                    }
                    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let mut sum = 0.0;
                    for s in &mut scores {
                        *s = (*s - max).exp();
                        sum += *s;
                    }
                    let oi = &mut out[(base + i) * h..][cols.clone()];
                    for (j, s) in scores.iter().enumerate() {
                        let vj = &v[(base + j) * h..][cols.clone()];
                        for (o, x) in oi.iter_mut().zip(vj) {
                            *o += s / sum * x;
                        }
                    }
                }
            }
        }
        out
    }
}

impl Linear {
    /// `x · W + b` for each row of `x`, eight rows at a time so that each
    /// row of the weights is read once for all eight.
    fn apply(&self, x: &[f32]) -> Vec<f32> {
        let rows = x.len() / self.inputs;
        let mut out = vec![0.0f32; rows * self.outputs];
        for (block, out) in out.chunks_mut(8 * self.outputs).enumerate() {
            let first = block * 8;
            let n = out.len() / self.outputs;
            for r in 0..n {
                out[r * self.outputs..(r + 1) * self.outputs].copy_from_slice(&self.bias);
            }
            for i in 0..self.inputs {
                let w = &self.weight[i * self.outputs..(i + 1) * self.outputs];
                for r in 0..n {
                    let a = x[(first + r) * self.inputs + i];
                    let o = &mut out[r * self.outputs..(r + 1) * self.outputs];
                    for (o, w) in o.iter_mut().zip(w) {
                        *o += a * w;
                    }
                }
            }
        }
        out
    }
}

fn add(x: &mut [f32], y: &[f32]) {
    x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
}

fn normalise(x: &mut [f32], norm: &Norm, h: usize) {
    for row in x.chunks_mut(h) {
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + EPS).sqrt();
        for ((v, g), b) in row.iter_mut().zip(&norm.gain).zip(&norm.bias) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// GELU with erf, as BERT's "gelu".
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(f64::from(x) / std::f64::consts::SQRT_2) as f32)
}

/// erf from the Chebyshev fit of erfc in Numerical Recipes (`erfcc`):
/// absolute error under 1.2e-7 everywhere (ample for GELU).
fn erf(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { 1.0 - r } else { r - 1.0 }
}

#[cfg(test)]
mod tests {
    use super::erf;

    #[test]
    fn erf_is_close_to_its_known_values() {
        for (x, want) in [
            (0.0, 0.0),
            (0.5, 0.520_499_877_8),
            (1.0, 0.842_700_792_9),
            (2.0, 0.995_322_265),
        ] {
            assert!((erf(x) - want).abs() < 2e-7, "erf({x})");
            assert!((erf(-x) + want).abs() < 2e-7, "erf(-{x})");
        }
    }
}
