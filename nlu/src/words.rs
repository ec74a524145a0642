//! How names are matched: what the reader finds in an utterance and what a
//! catalog sells meet as the same keys.

/// Normalises a name for matching: lower case, letters and digits, single spaces.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            space = false;
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if c == '\'' || c == '’' {
            // "king's" -> "kings"
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The singular of a simple English plural ("burgers" -> "burger").
pub fn singular(word: &str) -> String {
    let (stem, ending) = singular_parts(word);
    [stem, ending].concat()
}

/// The singular of `word` as the part of it kept and the ending added
/// ("berries" -> "berr" and "y").
fn singular_parts(word: &str) -> (&str, &'static str) {
    if let Some(stem) = word.strip_suffix("ies") {
        return (stem, "y");
    }
    for suffix in ["ches", "shes", "oes", "sses"] {
        if word.ends_with(suffix) {
            return (&word[..word.len() - 2], "");
        }
    }
    if word.ends_with('s') && !word.ends_with("ss") && word.len() > 3 {
        return (&word[..word.len() - 1], "");
    }
    (word, "")
}

/// Normalised and singular, word by word.
pub fn item_key(name: &str) -> String {
    let normal = normalize(name);
    let mut key = String::with_capacity(normal.len() + 1);
    for (i, word) in normal.split(' ').enumerate() {
        if i > 0 {
            key.push(' ');
        }
        let (stem, ending) = singular_parts(word);
        key.push_str(stem);
        key.push_str(ending);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::{item_key, normalize, singular};

    #[test]
    fn a_name_is_lower_case_letters_and_digits_single_spaced() {
        assert_eq!(normalize("King's Cross"), "kings cross");
        assert_eq!(normalize("  Café  au-lait!! "), "café au lait");
        assert_eq!(normalize("Luigi’s  Pizza 2"), "luigis pizza 2");
        // A capital whose lower case is two characters.
        assert_eq!(normalize("İzmir"), "i\u{307}zmir");
        assert_eq!(normalize("?!"), "");
    }

    #[test]
    fn a_key_is_each_word_singular() {
        assert_eq!(item_key("Berries & Cherries"), "berry cherry");
        assert_eq!(item_key("glasses of potatoes"), "glass of potato");
        assert_eq!(item_key("dishes, boxes, bus"), "dish boxe bus");
        assert_eq!(item_key(""), "");
        assert_eq!(singular("burgers"), "burger");
        assert_eq!(singular("ties"), "ty");
        assert_eq!(singular("chess"), "chess");
    }
}
