//! The static sentence encoder: every WordPiece token's vector, distilled
//! once from a pretrained encoder (all-MiniLM-L6-v2) and committed as a
//! table (`models/tokens.table`), so that reading an utterance costs a
//! lookup and an average, not a transformer.
//!
//! Distilling ([`distil`], `errand nlu distil`): each token of the
//! vocabulary goes through the encoder alone, as `[CLS] token [SEP]`, and its
//! own output vector is kept; the 384-wide vectors are reduced to
//! [`DIMENSIONS`] by a principal component analysis of the table itself and
//! stored as 8-bit integers with one scale per row. An utterance's vector
//! ([`Table::sentence`]) is the mean of its tokens' rows, of unit length.

mod bert;
mod pca;
mod wordpiece;

pub use bert::Bert;
pub use wordpiece::WordPiece;

use super::model::{ModelError, Reader};
use std::sync::{Arc, OnceLock};

/// The width of the committed table: the study behind it found 256 as good
/// as the encoder's 384 and 128 about 0.02 macro-F1 worse.
pub const DIMENSIONS: usize = 256;

/// How many of the table's first (principal) widths a word's
/// [`Table::sense`] reads.
pub const SENSE_WIDTHS: usize = 16;

/// The committed table (see `models/README.md`).
const EMBEDDED: &[u8] = include_bytes!("../../models/tokens.table");

/// Why the encoder's files cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EncoderError {
    #[error("the encoder's weights cannot be read: {0}")]
    Weights(String),
    #[error("the encoder's tokenizer cannot be read: {0}")]
    Tokenizer(String),
}

/// Token vectors, quantised.
#[derive(Clone, PartialEq)]
pub struct Table {
    vocabulary: WordPiece,
    dims: usize,
    /// One per token: its row is `rows[id * dims..] × scale`.
    scales: Vec<f32>,
    rows: Vec<i8>,
    /// Each width's mean and standard deviation over the vocabulary, for
    /// [`Table::sense`].
    centre: Vec<f32>,
    spread: Vec<f32>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("tokens", &self.vocabulary.len())
            .field("dims", &self.dims)
            .finish_non_exhaustive()
    }
}

const MAGIC: &[u8; 8] = b"ERRTOK\x00\x00";
const VERSION: u32 = 1;

