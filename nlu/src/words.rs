//! How names are matched: what the reader finds in an utterance and what a
//! catalog sells meet as the same keys.

/// Normalises a name for matching: lower case, letters and digits, single spaces.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if c == '\'' || c == '’' {
            // "king's" -> "kings"
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_owned()
}

/// The singular of a simple English plural ("burgers" -> "burger").
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["ches", "shes", "oes", "sses"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_owned();
        }
    }
    if word.ends_with('s') && !word.ends_with("ss") && word.len() > 3 {
        return word[..word.len() - 1].to_owned();
    }
    word.to_owned()
}

/// Normalised and singular, word by word.
pub fn item_key(name: &str) -> String {
    normalize(name)
        .split(' ')
        .map(singular)
        .collect::<Vec<_>>()
        .join(" ")
}
