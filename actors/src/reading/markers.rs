//! A fixed list of phrases looked for in an utterance in one pass.
//!
//! The reader's marker lists ("tell the driver", "if they don't have",
//! …) run to a hundred phrases, and looking for each with `str::find`
//! sets up a searcher per phrase per utterance: in a turn that cost more
//! than reading the words. A `Markers` is built once (an Aho-Corasick
//! automaton over the list) and finds every phrase of it in one scan.

use aho_corasick::AhoCorasick;

/// The phrases of one list, and the automaton that finds them.
pub struct Markers {
    phrases: &'static [&'static str],
    automaton: AhoCorasick,
}

impl Markers {
    /// The list's phrases, as written (matched exactly, bytes for bytes).
    ///
    /// # Panics
    /// Never for a list of phrases: the automaton's only failure is a
    /// size past its limits, far beyond any word list.
    pub fn new(phrases: &'static [&'static str]) -> Self {
        let automaton = AhoCorasick::new(phrases).expect("a word list fits an automaton");
        Self { phrases, automaton }
    }

    /// Each place a phrase of the list starts in `text`, overlaps
    /// included, in the order they end: (the phrase, its byte position).
    pub fn each_in<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (&'static str, usize)> + 'a {
        self.automaton
            .find_overlapping_iter(text)
            .map(|m| (self.phrases[m.pattern().as_usize()], m.start()))
    }

    /// As [`Markers::each_in`], only where the phrase is whole words: a
    /// phrase starting or ending with a letter or digit is not part of a
    /// longer word there ("actually no" is not in "actually not").
    pub fn words_in<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (&'static str, usize)> + 'a {
        let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        self.each_in(text).filter(move |(phrase, at)| {
            let (before, after) = (
                text[..*at].chars().next_back(),
                text[at + phrase.len()..].chars().next(),
            );
            let glued_before = alnum(phrase.chars().next()) && alnum(before);
            let glued_after = alnum(phrase.chars().next_back()) && alnum(after);
            !glued_before && !glued_after
        })
    }

    /// The phrase said first in `text`, the longest of those starting
    /// there: (the phrase, its byte position).
    pub fn first_in(&self, text: &str) -> Option<(&'static str, usize)> {
        self.each_in(text)
            .min_by_key(|(phrase, at)| (*at, std::cmp::Reverse(phrase.len())))
    }
}

#[cfg(test)]
mod tests {
    use super::Markers;

    const LIST: &[&str] = &[
        "tell the driver",
        "tell the driver to",
        "the driver",
        "ring",
    ];

    #[test]
    fn every_phrase_is_found_where_it_starts_overlaps_included() {
        let markers = Markers::new(LIST);
        let mut found: Vec<_> = markers.each_in("please tell the driver to ring").collect();
        found.sort_by_key(|(phrase, at)| (*at, phrase.len()));
        assert_eq!(
            found,
            [
                ("tell the driver", 7),
                ("tell the driver to", 7),
                ("the driver", 12),
                ("ring", 26)
            ]
        );
    }

    #[test]
    fn whole_words_only_where_asked() {
        let markers = Markers::new(&["actually no", ", actually"]);
        let found: Vec<_> = markers.words_in("eggs, actually not eggs").collect();
        assert_eq!(found, [(", actually", 4)]);
        let found: Vec<_> = markers.words_in("eggs actually no eggs").collect();
        assert_eq!(found, [("actually no", 5)]);
    }

    #[test]
    fn the_first_phrase_is_the_leftmost_then_the_longest() {
        let markers = Markers::new(LIST);
        assert_eq!(
            markers.first_in("so tell the driver to wait"),
            Some(("tell the driver to", 3))
        );
        assert_eq!(
            markers.first_in("the driver can ring"),
            Some(("the driver", 0))
        );
        assert_eq!(markers.first_in("nothing here"), None);
    }
}
