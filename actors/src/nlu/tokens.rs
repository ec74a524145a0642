//! Words with their places in the text, and number words: shared by the
//! rule reader and the trained model.

/// One word of the utterance with where it stands in the original text.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    /// Lower case, letters and digits only.
    pub norm: String,
    pub start: usize,
    pub end: usize,
}

pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() || ((c == '\'' || c == '’') && current.is_some()) {
            let entry = current.get_or_insert_with(|| (i, String::new()));
            if c.is_alphanumeric() {
                entry.1.extend(c.to_lowercase());
            }
        } else if let Some((start, norm)) = current.take() {
            tokens.push(Token {
                norm,
                start,
                end: i,
            });
        }
    }
    if let Some((start, norm)) = current {
        tokens.push(Token {
            norm,
            start,
            end: text.len(),
        });
    }
    // A trailing apostrophe belongs to no word ("drivers'").
    tokens
}

pub(crate) fn number_word(word: &str) -> Option<u32> {
    Some(match word {
        "a" | "an" | "one" | "single" => 1,
        "two" | "couple" | "pair" => 2,
        "three" | "few" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" | "dozen" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        _ => {
            let digits = word.trim_end_matches('x');
            if !digits.is_empty() && digits.len() <= 3 && digits.chars().all(|c| c.is_ascii_digit())
            {
                return digits.parse().ok();
            }
            return None;
        }
    })
}
