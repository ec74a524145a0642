//! Words of an utterance with where they are, and the numbers people say.

/// One word: its text as written and where it is in the utterance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// The words of an utterance.
#[derive(Clone, Debug)]
pub struct Words {
    pub text: String,
    pub words: Vec<Word>,
    /// Each word lower case, without the punctuation around it.
    norms: Vec<String>,
}

impl Words {
    pub fn new(text: &str) -> Self {
        let mut words = Vec::new();
        let mut norms = Vec::new();
        let mut start = None;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let part_of_word = |k: usize| {
            let c = chars[k].1;
            if c.is_alphanumeric() || c == '£' || c == '$' || c == '€' {
                return true;
            }
            // An apostrophe, a colon or a dot between letters or digits
            // ("king's", "5:30", "1.5").
            let inner = k > 0
                && k + 1 < chars.len()
                && chars[k - 1].1.is_alphanumeric()
                && chars[k + 1].1.is_alphanumeric();
            inner && matches!(c, '\'' | '’' | ':' | '.' | '-')
        };
        for k in 0..=chars.len() {
            let inside = k < chars.len() && part_of_word(k);
            match (inside, start) {
                (true, None) => start = Some(k),
                (false, Some(s)) => {
                    let from = chars[s].0;
                    let to = chars.get(k).map_or(text.len(), |c| c.0);
                    let raw = &text[from..to];
                    let norm = match raw.is_ascii() {
                        true => raw.to_ascii_lowercase(),
                        false => raw.to_lowercase().replace('’', "'"),
                    };
                    norms.push(norm);
                    words.push(Word {
                        text: raw.to_owned(),
                        start: from,
                        end: to,
                    });
                    start = None;
                }
                _ => {}
            }
        }
        Self {
            text: text.to_owned(),
            words,
            norms,
        }
    }

    /// The lower-case words.
    pub fn norm(&self) -> &[String] {
        &self.norms
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The utterance's text from word `from` to before word `to`, as written.
    pub fn span(&self, from: usize, to: usize) -> &str {
        if from >= to || to > self.words.len() {
            return "";
        }
        &self.text[self.words[from].start..self.words[to - 1].end]
    }

    /// Whether the words `phrase` (lower case, spaces) start at `i`.
    pub fn phrase_at(&self, i: usize, phrase: &str) -> bool {
        let parts: Vec<&str> = phrase.split(' ').collect();
        parts.len() + i <= self.norms.len()
            && parts
                .iter()
                .enumerate()
                .all(|(k, p)| self.norms[i + k] == *p)
    }

    /// Where the words `phrase` first start.
    pub fn find(&self, phrase: &str) -> Option<usize> {
        (0..self.norms.len()).find(|&i| self.phrase_at(i, phrase))
    }

    pub fn has(&self, word: &str) -> bool {
        self.norms.iter().any(|w| w == word)
    }

    /// The lower-case words joined by single spaces.
    pub fn joined(&self) -> String {
        self.norms.join(" ")
    }
}

const NUMBERS: [&str; 21] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// A count written as digits or a word ("2", "two", "thirty"); not "a".
pub fn number(word: &str) -> Option<u32> {
    if !word.is_empty() && word.len() <= 4 && word.chars().all(|c| c.is_ascii_digit()) {
        return word.parse().ok();
    }
    if let Some(n) = NUMBERS.iter().position(|w| *w == word) {
        return Some(n as u32);
    }
    // "twenty-five".
    if let Some((tens, unit)) = word.split_once('-') {
        return Some(self::tens(tens)? + number(unit).filter(|u| (1..10).contains(u))?);
    }
    tens(word)
}

/// "thirty", "forty"... as a number.
pub fn tens(word: &str) -> Option<u32> {
    Some(match word {
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_places() {
        let w = Words::new("Two pizzas from Luigi's, at 5:30pm!");
        assert_eq!(
            w.norm(),
            ["two", "pizzas", "from", "luigi's", "at", "5:30pm"]
        );
        assert_eq!(w.span(2, 4), "from Luigi's");
        assert!(w.phrase_at(2, "from luigi's"));
        assert_eq!(w.find("at 5:30pm"), Some(4));
    }

    #[test]
    fn numbers() {
        assert_eq!(number("12"), Some(12));
        assert_eq!(number("twelve"), Some(12));
        assert_eq!(number("a"), None);
        assert_eq!(number("221b"), None);
        assert_eq!(number("twenty-five"), Some(25));
        assert_eq!(number("forty"), Some(40));
        assert_eq!(number("twenty-ten"), None);
    }
}
