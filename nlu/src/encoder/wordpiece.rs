//! BERT's uncased WordPiece tokenizer, as all-MiniLM-L6-v2's
//! `tokenizer.json` configures it: text cleaned, lower-cased and stripped of
//! accents, split at white space and punctuation, then each word cut into
//! the longest pieces the vocabulary has ("##" marks a piece inside a word).
//! Without Unicode's tables it approximates two steps for text beyond
//! English: accents are stripped from Latin letters only (Greek or
//! Cyrillic accented letters stay whole), and punctuation is ASCII's and
//! Unicode's general punctuation blocks.

use std::collections::HashMap;

/// Longer words are one unknown piece, as in BERT.
const MAX_WORD_CHARS: usize = 100;

/// The vocabulary and the cutting rule.
#[derive(Clone, PartialEq)]
pub struct WordPiece {
    /// Pieces by id.
    pieces: Vec<String>,
    ids: HashMap<String, u32>,
    unknown: u32,
}

impl std::fmt::Debug for WordPiece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordPiece")
            .field("pieces", &self.pieces.len())
            .finish_non_exhaustive()
    }
}

impl WordPiece {
    /// A vocabulary of `pieces` (by id); `[UNK]` must be one of them.
    pub fn new(pieces: Vec<String>) -> Option<Self> {
        let ids: HashMap<String, u32> = pieces
            .iter()
            .enumerate()
            .map(|(id, piece)| (piece.clone(), id as u32))
            .collect();
        let unknown = *ids.get("[UNK]")?;
        Some(Self {
            pieces,
            ids,
            unknown,
        })
    }

    pub fn pieces(&self) -> &[String] {
        &self.pieces
    }

    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    pub fn id(&self, piece: &str) -> Option<u32> {
        self.ids.get(piece).copied()
    }

    /// The ids of `text`'s pieces, without `[CLS]` and `[SEP]`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        for word in words(text) {
            self.cut(&word, &mut ids);
        }
        ids
    }

    /// Greedy longest match first; a word with a part no piece covers is
    /// one `[UNK]`.
    fn cut(&self, word: &str, ids: &mut Vec<u32>) {
        if word.chars().count() > MAX_WORD_CHARS {
            ids.push(self.unknown);
            return;
        }
        let before = ids.len();
        let mut start = 0;
        let mut piece = String::with_capacity(word.len() + 2);
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while end > start {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[start..end]);
                if let Some(&id) = self.ids.get(piece.as_str()) {
                    found = Some(id);
                    break;
                }
                end = word[..end]
                    .char_indices()
                    .next_back()
                    .map_or(start, |(i, _)| i);
            }
            let Some(id) = found else {
                ids.truncate(before);
                ids.push(self.unknown);
                return;
            };
            ids.push(id);
            start = end;
        }
    }
}

/// The text's words as BERT's basic tokenizer makes them: control
/// characters dropped, lower case without accents, each punctuation mark
/// and each CJK ideograph a word of its own.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let end_word = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            out.push(std::mem::take(word));
        }
    };
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()) || invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            end_word(&mut word, &mut out);
        } else if punctuation(c) || ideograph(c) {
            end_word(&mut word, &mut out);
            out.push(c.to_string());
        } else {
            for lower in c.to_lowercase() {
                if let Some(base) = unaccented(lower) {
                    word.push(base);
                } else if !combining_mark(lower) {
                    word.push(lower);
                }
            }
        }
    }
    end_word(&mut word, &mut out);
    out
}

/// BERT's punctuation: ASCII symbols and Unicode's punctuation blocks.
fn punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32,
            0xa1 | 0xa7 | 0xab | 0xb6 | 0xb7 | 0xbb | 0xbf
            | 0x2010..=0x2027 | 0x2030..=0x205e | 0x3001..=0x3003 | 0x3008..=0x3011
            | 0xff01..=0xff0f | 0xff1a..=0xff20)
}

/// Format and private-use characters, which BERT drops with the control
/// characters: soft hyphens, zero-width spaces and joiners, direction
/// marks, byte-order marks.
fn invisible(c: char) -> bool {
    matches!(c as u32,
        0xad | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb
        | 0xe000..=0xf8ff | 0xe0000..=0xe007f | 0xf0000..=0x10ffff)
}

fn ideograph(c: char) -> bool {
    matches!(c as u32,
        0x4e00..=0x9fff | 0x3400..=0x4dbf | 0x20000..=0x2a6df | 0x2a700..=0x2b73f
        | 0x2b740..=0x2b81f | 0x2b820..=0x2ceaf | 0xf900..=0xfaff | 0x2f800..=0x2fa1f)
}

fn combining_mark(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36f)
}

/// The letter without its accent, for the Latin letters English text
/// borrows (what NFD then dropping marks gives).
fn unaccented(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> WordPiece {
        let pieces = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "order", "me", "a", "burger", "##s", "cafe", "'",
            "d", "i", "like", "un", "##aff", "##able", ",", "!",
        ];
        WordPiece::new(pieces.iter().map(|p| (*p).to_owned()).collect()).expect("a vocabulary")
    }

    fn pieces(text: &str) -> Vec<String> {
        let v = vocab();
        v.encode(text)
            .into_iter()
            .map(|id| v.pieces()[id as usize].clone())
            .collect()
    }

    #[test]
    fn words_are_cut_into_the_longest_pieces() {
        assert_eq!(
            pieces("Order me a burgers!"),
            ["order", "me", "a", "burger", "##s", "!"]
        );
        assert_eq!(pieces("unaffable"), ["un", "##aff", "##able"]);
        // Accents go, punctuation splits, unknown words are one piece.
        assert_eq!(
            pieces("I'd like a Café, zzz"),
            ["i", "'", "d", "like", "a", "cafe", ",", "[UNK]"]
        );
        assert_eq!(pieces("burgerx"), ["[UNK]"]);
        assert!(pieces(" \t\u{0}").is_empty());
        // Invisible characters go as BERT drops them.
        assert_eq!(
            pieces("\u{feff}order\u{200b} me a bur\u{ad}ger"),
            ["order", "me", "a", "burger"]
        );
    }

    #[test]
    fn a_vocabulary_needs_its_unknown_piece() {
        assert!(WordPiece::new(vec!["a".into()]).is_none());
    }
}