impl Table {
    /// The table built into the binary, read once per process.
    pub fn embedded() -> Result<Arc<Self>, ModelError> {
        static TABLE: OnceLock<Result<Arc<Table>, ModelError>> = OnceLock::new();
        TABLE
            .get_or_init(|| Self::decode(EMBEDDED).map(Arc::new))
            .clone()
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn vocabulary(&self) -> &WordPiece {
        &self.vocabulary
    }

    /// The utterance's vector: the mean of its tokens' rows, scaled to unit
    /// length (zeros for text with no token).
    pub fn sentence(&self, text: &str) -> Vec<f32> {
        let mut out = vec![0.0f32; self.dims];
        for id in self.vocabulary.encode(text) {
            let id = id as usize;
            let scale = self.scales[id];
            for (o, q) in out
                .iter_mut()
                .zip(&self.rows[id * self.dims..(id + 1) * self.dims])
            {
                *o += f32::from(*q) * scale;
            }
        }
        let norm = out.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|v| *v /= norm);
        }
        out
    }

    /// What a word means, coarsely: where its vector (the mean of its
    /// pieces' rows) lies on each of the first [`SENSE_WIDTHS`] principal
    /// axes, two bits an axis: 0 near the middle, 1 well above it, 2 well
    /// below (half the axis's spread from it). Words used alike share
    /// codes, so a tagger that reads them knows a word it never saw by the
    /// words it did. 0 for a word with no piece.
    pub fn sense(&self, word: &str) -> u64 {
        let mut sum = [0.0f32; SENSE_WIDTHS];
        let mut pieces = 0;
        for id in self.vocabulary.encode(word) {
            let id = id as usize;
            let scale = self.scales[id];
            let row = &self.rows[id * self.dims..id * self.dims + SENSE_WIDTHS.min(self.dims)];
            for (s, q) in sum.iter_mut().zip(row) {
                *s += f32::from(*q) * scale;
            }
            pieces += 1;
        }
        if pieces == 0 {
            return 0;
        }
        let mut code = 0u64;
        let axes = sum.iter().zip(&self.centre).zip(&self.spread);
        for (k, ((s, centre), spread)) in axes.enumerate() {
            let v = s / pieces as f32 - centre;
            let level = if v > 0.5 * spread {
                1
            } else if v < -0.5 * spread {
                2
            } else {
                0
            };
            code |= level << (2 * k);
        }
        code
    }

    /// Each width's mean and standard deviation over the rows.
    fn spreads(scales: &[f32], rows: &[i8], dims: usize) -> (Vec<f32>, Vec<f32>) {
        let mut sums = vec![0.0f64; dims];
        let mut squares = vec![0.0f64; dims];
        for (row, scale) in rows.chunks(dims).zip(scales) {
            for ((s, s2), q) in sums.iter_mut().zip(&mut squares).zip(row) {
                let v = f64::from(*q) * f64::from(*scale);
                *s += v;
                *s2 += v * v;
            }
        }
        let n = scales.len().max(1) as f64;
        let centre: Vec<f32> = sums.iter().map(|s| (s / n) as f32).collect();
        let spread = (sums.iter().zip(&squares))
            .map(|(s, s2)| (s2 / n - (s / n).powi(2)).max(0.0).sqrt() as f32)
            .collect();
        (centre, spread)
    }

    /// Quantises `vectors` (one row of `dims` per piece of `vocabulary`).
    fn quantise(vocabulary: WordPiece, vectors: &[f32], dims: usize) -> Self {
        let mut scales = Vec::with_capacity(vocabulary.len());
        let mut rows = Vec::with_capacity(vectors.len());
        for row in vectors.chunks(dims) {
            let max = row.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
            scales.push(scale);
            rows.extend(
                row.iter()
                    .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8),
            );
        }
        let (centre, spread) = Self::spreads(&scales, &rows, dims);
        Self {
            vocabulary,
            dims,
            scales,
            rows,
            centre,
            spread,
        }
    }

    /// The file format: magic, version, width, token count, each token's
    /// text (u16 length, UTF-8), each row's scale (f32), then the rows.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.rows.len() + self.scales.len() * 12);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(self.dims as u32).to_le_bytes());
        out.extend_from_slice(&(self.vocabulary.len() as u32).to_le_bytes());
        for piece in self.vocabulary.pieces() {
            // WordPiece vocabularies' pieces are a few bytes; a longer one
            // is cut at a character boundary rather than written wrong.
            let mut len = piece.len().min(u16::MAX as usize);
            while !piece.is_char_boundary(len) {
                len -= 1;
            }
            out.extend_from_slice(&(len as u16).to_le_bytes());
            out.extend_from_slice(&piece.as_bytes()[..len]);
        }
        for scale in &self.scales {
            out.extend_from_slice(&scale.to_le_bytes());
        }
        out.extend(self.rows.iter().map(|q| *q as u8));
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut r = Reader { bytes, at: 0 };
        r.header(MAGIC, VERSION)?;
        let dims = r.u32()? as usize;
        let count = r.u32()? as usize;
        if !(1..=4096).contains(&dims) || !(1..=1 << 20).contains(&count) {
            return Err(ModelError::Corrupt("table shape"));
        }
        // Each token takes at least two bytes and a row: no reservation
        // beyond what the file can hold.
        if count.saturating_mul(dims + 6) > bytes.len() {
            return Err(ModelError::Corrupt("truncated"));
        }
        let mut pieces = Vec::with_capacity(count);
        for _ in 0..count {
            let len = u16::from_le_bytes(r.array()?) as usize;
            let piece =
                std::str::from_utf8(r.take(len)?).map_err(|_| ModelError::Corrupt("token text"))?;
            pieces.push(piece.to_owned());
        }
        let scales: Vec<f32> = (0..count).map(|_| r.f32()).collect::<Result<_, _>>()?;
        if scales.iter().any(|s| !s.is_finite()) {
            return Err(ModelError::Corrupt("row scale"));
        }
        let rows: Vec<i8> = r.take(count * dims)?.iter().map(|b| *b as i8).collect();
        if r.at != bytes.len() {
            return Err(ModelError::Corrupt("trailing bytes"));
        }
        let vocabulary = WordPiece::new(pieces).ok_or(ModelError::Corrupt("no [UNK] token"))?;
        let (centre, spread) = Self::spreads(&scales, &rows, dims);
        Ok(Self {
            vocabulary,
            dims,
            scales,
            rows,
            centre,
            spread,
        })
    }
}

/// The vocabulary of a `tokenizer.json` (a WordPiece model's).
pub fn vocabulary(tokenizer_json: &[u8]) -> Result<WordPiece, EncoderError> {
    let bad = |what: &str| EncoderError::Tokenizer(what.to_owned());
    let json: serde_json::Value =
        serde_json::from_slice(tokenizer_json).map_err(|e| bad(&e.to_string()))?;
    let model = &json["model"];
    if model["type"] != "WordPiece" || model["continuing_subword_prefix"] != "##" {
        return Err(bad("not a WordPiece model with ## pieces"));
    }
    let vocab = model["vocab"].as_object().ok_or_else(|| bad("no vocab"))?;
    let mut pieces = vec![None; vocab.len()];
    for (piece, id) in vocab {
        let slot = id
            .as_u64()
            .and_then(|id| pieces.get_mut(id as usize))
            .ok_or_else(|| bad("vocab ids are not 0..n"))?;
        *slot = Some(piece.clone());
    }
    let pieces: Option<Vec<String>> = pieces.into_iter().collect();
    WordPiece::new(pieces.ok_or_else(|| bad("vocab ids are not 0..n"))?)
        .ok_or_else(|| bad("no [UNK] token"))
}

/// Distils `encoder` into a table of `dims` over `vocabulary`, on
/// `threads` threads (the result does not depend on how many).
pub fn distil(
    encoder: &Bert,
    vocabulary: WordPiece,
    dims: usize,
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Table, EncoderError> {
    let (Some(cls), Some(sep)) = (vocabulary.id("[CLS]"), vocabulary.id("[SEP]")) else {
        return Err(EncoderError::Tokenizer("no [CLS] or [SEP] token".into()));
    };
    let count = vocabulary.len();
    if count != encoder.vocabulary() {
        return Err(EncoderError::Weights(format!(
            "{} word embeddings for {count} tokens",
            encoder.vocabulary()
        )));
    }
    let h = encoder.hidden();
    if dims == 0 || dims > h {
        return Err(EncoderError::Weights(format!("{dims} dimensions of {h}")));
    }
    const BATCH: usize = 256;
    let mut own = vec![0.0f32; count * h];
    let done = std::sync::atomic::AtomicUsize::new(0);
    let per_thread = count.div_ceil(threads.max(1));
    std::thread::scope(|scope| {
        for (part, out) in own.chunks_mut(per_thread * h).enumerate() {
            let done = &done;
            scope.spawn(move || {
                let first = part * per_thread;
                for (batch, out) in out.chunks_mut(BATCH * h).enumerate() {
                    let ids = first + batch * BATCH..first + batch * BATCH + out.len() / h;
                    let sequences: Vec<u32> =
                        ids.clone().flat_map(|id| [cls, id as u32, sep]).collect();
                    let states = encoder.forward(&sequences, 3);
                    for (k, row) in out.chunks_mut(h).enumerate() {
                        row.copy_from_slice(&states[(k * 3 + 1) * h..(k * 3 + 2) * h]);
                    }
                    let n = done.fetch_add(ids.len(), std::sync::atomic::Ordering::Relaxed);
                    progress(n + ids.len(), count);
                }
            });
        }
    });
    let reduced = pca::reduce(&own, h, dims);
    Ok(Table::quantise(vocabulary, &reduced, dims))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Table {
        let pieces = ["[UNK]", "order", "a", "burger", "taxi"];
        let vocabulary =
            WordPiece::new(pieces.iter().map(|p| (*p).to_owned()).collect()).expect("vocabulary");
        let vectors = [
            0.0, 0.0, 0.0, //
            1.0, 0.0, 0.0, //
            0.0, 0.1, 0.0, //
            0.0, 1.0, 0.5, //
            0.0, -1.0, 0.5,
        ];
        Table::quantise(vocabulary, &vectors, 3)
    }

    #[test]
    fn a_sentence_is_the_unit_mean_of_its_tokens() {
        let table = small();
        let v = table.sentence("Order a burger");
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v[1] > 0.5 && v[0] > 0.4, "{v:?}");
        assert_eq!(table.sentence("!!"), vec![0.0; 3]);
    }

    #[test]
    fn a_table_reads_back_what_was_written_and_refuses_damage() {
        let table = small();
        let bytes = table.encode();
        assert_eq!(Table::decode(&bytes), Ok(table));
        assert_eq!(
            Table::decode(&bytes[..bytes.len() - 1]),
            Err(ModelError::Corrupt("truncated"))
        );
        assert_eq!(Table::decode(b"not a table at all"), Err(ModelError::Magic));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Table::decode(&longer),
            Err(ModelError::Corrupt("trailing bytes"))
        );
    }

    #[test]
    fn the_committed_table_reads() {
        let table = Table::embedded().expect("the committed table");
        assert_eq!(table.dims(), DIMENSIONS);
        assert_eq!(table.vocabulary().len(), 30_522);
        let close = |a: &str, b: &str| {
            let (a, b) = (table.sentence(a), table.sentence(b));
            a.iter().zip(&b).map(|(x, y)| x * y).sum::<f32>()
        };
        // Meaning, not spelling: a cab is nearer a taxi than a burger is.
        assert!(close("book a cab", "get me a taxi") > close("book a cab", "order a burger"));
    }

    #[test]
    fn words_used_alike_share_their_senses() {
        let table = Table::embedded().expect("the committed table");
        let shared = |a: &str, b: &str| {
            let (a, b) = (table.sense(a), table.sense(b));
            (0..SENSE_WIDTHS)
                .filter(|k| (a >> (2 * k)) & 3 == (b >> (2 * k)) & 3)
                .count()
        };
        // Coarse: most pairs, not every pair (taxi and cab share 8 of 16,
        // as taxi and lasagne do).
        assert!(shared("monday", "tuesday") > shared("monday", "pizza"));
        assert!(shared("taxi", "uber") > shared("taxi", "lasagne"));
        assert!(shared("pizza", "burger") > shared("pizza", "tuesday"));
        assert_eq!(table.sense(""), 0);
    }
}
