//! What an utterance does in the conversation, before what it orders: a
//! yes or a no to a confirmation, a greeting or thanks, a question about
//! what errand can do, about prices, menus or a placed order, a request to
//! cancel a placed order, or a change to what was just said.

use super::words::{Words, number};

/// A conversational act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Act {
    /// "yes", "yep", "go ahead", "place it".
    Yes,
    /// A bare refusal: "no", "cancel", "don't", "never mind".
    No,
    /// "no, to work instead": a refusal of what was proposed followed by
    /// a change, which is the change (its text).
    Instead(String),
    Greeting,
    Thanks,
    /// "bye", "see you".
    Goodbye,
    /// "what can you do?", "help".
    Help,
    /// "how much is a cheeseburger?": what it asks the price of.
    Price(String),
    /// "is the bacon burger any good?", "what's in the korma?": a
    /// question about a thing (what errand knows of it is the menu's).
    AboutDish(String),
    /// "what's on the menu at Dragon Wok?": the restaurant, if named.
    Menu(Option<String>),
    /// "who does sushi?": what it asks for.
    WhoServes(String),
    /// "what drinks do they have?": what it asks for, of the shop of the
    /// order under way.
    TheyServe(String),
    /// "what's the cheapest pizza?": of what.
    Cheapest(String),
    /// "is Luigi's open?", "when does Dragon Wok close?": what it asks
    /// about (the whole question).
    Hours(String),
    /// "where is my order?", "how long will it take?".
    Status,
    /// "do you deliver to canary wharf?": the place asked about, and
    /// whether errand's places know it (acts cannot tell:
    /// [`crate::dialogue::hear::prepare`] looks).
    DeliversTo {
        place: String,
        known: bool,
    },
    /// "cancel my last order", "cancel that ride": the domain named, if any.
    CancelPlaced(Option<&'static str>),
    /// "my last order was wrong", "the eggs arrived cracked", "my
    /// delivery never showed up": a problem with an order that was
    /// delivered, never a new order of what it names.
    Complaint,
    /// "what?", "huh", "I don't know": no answer at all.
    Unclear,
}

/// Things people say that answer nothing.
const UNCLEAR: &[&str] = &[
    "what",
    "huh",
    "pardon",
    "sorry",
    "eh",
    "hmm",
    "um",
    "uh",
    "what do you mean",
    "come again",
    "excuse me",
    "i don't know",
    "i dont know",
    "dunno",
    "not sure",
    "i'm not sure",
    "no idea",
    "say again",
    "what was that",
    "repeat that",
    "can you repeat that",
    "what did you say",
    "pardon me",
    "whatever",
    "idk",
    "?",
    "??",
    "what's that",
    "i don't understand",
];

const YES: &[&str] = &[
    "yes",
    "y",
    "ye",
    "yh",
    "yas",
    "yass",
    "yesss",
    "yeah",
    "yep",
    "yup",
    "ya",
    "yea",
    "sure",
    "ok",
    "okay",
    "k",
    "alright",
    "confirm",
    "confirmed",
    "correct",
    "absolutely",
    "definitely",
    "certainly",
    "affirmative",
    "aye",
    "perfect",
    "great",
    "lovely",
    "cool",
    "fine",
    "brilliant",
    "excellent",
    "right",
];

/// What may follow a yes and still be only a yes.
const YES_TAIL: &[&str] = &[
    "please",
    "thanks",
    "thank",
    "you",
    "go",
    "ahead",
    "do",
    "it",
    "place",
    "book",
    "order",
    "that",
    "that's",
    "thats",
    "is",
    "right",
    "correct",
    "sounds",
    "good",
    "great",
    "perfect",
    "fine",
    "sure",
    "the",
    "yes",
    "yeah",
    "ok",
    "okay",
    "confirm",
    "lets",
    "let's",
    "with",
    "proceed",
    "of",
    "course",
    "by",
    "all",
    "means",
    "go",
    "for",
    "looks",
    "sure",
    "yep",
    "absolutely",
    "definitely",
    "works",
    "for",
    "me",
    "i",
    "agree",
    "mate",
    "cheers",
    "send",
    "please",
    "buy",
    "get",
    "make",
    "so",
    "exactly",
    "indeed",
    "totally",
    "thing",
    "on",
    "then",
    "now",
    "just",
    "lovely",
    "nice",
    "cool",
];

/// Whole phrases that are a yes.
const YES_PHRASES: &[&str] = &[
    "i guess",
    "i guess so",
    "guess so",
    "i suppose",
    "i suppose so",
    "suppose so",
    "order from there",
    "yes order from there",
    "yes please order from there",
    "ok order from there",
    "okay order from there",
    "from there",
    "yes from there",
    "get it from there",
    "yes get it from there",
    "that one",
    "yes that one",
    "go with that",
    "yes go with that",
    "go ahead",
    "do it",
    "place it",
    "place the order",
    "book it",
    "order it",
    "sounds good",
    "that's right",
    "thats right",
    "that's fine",
    "of course",
    "please do",
    "let's do it",
    "lets do it",
    "go for it",
    "make it so",
    "i do",
    "yes please",
    "send it",
    "confirm it",
    "looks good",
    "works for me",
    "why not",
    "go on",
    "go on then",
    "that works",
    "all good",
    "spot on",
    "deal",
    "done",
    // (Of two to come: the first now, the next asked after it.)
    "yes to both",
    "yes to all",
    "yes to everything",
    "yes both",
    "yes to both please",
];

const NO: &[&str] = &[
    "no",
    "nope",
    "nah",
    "cancel",
    "don't",
    "dont",
    "stop",
    "negative",
    "nevermind",
    "abort",
];

/// Whole phrases that are a no.
const NO_PHRASES: &[&str] = &[
    "never mind",
    "forget it",
    "forget about it",
    "not now",
    "no thanks",
    "no thank you",
    "cancel it",
    "cancel that",
    "cancel this",
    "cancel the order",
    "don't bother",
    "dont bother",
    "do not",
    "scratch that",
    "i changed my mind",
    "changed my mind",
    "not anymore",
    "leave it",
    "skip it",
    "i don't want it",
    "i dont want it",
    "no don't",
    "please don't",
    "no cancel",
    "no cancel it",
    "no stop",
    "no way",
    "not really",
    "no i don't",
    // (Of two to come: neither, see `dialogue::says_all`.)
    "no to both",
    "no to all",
    "no to everything",
    "neither",
    "neither of them",
];

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "howdy",
    "yo",
    "greetings",
    "morning",
    "evening",
    "afternoon",
    "sup",
    "heya",
    "hallo",
    "hullo",
];

const THANKS: &[&str] = &[
    "thanks",
    "thank you",
    "thank you so much",
    "thanks a lot",
    "thanks so much",
    "many thanks",
    "cheers",
    "ta",
    "thx",
    "great thanks",
    "awesome",
    "amazing",
    "brilliant thanks",
    "perfect thanks",
    "that's great",
    "that's all",
    "that's all thanks",
    "nothing else",
    "no that's all",
];

/// Goodbyes.
const FAREWELLS: &[&str] = &[
    "bye",
    "goodbye",
    "good bye",
    "bye bye",
    "see you",
    "see ya",
    "see you later",
    "later",
    "cheers bye",
    "thanks bye",
    "ok bye",
    "that's all bye",
    "night",
    "good night",
];

const HELP: &[&str] = &[
    "help",
    "what can you do",
    "what do you do",
    "what can i do",
    "what can you help with",
    "what can you help me with",
    "how can you help",
    "how can you help me",
    "what are you",
    "who are you",
    "how does this work",
    "what can i ask",
    "what can i ask you",
    "what can i order",
    "what services do you offer",
    "what do you offer",
    "what are my options",
    "options",
    "what can you do for me",
    "what are you able to do",
    "what else can you do",
    "can you help me",
    "help me",
    "i need help",
];

/// "what do you sell?", "which things can I get here?": a short question
/// about errand itself, made only of these words.
fn asks_what_errand_does(w: &[&str]) -> bool {
    const ASKER: &[&str] = &["you", "i", "we", "errand"];
    const VERB: &[&str] = &[
        "do", "sell", "offer", "order", "help", "get", "buy", "book", "deliver", "provide",
        "support", "handle", "have", "stock",
    ];
    const AROUND: &[&str] = &[
        "what", "which", "can", "could", "do", "does", "are", "is", "things", "stuff", "kind",
        "kinds", "sort", "sorts", "type", "types", "of", "services", "else", "for", "me", "us",
        "able", "to", "exactly", "actually", "here", "the", "with", "through", "from", "really",
        "you", "i", "we", "errand",
    ];
    matches!(w.first(), Some(&("what" | "which")))
        && w.len() <= 9
        && w.iter().any(|x| ASKER.contains(x))
        && w.iter().any(|x| VERB.contains(x))
        && w.iter().all(|x| AROUND.contains(x) || VERB.contains(x))
}

/// "do you deliver groceries?", "can you book rides?": whether errand does
/// a kind of thing (a bare plural or a domain's word, never "a cab to
/// work").
fn asks_if_errand_does(w: &[&str], question: bool) -> bool {
    const VERB: &[&str] = &[
        "deliver", "book", "order", "get", "do", "sell", "bring", "arrange",
    ];
    const KINDS: &[&str] = &[
        "food",
        "groceries",
        "shopping",
        "takeaway",
        "takeout",
        "delivery",
    ];
    // The verb after "do you", "can you".
    let Some(verb) = w
        .iter()
        .skip(2)
        .position(|x| VERB.contains(x))
        .map(|v| v + 2)
    else {
        return false;
    };
    let asks = matches!(
        w[..verb],
        ["do", "you"]
            | ["can", "you"]
            | ["could", "you"]
            | ["will", "you"]
            | ["do", "you", "also"]
            | ["can", "you", "also"]
            | ["are", "you", "able", "to"]
    );
    let rest = &w[verb + 1..];
    question
        && asks
        && (1..=2).contains(&rest.len())
        && rest
            .iter()
            .all(|x| KINDS.contains(x) || (x.len() > 3 && x.ends_with('s') && !x.ends_with("ss")))
}

/// "do you deliver to canary wharf", "can you guys deliver to work?",
/// "do you do deliveries to E14": the place, as said. Not when a thing is
/// asked for ("can you deliver a pizza to work" is an order).
fn delivers_to(w: &[&str], words: &Words) -> Option<String> {
    let verb = w
        .iter()
        .position(|x| matches!(*x, "deliver" | "deliveries" | "delivery"))?;
    // "hi, ...", "quick question, ...", "I was wondering if you ...".
    let mut lead = &w[..verb];
    while let [first, rest @ ..] = lead
        && matches!(
            *first,
            "hi" | "hello"
                | "hey"
                | "so"
                | "oh"
                | "ok"
                | "okay"
                | "and"
                | "quick"
                | "question"
                | "i"
                | "was"
                | "im"
                | "wondering"
                | "just"
                | "checking"
                | "but"
        )
    {
        lead = rest;
    }
    let asks = matches!(
        lead,
        ["do", "you"]
            | ["if", "you"]
            | ["whether", "you"]
            | ["do", "you", "guys"]
            | ["can", "you"]
            | ["can", "you", "guys"]
            | ["could", "you"]
            | ["will", "you"]
            | ["would", "you"]
            | ["do", "you", "do"]
            | ["does", "errand"]
            | ["does", "errand", "do"]
            | ["is", "there"]
            | ["is", "there", "any"]
    );
    let to = verb + 1;
    if !asks || w.get(to) != Some(&"to") || to + 1 >= w.len() {
        return None;
    }
    // ASCII case only, so a position in `lower` is one in the text.
    let lower = words.text.to_ascii_lowercase();
    let at = lower.find("deliver")?;
    let from = at + lower[at..].find(" to ")? + " to ".len();
    let place = words.text[from..]
        .trim()
        .trim_end_matches(['?', '.', '!'])
        .trim();
    (!place.is_empty()).then(|| place.to_owned())
}

/// Filler around an act ("please", "errand", "um").
const FILLER: &[&str] = &[
    "please", "errand", "um", "uh", "erm", "oh", "well", "so", "hmm", "there", "mate", "wait",
    "oops", "whoops", "damn",
];

/// "ummm", "hmmmm", "errr": a sound drawn out is the sound.
fn drawn_out(word: &str) -> &str {
    let mut squeezed = String::new();
    for c in word.chars() {
        if !squeezed.ends_with(c) {
            squeezed.push(c);
        }
    }
    match squeezed.as_str() {
        "um" | "uhm" => "um",
        "uh" | "ah" => "uh",
        "hm" | "mh" | "m" => "hmm",
        "er" | "erm" => "erm",
        "eh" => "eh",
        "huh" => "huh",
        _ => word,
    }
}

/// Reads the act of `text`, if it is one.
pub fn read(text: &str) -> Option<Act> {
    let words = Words::new(text);
    let all: Vec<&str> = words.norm().iter().map(|w| drawn_out(w)).collect();
    let w: Vec<&str> = trim_filler(&all);
    if w.is_empty() {
        return (!all.is_empty()
            || text.trim().chars().all(|c| c == '?') && !text.trim().is_empty())
        .then_some(Act::Unclear);
    }
    let joined = w.join(" ");
    if UNCLEAR.contains(&joined.as_str()) {
        return Some(Act::Unclear);
    }
    let question = text.trim_end().ends_with('?');
    if let Some(act) = cancel_placed(&w) {
        return Some(act);
    }
    // "I forgot my wallet, cancel the cab", "I'm running late so cancel
    // it": the reason, then the cancel.
    if let Some((_, last)) = text
        .rsplit_once([',', ';', '.'])
        .or_else(|| text.rsplit_once(" so "))
        && let last_words = Words::new(last)
        && let said = last_words
            .norm()
            .iter()
            .map(|x| drawn_out(x))
            .collect::<Vec<_>>()
        && said
            .first()
            .is_some_and(|x| matches!(*x, "cancel" | "please" | "just" | "so"))
        && let clause = trim_filler(&said)
        && !clause.is_empty()
        && let Some(act) = cancel_placed(&clause)
    {
        return Some(act);
    }
    // ("no wait, yes", "no sorry yes please": the yes said last.)
    let taken_back = match w.as_slice() {
        ["no" | "nah", "wait" | "sorry" | "actually", rest @ ..] => Some(rest),
        ["wait" | "sorry", rest @ ..] => Some(rest),
        _ => None,
    };
    if YES_PHRASES.contains(&joined.as_str())
        || YES_PHRASES.contains(&all.join(" ").as_str())
        || yes_words(&w)
        || taken_back.is_some_and(|rest| !rest.is_empty() && yes_words(rest))
    {
        return Some(Act::Yes);
    }
    if let Some(act) = refusal(&w, &words) {
        return Some(act);
    }
    if THANKS.contains(&joined.as_str()) {
        return Some(Act::Thanks);
    }
    if FAREWELLS.contains(&joined.as_str()) {
        return Some(Act::Goodbye);
    }
    let bare_greeting = w.len() <= 4
        && (GREETINGS.contains(&w[0])
            || joined.starts_with("good morning")
            || joined.starts_with("good afternoon")
            || joined.starts_with("good evening"))
        && w.iter().all(|x| {
            GREETINGS.contains(x)
                || matches!(
                    *x,
                    "good"
                        | "there"
                        | "you"
                        | "how"
                        | "are"
                        | "is"
                        | "it"
                        | "going"
                        | "all"
                        | "guys"
                        | "friend"
                )
        });
    if bare_greeting {
        return Some(Act::Greeting);
    }
    if HELP.contains(&joined.as_str())
        || asks_what_errand_does(&w)
        || asks_if_errand_does(&w, question)
    {
        return Some(Act::Help);
    }
    if complains(&w) {
        return Some(Act::Complaint);
    }
    if let Some(act) = status(&w, &joined) {
        return Some(act);
    }
    if let Some(place) = delivers_to(&w, &words) {
        return Some(Act::DeliversTo {
            place,
            known: false,
        });
    }
    if let Some(act) = catalog_question(&w, &words, question) {
        return Some(act);
    }
    about_a_dish(&w).map(Act::AboutDish)
}

/// Whether the words tell of a problem with a delivered order ("they
/// sent semi skimmed instead of whole", "you forgot the butter in my last
/// shop", "the eggs arrived cracked", "it never showed up", "I want a
/// refund") and ask for nothing new ("..., can you send some more").
fn complains(w: &[&str]) -> bool {
    let has = |x: &str| w.contains(&x);
    let pair = |a: &str, b: &[&str]| w.windows(2).any(|p| p[0] == a && b.contains(&p[1]));
    const BAD: &[&str] = &[
        "cracked", "broken", "damaged", "squashed", "smashed", "crushed", "spilled", "spilt",
        "leaking", "rotten", "mouldy", "moldy", "stale", "cold", "soggy", "brown", "wrong",
        "missing", "late", "melted", "burnt", "raw", "open",
    ];
    let past = has("last") || has("yesterday") || has("earlier") || has("delivered");
    let cues = pair("they", &["sent", "forgot", "gave", "delivered", "brought"])
        || pair("you", &["sent", "forgot", "gave", "delivered", "brought"])
        || pair("sent", &["me", "us"]) && (has("instead") || has("wrong"))
        || pair(
            "never",
            &["arrived", "came", "showed", "turned", "got", "delivered"],
        )
        || (has("arrived") || has("came") || has("were") || has("was"))
            && w.iter().any(|x| BAD.contains(x))
            && (past || has("arrived") || has("came"))
        || pair("forgot", &["the", "my", "to"]) && past
        || has("refund")
            && (has("want") || has("need") || has("get") || has("give"))
            && !has("cancel")
        || has("complain")
        || has("complaint")
        // "i want to return the milk", "send the eggs back": goods
        // returned (never "a return taxi", "return the car at 5").
        || w.windows(3).any(|p| {
            p[0] == "return"
                && matches!(p[1], "the" | "my" | "these" | "this" | "those" | "them" | "it")
                && !matches!(
                    p[2],
                    "ride" | "taxi" | "cab" | "car" | "journey" | "trip" | "way" | "flight"
                )
        })
        || pair("send", &["back"])
        || w.windows(4).any(|p| p[0] == "send" && p[3] == "back");
    // ("you forgot the butter, can you send some": a request after all;
    // "can I get a refund" asks for nothing to buy.)
    let asks = !has("refund")
        && (pair("can", &["you", "i", "we"])
            || pair("could", &["you", "i", "we"])
            || pair("please", &["send", "get", "order", "add"])
            || pair("get", &["me", "us"])
            || has("order") && !past);
    cues && !asks
}

/// "is the bacon burger any good?", "what's in the korma?", "how big is
/// the pizza?": a question about a thing, never a request for it.
fn about_a_dish(w: &[&str]) -> Option<String> {
    const LEADS: &[&[&str]] = &[
        &["how", "big", "is"],
        &["how", "spicy", "is"],
        &["how", "hot", "is"],
        &["how", "large", "is"],
        &["what's", "in"],
        &["whats", "in"],
        &["what", "is", "in"],
        &["what", "comes", "with"],
        &["is"],
        &["are"],
    ];
    const TAILS: &[&[&str]] = &[
        &["any", "good"],
        &["good"],
        &["nice"],
        &["tasty"],
        &["spicy"],
        &["hot"],
        &["big"],
        &["worth", "it"],
        &["filling"],
        &["popular"],
    ];
    // "does it have nuts?", "is it spicy?", "is there garlic in it?": of
    // what is being ordered.
    let of_it = matches!(
        w,
        [
            "does" | "do",
            "it" | "that" | "this" | "they",
            "have" | "contain" | "come" | "include" | "use",
            ..
        ]
    )
    // "is that with chicken or prawn?", "what's it made with?"
        || matches!(
            w,
            [
                "is" | "are",
                "it" | "that" | "this" | "they",
                "with" | "made" | "served" | "cooked",
                ..
            ]
        )
        || matches!(
            w,
            ["what's" | "whats", "it" | "that" | "this", "made" | "served" | "cooked", ..]
        )
        || matches!(
            w,
            [
                "what",
                "is" | "does" | "do",
                "it" | "that" | "this" | "they",
                "made" | "served" | "come" | "have",
                ..
            ]
        )
        || matches!(
            w,
            [
                "is" | "are",
                "it" | "they" | "that",
                "spicy"
                    | "hot"
                    | "vegan"
                    | "vegetarian"
                    | "halal"
                    | "kosher"
                    | "gluten-free"
                    | "dairy-free"
                    | "nut-free"
                    | "safe",
                ..
            ]
        )
        || matches!(w, ["is" | "are", "there", .., "in", "it" | "them" | "that"]);
    if of_it {
        return Some("it".into());
    }
    // "what's the veggie burger like?".
    let like = match w {
        ["what's" | "whats", rest @ .., "like"] => Some(rest),
        ["what", "is" | "are" | "was", rest @ .., "like"] => Some(rest),
        _ => None,
    };
    let rest = match like {
        Some(rest) => rest,
        None => {
            let lead = LEADS.iter().find(|lead| w.starts_with(lead))?;
            let rest = &w[lead.len()..];
            match lead[0] {
                "is" | "are" => {
                    let tail = TAILS.iter().find(|tail| rest.ends_with(tail))?;
                    &rest[..rest.len() - tail.len()]
                }
                _ => rest,
            }
        }
    };
    let rest: Vec<&str> = rest
        .iter()
        .copied()
        .skip_while(|x| matches!(*x, "the" | "a" | "an" | "your" | "their"))
        .collect();
    // ("is 7 good?", "is tomorrow ok?", "is that one spicy": no dish.)
    let pronoun = rest.iter().any(|x| {
        number(x).is_some()
            || matches!(
                *x,
                "it" | "that"
                    | "they"
                    | "this"
                    | "them"
                    | "one"
                    | "today"
                    | "tomorrow"
                    | "tonight"
                    | "half"
                    | "quarter"
                    | "noon"
                    | "midday"
                    | "am"
                    | "pm"
                    | "time"
            )
    });
    (!rest.is_empty() && rest.len() <= 4 && !pronoun).then(|| rest.join(" "))
}

/// What people say before what they ask, in any order ("oh please can
/// you", "actually, could we", "sorry, can i"): lower-case `text` without
/// it.
pub fn without_courtesy(text: &str) -> &str {
    const LEADS: &[&str] = &[
        "actually, ",
        "actually ",
        "oh ",
        "ok ",
        "okay ",
        "sorry ",
        "sorry, ",
        "and ",
        "wait ",
        "so ",
        "can you ",
        "could you ",
        "can we ",
        "could we ",
        "can i ",
        "could i ",
        "would you ",
        "please ",
        "i'd like to ",
        "i want to ",
    ];
    let mut text = text.trim_start();
    while let Some(rest) = LEADS.iter().find_map(|lead| text.strip_prefix(lead)) {
        text = rest.trim_start();
    }
    text
}

/// "could I get bread delivered home?", "any chance you could grab me a
/// loaf?": a request asked as a question, its verb right after the asking.
pub fn asks_politely(text: &str) -> bool {
    const ASKING: &[&str] = &[
        "can you ",
        "could you ",
        "can u ",
        "can i ",
        "could i ",
        "can we ",
        "could we ",
        "would you ",
        "will you ",
        "may i ",
        "may we ",
        "any chance you could ",
        "any chance you can ",
        "any chance i could ",
        "any chance of ",
        "is it possible to ",
        "would it be possible to ",
        "do you think you could ",
    ];
    const VERBS: &[&str] = &[
        "get ", "order ", "grab ", "bring ", "send ", "have ", "book ", "deliver ", "buy ",
        "pick ", "fetch ", "call ",
    ];
    let lower = text.to_lowercase();
    let Some(rest) = ASKING
        .iter()
        .find_map(|a| lower.trim_start().strip_prefix(a))
    else {
        return false;
    };
    let rest = ["please ", "just ", "quickly "]
        .iter()
        .fold(rest, |rest, lead| rest.strip_prefix(lead).unwrap_or(rest));
    VERBS.iter().any(|verb| rest.starts_with(verb)) || lower.starts_with("any chance of ")
}

/// "what <things> <tail>" ("what kinds of drinks do they have"): the
/// things asked about, as written, without "kinds of".
fn what_asked(w: &[&str], words: &Words, tails: &[&str]) -> Option<String> {
    if !matches!(w.first(), Some(&("what" | "which"))) {
        return None;
    }
    let joined = w.join(" ");
    let end = (tails.iter()).find_map(|tail| {
        joined
            .strip_suffix(tail)
            .map(|_| w.len() - tail.split(' ').count())
    })?;
    let mut from = 1;
    while from < end
        && matches!(
            w[from],
            "kind" | "kinds" | "sort" | "sorts" | "type" | "types" | "of"
        )
    {
        from += 1;
    }
    let start = words.len() - w.len() - trailing_filler(words);
    (from < end).then(|| words.span(start + from, start + end).to_owned())
}

/// "sushi around here" is sushi: where it is asked about is errand's own
/// area.
fn without_nearby(what: &str) -> String {
    // ASCII case only, so that a length in `lower` is one in `what`.
    let lower = what.to_ascii_lowercase();
    for tail in [
        " around here",
        " round here",
        " near here",
        " nearby",
        " near me",
        " in the area",
        " close by",
        " locally",
        " here",
    ] {
        if let Some(at) = lower.strip_suffix(tail).map(str::len) {
            return what[..at].trim().to_owned();
        }
    }
    what.to_owned()
}

fn trim_filler<'a>(w: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = w.to_vec();
    while v.first().is_some_and(|x| FILLER.contains(x)) {
        v.remove(0);
    }
    while v.last().is_some_and(|x| FILLER.contains(x)) {
        v.pop();
    }
    v
}

fn yes_words(w: &[&str]) -> bool {
    // "yes, 25 is fine": the number offered, taken.
    if w.len() >= 4
        && YES.contains(&w[0])
        && number(w[1]).is_some()
        && matches!(w[2], "is" | "are")
        && w[2..].iter().all(|x| {
            matches!(
                *x,
                "is" | "are"
                    | "fine"
                    | "ok"
                    | "okay"
                    | "good"
                    | "great"
                    | "then"
                    | "please"
                    | "thanks"
            )
        })
    {
        return true;
    }
    // "that's perfect, thanks", "sounds great".
    let lead = w
        .iter()
        .take_while(|x| {
            matches!(
                **x,
                "that's" | "thats" | "that" | "it's" | "its" | "is" | "sounds" | "looks"
            )
        })
        .count();
    if lead > 0 && lead < w.len() && YES.contains(&w[lead]) {
        return w[lead + 1..]
            .iter()
            .all(|x| YES_TAIL.contains(x) || YES.contains(x));
    }
    YES.contains(&w[0])
        && w[1..]
            .iter()
            .all(|x| YES_TAIL.contains(x) || YES.contains(x))
        || (w[0] == "go"
            && matches!(w.get(1), Some(&("ahead" | "on")))
            && w[2..]
                .iter()
                .all(|x| YES_TAIL.contains(x) || YES.contains(x)))
        || (w.len() <= 3
            && matches!(w[0], "place" | "book" | "order" | "confirm")
            && w[1..]
                .iter()
                .all(|x| matches!(*x, "it" | "that" | "please" | "now" | "the" | "order")))
}

/// "no", "no thanks", or "no, to work instead" (a change).
fn refusal(w: &[&str], words: &Words) -> Option<Act> {
    let joined = w.join(" ");
    if NO_PHRASES.contains(&joined.as_str()) {
        return Some(Act::No);
    }
    // "actually, I don't want anything", "oh wait, never mind".
    let opener = w
        .iter()
        .take_while(|x| matches!(**x, "actually" | "oh" | "wait" | "sorry" | "hmm"))
        .count();
    if opener > 0 && opener < w.len() {
        let rest = w[opener..].join(" ");
        // "actually, don't", "oh wait, no".
        let bare_no = opener + 1 == w.len() && NO.contains(&w[opener]) && w[opener] != "cancel";
        if bare_no || NO_PHRASES.contains(&rest.as_str()) || no_longer_wanted(&rest) {
            return Some(Act::No);
        }
    }
    if no_longer_wanted(&joined) {
        return Some(Act::No);
    }
    // Leading refusal words, then whatever follows.
    let mut k = 0;
    while k < w.len()
        && (NO.contains(&w[k])
            || (k > 0
                && matches!(
                    w[k],
                    "thanks" | "thank" | "you" | "actually" | "wait" | "sorry"
                )))
    {
        k += 1;
    }
    if k == 0 {
        return None;
    }
    let rest = &w[k..];
    if NO_PHRASES.contains(&rest.join(" ").as_str()) {
        return Some(Act::No);
    }
    if rest.is_empty()
        || rest.iter().all(|x| {
            matches!(
                *x,
                "thanks"
                    | "thank"
                    | "you"
                    | "please"
                    | "that"
                    | "it"
                    | "this"
                    | "i"
                    | "don't"
                    | "do"
                    | "not"
                    | "keep"
                    | "leave"
                    | "as"
                    | "is"
                    | "it's"
                    | "fine"
                    | "then"
            )
        })
    {
        return Some(Act::No);
    }
    // "cancel my order" is not a refusal followed by a change.
    if w[0] == "cancel" || w[0] == "stop" || w[0] == "don't" || w[0] == "dont" {
        return None;
    }
    // The words after the refusal, as written.
    let offset = words.len() - w.len() - trailing_filler(words);
    let start = offset + k;
    Some(Act::Instead(
        words.span(start, words.len()).trim().to_owned(),
    ))
}

fn trailing_filler(words: &Words) -> usize {
    words
        .norm()
        .iter()
        .rev()
        .take_while(|x| FILLER.contains(&x.as_str()))
        .count()
}

/// "I don't want anything", "I don't need it any more".
fn no_longer_wanted(joined: &str) -> bool {
    let wants = [
        "i don't want",
        "i dont want",
        "i do not want",
        "i don't need",
        "i dont need",
        "i do not need",
        "we don't want",
        "we don't need",
    ];
    wants.iter().any(|p| {
        joined.strip_prefix(p).is_some_and(|rest| {
            matches!(
                rest.trim(),
                "" | "it"
                    | "that"
                    | "anything"
                    | "it anymore"
                    | "it any more"
                    | "anything anymore"
                    | "that anymore"
                    | "this"
                    | "any of it"
                    | "to"
                    | "to anymore"
            )
        })
    })
}

/// What people call a command they placed ("cancel the cab", "I don't
/// need the order anymore").
const PLACED: &[&str] = &[
    "order",
    "ride",
    "taxi",
    "cab",
    "booking",
    "uber",
    "car",
    "groceries",
    "shopping",
    "delivery",
    "food",
    "pizza",
    "burger",
    "lift",
];

/// "cancel my last order", "cancel that ride", "cancel the taxi".
fn cancel_placed(w: &[&str]) -> Option<Act> {
    // "actually, can you cancel my order", "oh wait, cancel the ride".
    let opener = w
        .iter()
        .take_while(|x| {
            matches!(
                **x,
                "actually"
                    | "oh"
                    | "wait"
                    | "sorry"
                    | "hmm"
                    | "ok"
                    | "okay"
                    | "right"
                    | "hey"
                    | "hang"
                    | "on"
                    | "oops"
                    | "whoops"
                    | "no"
                    | "ah"
                    | "damn"
                    | "um"
                    | "erm"
            )
        })
        .count();
    let w = &w[opener.min(w.len().saturating_sub(1))..];
    // "scrap that", "forget it", and what follows it ("scrap that, I don't
    // need it anymore").
    let w = match w {
        ["scrap" | "scratch" | "forget", "that" | "it", rest @ ..] => {
            if rest.is_empty() {
                return Some(Act::CancelPlaced(None));
            }
            // "scrap that ride": the one named.
            if rest.iter().all(|x| PLACED.contains(x)) {
                let mut words = vec!["cancel"];
                words.extend(rest);
                return cancel_placed(&words);
            }
            rest
        }
        // "never mind, cancel".
        ["never", "mind", "cancel", rest @ ..]
            if rest.iter().all(|x| matches!(*x, "it" | "that" | "please")) =>
        {
            return Some(Act::CancelPlaced(None));
        }
        _ => w,
    };
    // "I don't need the cab anymore": no longer wanted, named.
    let no_longer = (w.len() > 3
        && matches!(w[0], "i" | "we")
        && matches!(w[1], "don't" | "dont")
        && matches!(w[2], "need" | "want"))
    .then_some(3);
    if let Some(at) = no_longer {
        let rest: Vec<&str> = w[at..]
            .iter()
            .copied()
            .filter(|x| {
                !matches!(
                    *x,
                    "the"
                        | "my"
                        | "that"
                        | "this"
                        | "anymore"
                        | "any"
                        | "more"
                        | "after"
                        | "all"
                        | "now"
                        | "actually"
                        | "thanks"
                        | "please"
                )
            })
            .collect();
        // "I don't need it anymore": the last one.
        if rest == ["it"] {
            return Some(Act::CancelPlaced(None));
        }
        let named = !rest.is_empty() && rest.iter().all(|x| PLACED.contains(x));
        if !named {
            return None;
        }
        let mut words = vec!["cancel"];
        words.extend(rest);
        return cancel_placed(&words);
    }
    let starts = w[0] == "cancel"
        || (w.len() > 2 && matches!(w[0], "i'd" | "id" | "we'd" | "we") && w.contains(&"cancel"))
        || (w.len() > 2 && matches!(w[0], "please" | "can" | "could") && w.contains(&"cancel"))
        || (w.len() > 2
            && w[0] == "i"
            && matches!(w[1], "want" | "need" | "would" | "d")
            && w.contains(&"cancel"));
    if !starts {
        return None;
    }
    let at = w.iter().position(|x| *x == "cancel")?;
    // "cancel the food but keep the cab", "cancel the cab, not the
    // shopping": what is kept is no part of what is cancelled.
    let rest = &w[at + 1..];
    // "cancel the cab and order me a pizza": what is asked for next is
    // no part of it either.
    let next = |at: usize| {
        matches!(
            rest.get(at + 1),
            Some(&("order" | "book" | "get" | "buy" | "send"))
        )
    };
    let kept = (rest.iter().enumerate())
        .position(|(at, x)| {
            matches!(*x, "but" | "keep" | "not" | "except" | "leave")
                || (matches!(*x, "and" | "then") && next(at))
        })
        .unwrap_or(rest.len());
    let rest = &rest[..kept];
    // "cancel it, I don't need it anymore": the reason says nothing of
    // which.
    let reason = (rest.iter())
        .position(|x| matches!(*x, "i" | "we" | "because" | "cos" | "since" | "as"))
        .filter(|at| *at > 0);
    if let Some(at) = reason
        && rest[..at]
            .iter()
            .all(|x| matches!(*x, "it" | "that" | "this" | "please"))
    {
        return Some(Act::CancelPlaced(None));
    }
    let names_it = rest
        .iter()
        .any(|x| matches!(*x, "my" | "last" | "previous") || PLACED.contains(x));
    // "I'd like to cancel", "can you cancel it": the last one, unnamed.
    let bare = rest.iter().all(|x| {
        matches!(
            *x,
            "it" | "that"
                | "this"
                | "please"
                | "now"
                | "then"
                | "both"
                | "all"
                | "them"
                | "everything"
                | "of"
                | "those"
        )
    });
    // "cancel the sushi": a placed thing named, never a new order of it.
    let the_thing = w[0] == "cancel"
        && (2..=4).contains(&rest.len())
        && matches!(rest[0], "the" | "that" | "this");
    // "cancel both of them", "cancel everything": every placed one.
    let all_of_them = bare
        && rest
            .iter()
            .any(|x| matches!(*x, "both" | "all" | "everything"));
    if !(names_it || the_thing || all_of_them || bare && w[0] != "cancel") {
        return None;
    }
    Some(Act::CancelPlaced(placed_domain(rest)))
}

/// The domain of a placed order `words` name ("my taxi", "the
/// groceries", "my food"), if they name one.
pub fn placed_domain(words: &[&str]) -> Option<&'static str> {
    if words.iter().any(|x| {
        matches!(
            *x,
            "ride"
                | "rides"
                | "taxi"
                | "taxis"
                | "cab"
                | "cabs"
                | "booking"
                | "bookings"
                | "uber"
                | "car"
                | "driver"
                | "lift"
        )
    }) {
        Some("ride")
    } else if words
        .iter()
        .any(|x| matches!(*x, "groceries" | "shopping" | "grocery" | "mart"))
    {
        Some("mart")
    } else if words.iter().any(|x| {
        matches!(
            *x,
            "food"
                | "pizza"
                | "burger"
                | "meal"
                | "dinner"
                | "lunch"
                | "takeaway"
                | "sushi"
                | "curry"
        )
    }) {
        Some("food")
    } else {
        None
    }
}

/// "where is my order?", "how long will it take?", "is my ride coming?".
fn status(w: &[&str], joined: &str) -> Option<Act> {
    let things = |x: &&str| {
        matches!(
            *x,
            "order"
                | "orders"
                | "deliveries"
                | "everything"
                | "food"
                | "ride"
                | "rides"
                | "taxi"
                | "cab"
                | "cabs"
                | "driver"
                | "delivery"
                | "groceries"
                | "car"
                | "uber"
                | "pizza"
                | "burger"
                | "shopping"
                | "booking"
                | "it"
                | "stuff"
        )
    };
    // "where's my pad thai": whatever it names, a thing of an order.
    let asks_where = (joined.starts_with("where is my")
        || joined.starts_with("where's my")
        || joined.starts_with("wheres my")
        || joined.starts_with("where my"))
        && (w.iter().any(things) || w.len() <= 6)
        // "where is the cab?", "where's the milk?", never "where's the
        // pizza place?" or "where is the nearest station".
        || (joined.starts_with("where is the")
            || joined.starts_with("where's the")
            || joined.starts_with("wheres the"))
            && w.len() <= 5
            && !w.iter().any(|x| {
                matches!(
                    *x,
                    "place" | "restaurant" | "shop" | "store" | "station" | "rank" | "nearest"
                        | "closest" | "airport" | "toilet" | "toilets" | "exit" | "entrance"
                        | "menu" | "best"
                )
            })
        // "is the milk here yet?", "is the pizza coming", "any sign of the
        // cab".
        || ((joined.starts_with("is the") || joined.starts_with("are the"))
            && w.len() <= 7
            && [" here yet", " there yet", " coming", " arriving", " on the way", " nearly here"]
                .iter()
                .any(|x| joined.contains(x)))
        || joined.starts_with("any sign of");
    let asks_when = joined.starts_with("how long")
        || joined.starts_with("when will")
        || joined.starts_with("when is my")
        || joined.starts_with("when's my")
        || joined.starts_with("when does my")
        || joined.starts_with("how much longer")
        || joined == "eta"
        || joined.starts_with("what's the eta")
        || joined.starts_with("whats the eta")
        || joined.starts_with("what is the eta");
    // "did you book my cab", "have you ordered my groceries yet", "did the
    // shopping arrive": what became of an order.
    let asks_what_was_done = ["did you", "have you", "did the", "has the"]
        .iter()
        .any(|p| joined.starts_with(p))
        && w.iter().any(|x| {
            matches!(
                *x,
                "book"
                    | "booked"
                    | "order"
                    | "ordered"
                    | "place"
                    | "placed"
                    | "arrive"
                    | "arrived"
                    | "come"
                    | "came"
                    | "delivered"
            )
        });
    let asks_state = asks_what_was_done
        || joined.starts_with("is my")
        || joined.starts_with("has my")
        || joined.starts_with("did my")
        || joined.starts_with("what time is my")
        || joined.contains("status of my")
        || joined == "order status"
        || joined.starts_with("track my")
        || joined.starts_with("what's happening with my")
        || joined.starts_with("what's the status")
        || joined.starts_with("whats the status")
        || joined.starts_with("what is the status")
        || ["has the", "has my"].iter().any(|p| {
            ["driver", "cab", "taxi", "car"]
                .iter()
                .any(|x| joined.starts_with(&format!("{p} {x}")))
        })
        || joined.starts_with("is it on its way")
        || joined.starts_with("is it on the way")
        || joined.starts_with("is it coming")
        // "where is it", "is it nearly here", "how far away is it".
        || matches!(joined, "where is it" | "where's it" | "wheres it" | "where is it now")
        || [
            "is it nearly",
            "is it almost",
            "is it here",
            "is it close",
            "is it far",
            "how far away is it",
            "how far away is my",
            "how far is my",
            "is the food nearly",
            "is my food nearly",
            "is the driver nearly",
            "is the driver close",
            "will it be long",
            "is it going to be long",
        ]
        .iter()
        .any(|p| joined.starts_with(p))
        || joined.starts_with("any update")
        || joined.starts_with("any news on my")
        // "how's my cab doing", "is the taxi still coming", "has the
        // shopping left yet".
        || ["how's my", "hows my", "how is my", "how's the", "hows the", "how is the"]
            .iter()
            .any(|p| joined.starts_with(p) && (joined.ends_with(" doing") || joined.ends_with(" going")))
        || ["is the", "is my"].iter().any(|p| {
            joined.starts_with(p) && (joined.contains(" still coming") || joined.contains(" on its way"))
        })
        || ["has the", "has my"].iter().any(|p| {
            joined.starts_with(p)
                && [" left", " arrived", " been sent", " shipped", " been delivered"]
                    .iter()
                    .any(|x| joined.contains(x))
        })
        // "what did I order?", "what have I got booked?", "what's my
        // order": the last one.
        || [
            "what did i order",
            "what did i book",
            "what have i ordered",
            "what have i booked",
            "what have i got booked",
            "what have i got coming",
            "what's my order",
            "whats my order",
            "what orders do i have",
            "what orders have i",
            "what are my orders",
            "what have i got going on",
            "what's in my order",
            "whats in my order",
            "what is in my order",
            "has it shipped",
            "has it been sent",
            "has it left",
            "show me my orders",
            "show my orders",
            "list my orders",
            "what is my order",
            "what was my order",
            // "what's still coming?", "where are my orders".
            "what's still coming",
            "whats still coming",
            "what is still coming",
            "what's on its way",
            "whats on its way",
            "where are my orders",
            "where are my things",
            "where are my deliveries",
            "where are my rides",
            "where are my cabs",
            "where are my taxis",
            "where are my bookings",
            "what rides do i have",
            "what have i booked",
            "what have i ordered",
            "where's everything",
            "wheres everything",
            // "did it go through?", "what's booked", "what did i get".
            "did it go through",
            "did that go through",
            "did my order go through",
            "did the order go through",
            "has it gone through",
            "has my order gone through",
            "what's booked",
            "whats booked",
            "what is booked",
            "what did i get",
            "what did i buy",
            "where is it taking me",
            "where's it taking me",
            "wheres it taking me",
            "where is the cab taking me",
            "where is the taxi taking me",
        ]
        .iter()
        .any(|p| joined.starts_with(p));
    if matches!(
        joined,
        "status" | "order status" | "any update" | "any updates"
    ) {
        return Some(Act::Status);
    }
    let asks_what = joined.starts_with("what") && asks_state;
    (asks_where || (asks_when || asks_state) && (w.iter().any(things) || asks_when || asks_what))
        .then_some(Act::Status)
}

/// Prices, menus and who serves what.
fn catalog_question(w: &[&str], words: &Words, question: bool) -> Option<Act> {
    let joined = w.join(" ");
    // "is luigi's open", "are you open", "what time does taco loco close",
    // "opening hours of dragon wok".
    let until = (w.iter())
        .rposition(|x| !matches!(*x, "now" | "today" | "tonight" | "yet" | "still" | "right"))
        .map_or(0, |i| i + 1);
    let hours = (w.first().is_some_and(|f| matches!(*f, "is" | "are"))
        && w[..until].last() == Some(&"open")
        && !w
            .iter()
            .any(|x| matches!(*x, "order" | "orders" | "app" | "line" | "offer")))
        || (w
            .iter()
            .any(|x| matches!(*x, "open" | "close" | "shut" | "closes" | "opens"))
            && (joined.starts_with("what time")
                || joined.starts_with("when does")
                || joined.starts_with("until when")))
        || joined.contains("opening hours")
        || joined.contains("opening times");
    if hours {
        return Some(Act::Hours(words.text.trim().to_owned()));
    }
    // The price of what is being ordered: "how much will it cost?", "what's
    // the total?".
    const WHOLE: &[&str] = &[
        // "what's in my basket?": the order as it stands, with its total.
        "what's in my basket",
        "whats in my basket",
        "what is in my basket",
        "what's in my cart",
        "whats in my cart",
        "what's in my trolley",
        "whats in my trolley",
        "what's in my order",
        "whats in my order",
        "what is in my order",
        "how much will it cost",
        "how much will it be",
        "how much is it",
        "how much is that",
        "how much was that",
        "how much was it",
        "how much was my order",
        "how much did that cost",
        "how much did it cost",
        "how much did it come to",
        "how much did i pay",
        "how much did i spend",
        "what did i pay",
        "what did that cost",
        "how much does it cost",
        "how much does that cost",
        "how much is the order",
        "how much is my order",
        "how much altogether",
        "how much in total",
        "what's the total",
        "whats the total",
        "what is the total",
        "what does it come to",
        "what does that come to",
        "how much would that be",
        "how much would it be",
        "what will it cost",
        "what's the price",
        "what is the price",
        "what's the fare",
        "what is the fare",
        "how much is the fare",
        "how much is the ride",
        "how much will the ride cost",
    ];
    // "what's the total then?", never "what's the price of milk".
    let about_it = |rest: &str| {
        rest.split(' ').all(|x| {
            matches!(
                x,
                "then"
                    | "please"
                    | "altogether"
                    | "all"
                    | "together"
                    | "in"
                    | "total"
                    | "of"
                    | "it"
                    | "that"
                    | "this"
                    | "for"
                    | "the"
                    | "order"
                    | "ride"
                    | "now"
                    | "again"
            )
        })
    };
    if WHOLE
        .iter()
        .any(|p| joined == *p || after_words(&joined, p).is_some_and(about_it))
    {
        return Some(Act::Price("it".into()));
    }
    // "how much was my taxi", "how much was the cab", "how much did my
    // shopping cost": what a placed one came to.
    if let Some(what) = placed_priced(w) {
        return Some(Act::Price(what));
    }
    // "whats cheaper, korma or butter chicken", "which is cheaper, the
    // latte or the flat white": both priced, never either ordered.
    if let Some(at) = w
        .iter()
        .position(|x| matches!(*x, "cheaper" | "dearer" | "pricier"))
        && w.first().is_some_and(|x| {
            matches!(
                *x,
                "what's" | "whats" | "what" | "which" | "which's" | "is" | "are"
            )
        })
        && w.contains(&"or")
    {
        let both: Vec<&str> = (w[at + 1..].iter())
            .copied()
            .filter(|x| !matches!(*x, "the" | "a" | "an" | "one" | "then" | "please"))
            .map(|x| if x == "or" { "and" } else { x })
            .collect();
        if both.len() >= 3 && w.len() <= 14 {
            return Some(Act::Price(both.join(" ")));
        }
    }
    // "is xl much more?", "would premium be dearer", "is the pepperoni
    // more expensive?": that one priced, never taken in its place.
    if let Some(what) = priced_against(w).or_else(|| car_asked_about(w)) {
        return Some(Act::Price(what));
    }
    // "what's the cheapest pizza?", "which curry is cheapest", "your
    // cheapest coffee".
    if let Some(at) = w.iter().position(|x| *x == "cheapest") {
        const AROUND: &[&str] = &[
            "what's", "whats", "what", "is", "the", "which", "your", "you", "have", "got", "do",
            "one", "please", "there", "on", "menu", "are", "can", "i", "get", "here",
        ];
        let after: Vec<&str> = (w[at + 1..].iter())
            .copied()
            .take_while(|x| !matches!(*x, "you" | "on" | "please" | "here" | "there"))
            .collect();
        let before: Vec<&str> = (w[..at].iter())
            .copied()
            .filter(|x| !AROUND.contains(x))
            .collect();
        let what = if after.is_empty() { before } else { after };
        if !what.is_empty() && w.len() <= 10 {
            return Some(Act::Cheapest(what.join(" ")));
        }
    }
    // "what's the delivery fee?", "is delivery free", "do you charge for
    // delivery": what bringing it costs.
    let delivery = w
        .iter()
        .any(|x| matches!(*x, "delivery" | "postage" | "shipping"));
    let costs = w.iter().any(|x| {
        matches!(
            *x,
            "fee" | "fees" | "charge" | "charges" | "cost" | "costs" | "free" | "price" | "pay"
        )
    });
    let asks = question
        || w.first().is_some_and(|x| {
            matches!(
                *x,
                "what" | "what's" | "whats" | "is" | "do" | "does" | "any" | "how"
            )
        });
    if delivery && costs && asks && w.len() <= 8 {
        return Some(Act::Price("delivery".into()));
    }
    let after = |prefix: &str| -> Option<String> {
        after_words(&joined, prefix)?;
        let n = prefix.split(' ').count();
        (w.len() > n).then(|| {
            let start = words.len() - w.len() - trailing_filler(words) + n;
            let end = start + (w.len() - n);
            words.span(start, end).to_owned()
        })
    };
    for prefix in [
        "how much is a",
        "how much is an",
        "how much is the",
        "how much is",
        "how much are the",
        "how much are",
        "how much does a",
        "how much does an",
        "how much does the",
        "how much does",
        "how much do",
        "how much would a",
        "how much would an",
        "how much would the",
        "how much would",
        "how much will a",
        "how much will an",
        "how much will the",
        "how much will",
        "how much for a",
        "how much for",
        "what's the price of a",
        "what's the price of",
        "whats the price of",
        "what is the price of a",
        "what is the price of",
        "price of a",
        "price of",
        "what does a",
        "what do",
        "what would a",
        "what would an",
        "what would the",
        "what would",
        "what will a",
        "what will the",
        "what will",
    ] {
        if let Some(rest) = after(prefix) {
            let rest = trim_cost(&rest);
            let is_price = prefix.starts_with("how much")
                || prefix.contains("price")
                || joined.ends_with("cost");
            if is_price && !rest.is_empty() {
                return Some(Act::Price(rest));
            }
        }
    }
    // "what's the fare from work to home": a ride's price.
    for prefix in [
        "what's the fare",
        "whats the fare",
        "what is the fare",
        "how much is the fare",
        "what would the fare be",
    ] {
        if let Some(rest) = after(prefix)
            && matches!(rest.split(' ').next(), Some("from" | "to"))
        {
            return Some(Act::Price(format!("a ride {rest}")));
        }
    }
    let menu_words = ["menu", "menus"];
    if w.iter().any(|x| menu_words.contains(x))
        && (question || w.len() <= 8 || joined.starts_with("show"))
    {
        let at = w
            .iter()
            .position(|x| matches!(*x, "at" | "of" | "for" | "from"))
            .filter(|i| *i + 1 < w.len() && w[*i + 1..].iter().all(|x| !menu_words.contains(x)));
        let offset = words.len() - w.len() - trailing_filler(words);
        let restaurant = at
            .map(|i| {
                let start = offset + i + 1;
                words.span(start, start + (w.len() - i - 1)).to_owned()
            })
            .or_else(|| {
                // "Dragon Wok's menu", "the Taco Loco menu".
                let m = w.iter().position(|x| menu_words.contains(x))?;
                let from = w[..m]
                    .iter()
                    .rposition(|x| {
                        matches!(
                            *x,
                            "see"
                                | "show"
                                | "me"
                                | "the"
                                | "a"
                                | "get"
                                | "view"
                                | "check"
                                | "i"
                                | "can"
                                | "could"
                                | "please"
                                | "send"
                                | "what's"
                                | "whats"
                                | "is"
                                | "on"
                                | "read"
                                | "out"
                                | "give"
                                | "us"
                                | "you"
                        )
                    })
                    .map_or(0, |k| k + 1);
                (from < m).then(|| {
                    let said = words.span(offset + from, offset + m);
                    said.trim_end_matches("'s")
                        .trim_end_matches("’s")
                        .to_owned()
                })
            });
        return Some(Act::Menu(restaurant.filter(|r| !r.is_empty())));
    }
    // "what do you have at errand mart", "what can I get from Taco Loco",
    // "what does Burger Barn do", "what drinks does Bean Scene have": a
    // shop's menu.
    if let Some(shop) = shop_asked_about(w) {
        let offset = words.len() - w.len() - trailing_filler(words);
        let said = words.span(offset + shop.0, offset + shop.1);
        return Some(Act::Menu(Some(said.to_owned())));
    }
    // "what drinks do they have?", "what sides have they got": of the shop
    // of the order under way.
    const THEIRS: &[&str] = &[
        "do they have",
        "do they do",
        "do they sell",
        "do they serve",
        "have they got",
        "does it have",
        "does it do",
        "does he have",
        "does she have",
    ];
    if let Some(what) = what_asked(w, words, THEIRS) {
        return Some(Act::TheyServe(what));
    }
    // "what pizzas do you have?", "which kinds of sushi do you do?".
    const YOURS: &[&str] = &[
        "do you have",
        "do you sell",
        "do you do",
        "do you serve",
        "do you offer",
        "have you got",
        "can i get",
        "can i order",
        "can you get",
        "can you get me",
        "can you deliver",
        "do you stock",
        "are there",
        "are available",
        // "what kinds of cars can I book?"
        "can i book",
        "can you book",
        "can we book",
    ];
    if let Some(what) = what_asked(w, words, YOURS)
        && !matches!(
            what.to_lowercase().as_str(),
            "food" | "restaurants" | "things" | "stuff"
        )
    {
        return Some(Act::WhoServes(what));
    }
    // "i'm hungry, what do you recommend?", "any suggestions for lunch",
    // "what's good at sakura": what there is to choose from (errand knows
    // no one's taste), the shop's menu when one is named.
    const RECOMMEND: &[&str] = &[
        "what do you recommend",
        "what would you recommend",
        "what do you suggest",
        "what would you suggest",
        "any recommendations",
        "any suggestions",
        "recommend something",
        "suggest something",
        "what should i eat",
        "what should i have",
        "what should i order",
        "what's good",
        "whats good",
    ];
    if w.len() <= 10
        && let Some(at) = RECOMMEND
            .iter()
            .find_map(|r| joined.find(r).map(|at| at + r.len()))
    {
        let shop = [" at ", " from "]
            .iter()
            .find_map(|by| joined[at..].split_once(by).map(|(_, shop)| shop.trim()))
            .filter(|shop| !shop.is_empty());
        return Some(Act::Menu(shop.map(str::to_owned)));
    }
    for prefix in [
        "what restaurants",
        "which restaurants",
        "what restaurants do you have",
        "what food do you have",
        "what food can i get",
        "what can i eat",
        "where can i eat",
    ] {
        if joined.starts_with(prefix) {
            return Some(Act::Menu(None));
        }
    }
    for prefix in [
        "who does",
        "who has",
        "who sells",
        "who serves",
        "who makes",
        "who delivers",
        "who cooks",
        "which restaurant delivers",
        "where can i get",
        "where can i buy",
        "where do i get",
        "which restaurant has",
        "which restaurant does",
        "which restaurant serves",
        "which restaurants have",
        "which restaurants serve",
        "what restaurant has",
        "what restaurant does",
        "do you have",
        "do you do",
        // "do they do pepperoni?", of the kitchen under way.
        "do they have",
        "do they do",
        "do they sell",
        "do they serve",
        "do you sell",
        "do you serve",
        "is there",
        "does anyone do",
        "does anyone have",
        "have you got any",
        "have you got",
        "have you any",
        "is there any",
        "you got any",
        "you got",
        "got any",
        "do you stock",
        "do you carry",
    ] {
        if let Some(rest) = after(prefix) {
            // "do you have time to..." is no catalog question; "have you got
            // any milk", said without a question mark, is.
            // Said loosely ("you got coffee", "is there any milk"), only
            // of a thing.
            let loose = matches!(
                prefix,
                "you got" | "you got any" | "have you any" | "is there any"
            );
            let asks = if loose {
                names_a_thing_only(&rest)
            } else {
                question
                    || prefix.starts_with("who")
                    || prefix.starts_with("which")
                    || prefix.starts_with("where")
                    || (!prefix.starts_with("is") && names_a_thing_only(&rest))
            };
            if asks {
                return Some(Act::WhoServes(the_thing(&without_nearby(&rest))));
            }
        }
    }
    // "anything vegetarian at Burger Barn?", "is the margherita vegan",
    // "what's gluten free at Luigi's": a question about a diet.
    let asks = question
        || matches!(
            w.first().copied(),
            Some("is" | "are" | "what" | "what's" | "whats" | "which" | "anything" | "any")
        );
    if asks && w.iter().any(|x| DIETS.contains(x)) {
        return Some(Act::WhoServes(words.text.trim().to_owned()));
    }
    None
}

/// Where the shop is said in "what do you have at <shop>", "what can i
/// get from <shop>", "what does <shop> do/have/sell/serve" (words `w`,
/// lower case): its first word and the end.
fn shop_asked_about(said: &[&str]) -> Option<(usize, usize)> {
    // ("and what does taco loco do?")
    let skip = (said.iter())
        .take_while(|x| matches!(**x, "and" | "so" | "ok" | "okay" | "oh"))
        .count();
    let w = &said[skip..];
    if !matches!(w.first(), Some(&("what" | "whats" | "what's"))) {
        return None;
    }
    let not_a_shop = |x: &str| {
        matches!(
            x,
            "it" | "that"
                | "this"
                | "you"
                | "they"
                | "he"
                | "she"
                | "errand"
                | "home"
                | "work"
                | "me"
                | "all"
                | "everyone"
        )
    };
    // "... at <shop>", "... from <shop>" after a verb of having.
    let asks = |head: &[&str]| {
        let head = head.join(" ");
        // "what's at burger barn"
        matches!(head.as_str(), "what's" | "whats" | "what is")
            || [
                "do you have",
                "have you got",
                "can i get",
                "can i order",
                "can i buy",
                "can you get",
                "do they have",
                "do they sell",
                "do they do",
                "is there",
                "is on",
                "is available",
                "do you sell",
            ]
            .iter()
            .any(|v| head.ends_with(v))
    };
    // ("what does errand do" asks about errand; "errand mart" is a shop.)
    let a_shop = |from: usize, to: usize| to > from && (to - from > 1 || !not_a_shop(w[from]));
    if let Some(at) = w.iter().position(|x| matches!(*x, "at" | "from"))
        && asks(&w[..at])
        && a_shop(at + 1, w.len())
    {
        return Some((skip + at + 1, said.len()));
    }
    // "what (drinks) does <shop> do/have/sell/serve/offer".
    let does = w.iter().position(|x| *x == "does")?;
    let verb = w.len().checked_sub(1)?;
    let ends = matches!(
        w[verb],
        "do" | "have" | "sell" | "serve" | "offer" | "stock"
    );
    (does <= 2 && ends && a_shop(does + 1, verb)).then_some((skip + does + 1, skip + verb))
}

/// Words of a diet a dish may or may not suit.
pub const DIETS: &[&str] = &[
    "vegan",
    "vegetarian",
    "gluten",
    "halal",
    "kosher",
    "dairy",
    "lactose",
    "allergens",
    "allergies",
    "allergy",
    "coeliac",
    "celiac",
];

/// The thing a shelf question asks about, without "left", "in stock" after
/// it: "any milk left" is "any milk" (the answer drops "any", as it drops
/// an article).
fn the_thing(what: &str) -> String {
    let mut thing = what.trim();
    for tail in [
        " left",
        " in stock",
        " available",
        " at the moment",
        " right now",
        " today",
    ] {
        let at = thing.len().saturating_sub(tail.len());
        if let (Some(rest), Some(said)) = (thing.get(..at), thing.get(at..))
            && said.eq_ignore_ascii_case(tail)
            && !rest.trim().is_empty()
        {
            thing = rest.trim_end();
        }
    }
    thing.to_owned()
}

/// Whether what follows "do you have" is a thing and nothing more, as a
/// shelf would hold it ("milk", "any fresh bread"): a few words, none of
/// them asking for time, help, an action or a ride ("time to talk", "a
/// minute", "my order", "a cab").
fn names_a_thing_only(rest: &str) -> bool {
    let words: Vec<String> = rest
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    (1..=4).contains(&words.len())
        && !words.iter().any(|w| {
            matches!(
                w.as_str(),
                "to" | "time"
                    | "minute"
                    | "moment"
                    | "second"
                    | "sec"
                    | "idea"
                    | "clue"
                    | "if"
                    | "for"
                    | "me"
                    | "my"
                    | "our"
                    | "it"
                    | "that"
                    | "this"
                    | "change"
                    | "wifi"
                    | "plans"
                    | "kids"
                    | "children"
                    | "friends"
                    | "cab"
                    | "cabs"
                    | "taxi"
                    | "taxis"
                    | "car"
                    | "cars"
                    | "ride"
                    | "rides"
                    | "driver"
                    | "drivers"
                    | "lift"
            )
        })
}

/// "a cheeseburger cost" -> "a cheeseburger".
fn trim_cost(rest: &str) -> String {
    let rest = rest.trim().trim_end_matches('?').trim();
    let lower = rest.to_lowercase();
    for tail in [" cost", " costs", " go for", " be"] {
        if lower.ends_with(tail) {
            return rest[..rest.len() - tail.len()].trim().to_owned();
        }
    }
    rest.to_owned()
}

/// Whether words about errand's things ask for nothing: a question with
/// no word of asking for ("what's the best burger in London?", "how far
/// is the airport?") or a feeling ("I love sushi").
pub fn not_a_request(text: &str) -> bool {
    const ASKING: &[&str] = &[
        "order", "get", "book", "buy", "send", "deliver", "bring", "want", "need", "like", "can",
        "could", "would", "please", "grab", "fetch", "arrange", "call", "pick", "take", "have",
        "i'd", "id", "let's", "lets", "gimme", "give", "make", "add", "cancel", "change", "about",
        "fancy",
    ];
    let words = Words::new(text);
    let w: Vec<&str> = words.norm().iter().map(String::as_str).collect();
    let asks = w.iter().any(|x| ASKING.contains(x));
    let wh = matches!(
        w.first(),
        Some(
            &("what"
                | "what's"
                | "whats"
                | "which"
                | "where"
                | "why"
                | "how"
                | "who"
                | "is"
                | "are"
                | "does")
        )
    );
    let feeling = w.len() >= 3
        && w[0] == "i"
        && matches!(
            w[1],
            "love" | "hate" | "adore" | "enjoy" | "miss" | "prefer"
        );
    // "don't buy eggs", "we've got loads of milk, don't need any": every
    // asking word negated.
    let negation = |k: usize| {
        matches!(
            w[k],
            "don't" | "dont" | "not" | "never" | "no" | "doesn't" | "didnt" | "didn't"
        )
    };
    // ("no need to buy": the "to" of a negated need.)
    let negated = |i: usize| {
        i >= 1 && negation(i - 1)
            || i >= 3 && w[i - 1] == "to" && w[i - 2] == "need" && negation(i - 3)
    };
    let asks_plainly = (0..w.len()).any(|i| ASKING.contains(&w[i]) && !negated(i));
    // ("cereal and milk to home. I don't need sugar": things sent
    // somewhere are asked for, a sentence of their own.)
    let sent_somewhere = text.split(['.', '!', ';']).any(|sentence| {
        let s = Words::new(sentence);
        let s = s.norm();
        s.len() >= 3
            && s[1..].iter().any(|x| x == "to")
            && !s.iter().any(|x| ASKING.contains(&x.as_str()))
            && !s
                .iter()
                .any(|x| matches!(x.as_str(), "is" | "are" | "was" | "were" | "got"))
    });
    let taken_back = asks && !asks_plainly && !sent_somewhere;
    // "milk is so expensive these days", "I already bought eggs today": a
    // thing talked about, nothing asked.
    let told = !asks
        && w.iter().take(4).any(|x| {
            matches!(
                *x,
                "is" | "are" | "was" | "were" | "bought" | "got" | "had" | "ate" | "already"
            )
        })
        && !w.iter().any(|x| {
            matches!(
                *x,
                "to" | "from"
                    | "taxi"
                    | "cab"
                    | "ride"
                    | "car"
                    | "uber"
                    | "pickup"
                    | "flight"
                    | "train"
                    | "address"
                    | "destination"
            )
        });
    // "i took a taxi to work this morning", "I'm not hungry, I already had
    // a burger", "my taxi driver was rude": what happened, nothing asked
    // (never "my flight is at 9am" or "pickup is work", which say a ride's
    // time or end).
    let happened = !asks_plainly
        && (w.iter().any(|x| {
            matches!(
                *x,
                "took"
                    | "had"
                    | "ate"
                    | "already"
                    | "yesterday"
                    | "rude"
                    | "late"
                    | "cold"
                    | "walked"
                    | "drove"
                    | "cycled"
                    | "earlier"
            )
        }) || (1..w.len()).any(|i| {
            matches!(w[i], "was" | "were")
                && !matches!(
                    w[i - 1],
                    "pickup" | "destination" | "address" | "flight" | "train" | "time" | "it"
                )
        }));
    // "should i get pizza or sushi tonight?": advice asked, not an order;
    // "tell me a joke about tacos".
    let advice = (w.first() == Some(&"should") && w.contains(&"or"))
        || (matches!(w.first(), Some(&("tell" | "explain" | "describe")))
            && !w.iter().any(|x| *x != "about" && ASKING.contains(x)));
    // "i usually get milk on fridays", "we always have too many bananas":
    // a habit told, nothing asked of now.
    let habit = w.iter().any(|x| {
        matches!(
            *x,
            "always" | "usually" | "normally" | "often" | "sometimes" | "generally"
        )
    }) && !w.iter().any(|x| {
        matches!(
            *x,
            "please"
                | "can"
                | "could"
                | "would"
                | "i'd"
                | "id"
                | "order"
                | "book"
                | "send"
                | "deliver"
                | "bring"
                | "want"
                | "need"
                | "now"
                | "today"
                | "tonight"
                | "usual"
        )
    });
    // "thanks for booking my cab earlier": thanks, nothing asked.
    let thanks = matches!(w.first(), Some(&("thanks" | "thank" | "cheers"))) && !asks_plainly;
    (wh && !asks) || feeling || taken_back || told || happened || advice || habit || thanks
}

/// Whether an utterance reads as a change to what was just said ("make
/// it two", "send it to work instead", "add fries", "actually, a pizza").
/// What follows `prefix` and a space in `text`: `text` goes on past
/// `prefix` with another word.
fn after_words<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.strip_prefix(prefix)?.strip_prefix(' ')
}

/// Whether `text` turns a journey round ("no, the other way round",
/// "swap them", "it's the wrong way round", "reverse it"): its two ends
/// change places.
pub fn swaps_ends(text: &str) -> bool {
    let words = Words::new(text);
    let w = words.norm();
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    let short = w.len() <= 8;
    (0..w.len()).any(|i| match word(i) {
        "other" | "wrong" | "opposite" => {
            (word(i + 1) == "way" && matches!(word(i + 2), "round" | "around" | "about"))
                || (word(i) == "opposite" && matches!(word(i + 1), "way" | "direction"))
        }
        "reverse" | "reversed" | "flip" => short,
        "swap" | "switch" | "swapped" | "switched" => {
            short
                && (matches!(word(i + 1), "round" | "around" | "over")
                    || (matches!(word(i + 1), "them" | "it" | "those" | "these" | "that")
                        && word(i + 2) != "to")
                    || (word(i + 1) == "the" && matches!(word(i + 2), "two" | "ends")))
        }
        _ => false,
    })
}

/// Whether `polite` (lower case, courtesy gone) moves or changes a thing
/// booked, named by what it is: "move my taxi to 9am", "shift the booking
/// to tomorrow", "reschedule it for 8".
fn moves_a_booking(polite: &str) -> bool {
    let mut words = polite.split(' ');
    let verb = words.next().unwrap_or("");
    if verb == "reschedule" {
        return true;
    }
    // (What people call a thing placed, and a time booked.)
    let booked = |w: &str| PLACED.contains(&w) || matches!(w, "reservation" | "pickup" | "pick-up");
    matches!(
        verb,
        "move" | "push" | "shift" | "change" | "update" | "amend"
    ) && matches!(words.next(), Some("my" | "the" | "our" | "that" | "this"))
        && words.next().is_some_and(booked)
}

/// "how much was my taxi", "how much is my ride", "how much did the cab
/// cost": "my" and what was placed, named.
fn placed_priced(w: &[&str]) -> Option<String> {
    let ["how", "much", verb, whose, rest @ ..] = w else {
        return None;
    };
    let rest: Vec<&str> = (rest.iter().copied())
        .filter(|x| {
            !matches!(
                *x,
                "cost" | "come" | "to" | "in" | "total" | "altogether" | "then"
            )
        })
        .collect();
    let named = !rest.is_empty() && rest.len() <= 2 && rest.iter().all(|x| PLACED.contains(x));
    let placed = match (*verb, *whose) {
        ("is" | "was" | "did", "my" | "our") => true,
        // ("how much is the pizza" asks the menu.)
        ("was" | "did", "the" | "that") => true,
        _ => false,
    };
    (named && placed).then(|| format!("my {}", rest.join(" ")))
}

/// What "is X (much) more", "would X be cheaper", "is X more expensive"
/// ask the price of, against what is under way.
fn priced_against(w: &[&str]) -> Option<String> {
    let (first, rest) = w.split_first()?;
    if !matches!(
        *first,
        "is" | "would" | "will" | "are" | "isn't" | "wouldn't"
    ) {
        return None;
    }
    let rest = match rest.iter().position(|x| *x == "be") {
        Some(at) if matches!(*first, "would" | "will" | "wouldn't") => {
            [&rest[..at], &rest[at + 1..]].concat()
        }
        _ => rest.to_vec(),
    };
    let at = rest.iter().position(|x| {
        matches!(
            *x,
            "more" | "cheaper" | "dearer" | "pricier" | "extra" | "less" | "costlier"
        )
    })?;
    let tail = &rest[at + 1..];
    let tail_ok = tail.iter().all(|x| {
        matches!(
            *x,
            "expensive" | "than" | "that" | "this" | "it" | "mine" | "then" | "please" | "money"
        )
    });
    let what: Vec<&str> = (rest[..at].iter())
        .copied()
        .filter(|x| !matches!(*x, "much" | "any" | "a" | "lot" | "way" | "loads" | "it"))
        .collect();
    if tail_ok {
        return (1..=4).contains(&what.len()).then(|| what.join(" "));
    }
    // "would it be cheaper to go shared", "is it more with garlic bread":
    // what follows is what is priced.
    let said: Vec<&str> = (tail.iter().copied())
        .skip_while(|x| {
            matches!(
                *x,
                "expensive"
                    | "to"
                    | "go"
                    | "with"
                    | "if"
                    | "i"
                    | "we"
                    | "get"
                    | "got"
                    | "take"
                    | "for"
                    | "by"
                    | "going"
                    | "add"
                    | "had"
                    | "have"
                    | "a"
                    | "an"
                    | "the"
            )
        })
        .collect();
    (what.is_empty() && (1..=4).contains(&said.len())).then(|| said.join(" "))
}

/// "is there a bigger car?", "is there a cheaper option": a kind of car
/// asked about, priced.
fn car_asked_about(w: &[&str]) -> Option<String> {
    match w {
        [
            "is" | "are",
            "there",
            "a" | "an" | "any",
            what @ ..,
            "car" | "cab" | "taxi" | "ride" | "vehicle" | "cars",
        ] if (1..=2).contains(&what.len()) => Some(format!("a {} car ride", what.join(" "))),
        _ => None,
    }
}

pub fn is_change(text: &str) -> bool {
    // "running late, make it 7:20": a clause of its own that changes.
    let clauses: Vec<&str> = text.split([',', '.', ';', '!']).map(str::trim).collect();
    if clauses.len() > 1
        && clauses[1..].iter().any(|c| {
            let lower = c.to_lowercase();
            [
                "make it ",
                "make that ",
                "change it ",
                "move it ",
                "push it ",
                "can you make it ",
                "can you change it ",
                "can you move it ",
            ]
            .iter()
            .any(|p| lower.starts_with(p))
        })
    {
        return true;
    }
    let words = Words::new(text);
    let w: Vec<&str> = words.norm().iter().map(String::as_str).collect();
    let joined = w.join(" ");
    [
        "make it",
        "make that",
        "make them",
        "change it",
        "change that",
        "change the",
        "change to",
        "switch to",
        "switch it",
        "send it",
        "deliver it",
        "bring it",
        "add",
        "also add",
        "and add",
        "can you add",
        "could you add",
        "please add",
        "can i add",
        "could i add",
        "can we add",
        "could we add",
        "i'd like to add",
        "i want to add",
        "actually",
        "instead",
        "can you make",
        "could you make",
        "can i change",
        "i meant",
        "i mean",
        "sorry i meant",
        "oh and",
        "plus",
        "also",
        "and also",
        "remove",
        "take off",
        "without",
        "no",
        "not",
        "rather",
        "wait",
        "oops",
        "sorry",
        // "can you push it back to 6:30", "move it to 7", "there'll be 5
        // of us".
        "push it",
        "can you push it",
        "could you push it",
        "move it",
        "can you move it",
        "could you move it",
        "bring it forward",
        "there'll be",
        "there will be",
        // "we're now 5 people", "there are now 4 of us".
        "we're now",
        "were now",
        "we are now",
        "there are now",
        "now there are",
        "can you change",
        "could you change",
        "can we change",
        "could we change",
        // "oh i forgot bread", "i also need milk" (never "i forgot my
        // wallet, cancel the cab": see `read`).
        "i forgot",
        "oh i forgot",
        "forgot",
        "i also need",
        "i also want",
        // "make one of the lattes a cappuccino", "one less fries".
        "make one",
        "make 1",
        "make two",
        "make 2",
        "one less",
        "1 less",
        "one fewer",
        "1 fewer",
        "two less",
        "2 less",
        // "can i upgrade to an xl".
        "upgrade",
        "downgrade",
        "can i upgrade",
        "can we upgrade",
        "could i upgrade",
        "could we upgrade",
    ]
    .iter()
    .any(|p| {
        // ("oh add a lemonade", "ok can you add one")
        [joined.as_str(), without_courtesy(&joined)].iter().any(|said| {
            said.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
    })
        || joined.ends_with(" instead")
        || joined.contains(" instead ")
        // "can you take the samosa off", "please remove the rice".
        || {
            let polite = without_courtesy(&joined);
            (polite.starts_with("take ") && (polite.ends_with(" off") || polite.ends_with(" out")))
                || ["remove ", "get rid of ", "drop the ", "leave out ", "leave off "]
                    .iter()
                    .any(|lead| polite.starts_with(lead))
                // "make the latte a cappuccino", "swap the caesar for a greek
                // salad", "switch the pancakes for a bagel", "replace the
                // rice with chips": a line of it changed.
                || ["make the ", "swap ", "switch the ", "replace ", "change the ", "substitute "]
                    .iter()
                    .any(|lead| polite.starts_with(lead))
        }
        // "push it back an hour", "30 mins earlier".
        || super::when::moved_by(text).is_some()
        // "and a tiramisu", "could you also get me garlic bread", "throw
        // in a coke too": more of it.
        || {
            let polite = without_courtesy(&joined);
            ["and a ", "and an ", "and some "]
                .iter()
                .any(|lead| joined.starts_with(lead))
                || ["also ", "throw in ", "chuck in ", "stick in "]
                    .iter()
                    .any(|lead| polite.starts_with(lead))
        }
        // "move my taxi to 9am", "push the ride back to 10", "reschedule my
        // cab for 8": what was booked, moved.
        || moves_a_booking(without_courtesy(&joined))
        // "and some bread too", "and a cola as well".
        || (joined.starts_with("and ") && (joined.ends_with(" too") || joined.ends_with(" as well")))
        // "3 of each", "two of everything", "2 of those actually".
        || {
            let w: Vec<&str> = (w.iter().copied())
                .filter(|x| !matches!(*x, "actually" | "please" | "then" | "instead" | "make" | "it"))
                .collect();
            matches!(w.as_slice(), [n, "of", "each" | "everything" | "them" | "both" | "those" | "these"]
                if number(n).is_some())
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_then_a_cancel_is_a_cancel_and_a_clause_of_filler_is_no_panic() {
        assert_eq!(
            read("I forgot my wallet, cancel the cab"),
            Some(Act::CancelPlaced(Some("ride")))
        );
        for said in [
            "a pizza to work, please",
            "a pizza, so",
            "milk. just",
            "ok, please",
            ", ,",
        ] {
            let _ = read(said);
        }
    }

    #[test]
    fn a_problem_with_a_delivered_order_is_a_complaint_never_an_order() {
        for said in [
            "my last order was wrong, they sent semi skimmed instead of whole",
            "the bananas you sent last time were all brown",
            "you forgot the butter in my last shop",
            "my delivery never showed up",
            "the eggs arrived cracked, I want a refund",
            "my last grocery order was missing the eggs, can i get a refund",
        ] {
            assert_eq!(read(said), Some(Act::Complaint), "{said}");
        }
        for said in [
            "you forgot the butter in my last shop, can you send some",
            "i want cold drinks delivered home",
            "get me a late night pizza",
            "if i cancel do i get a refund",
        ] {
            assert_ne!(read(said), Some(Act::Complaint), "{said}");
        }
    }

    #[test]
    fn courtesy_goes_in_any_order() {
        for said in [
            "please can you take the samosa off",
            "oh please could you take the samosa off",
            "actually, sorry, can i take the samosa off",
            "take the samosa off",
        ] {
            assert_eq!(without_courtesy(said), "take the samosa off", "{said}");
        }
        assert_eq!(without_courtesy("canary wharf"), "canary wharf");
    }

    #[test]
    fn whether_errand_delivers_somewhere_is_a_question_with_its_place() {
        let place = |text: &str| match read(text) {
            Some(Act::DeliversTo { place, .. }) => Some(place),
            _ => None,
        };
        assert_eq!(place("do you deliver to work?").as_deref(), Some("work"));
        assert_eq!(
            place("hi, do you guys deliver to Canary Wharf?").as_deref(),
            Some("Canary Wharf")
        );
        assert_eq!(
            place("I was wondering if you deliver to E14").as_deref(),
            Some("E14")
        );
        assert_eq!(
            place("do you do deliveries to 12 Abbey Road").as_deref(),
            Some("12 Abbey Road")
        );
        // A thing asked for is an order; no place, no question of this kind.
        assert_eq!(place("can you deliver a pizza to work"), None);
        assert_eq!(place("do you deliver"), None);
        assert_eq!(place("deliver to work"), None);
    }

    #[test]
    fn yes_in_many_words() {
        for text in [
            "yes",
            "Yep!",
            "go ahead",
            "sure",
            "place it",
            "yes please",
            "ok do it",
            "Yes, that's right",
            "sounds good",
            "confirm",
            "sure thing",
            "that's perfect, thanks",
            "yes, 25 is fine",
            "yeah go on",
            "ok then",
        ] {
            assert_eq!(read(text), Some(Act::Yes), "{text}");
        }
        assert_ne!(read("go on to work instead"), Some(Act::Yes));
    }

    #[test]
    fn no_and_no_with_a_change() {
        for text in [
            "no",
            "No thanks",
            "cancel",
            "don't",
            "never mind",
            "nope, forget it",
        ] {
            assert_eq!(read(text), Some(Act::No), "{text}");
        }
        assert_eq!(
            read("no, to work instead"),
            Some(Act::Instead("to work instead".into()))
        );
        assert_eq!(
            read("no make it two"),
            Some(Act::Instead("make it two".into()))
        );
        assert_eq!(
            read("nah, from Taco Loco"),
            Some(Act::Instead("from Taco Loco".into()))
        );
    }

    #[test]
    fn small_talk_and_questions() {
        assert_eq!(read("hi"), Some(Act::Greeting));
        assert_eq!(read("Hello there!"), Some(Act::Greeting));
        assert_eq!(read("good morning"), Some(Act::Greeting));
        assert_eq!(read("thanks"), Some(Act::Thanks));
        assert_eq!(read("thank you so much"), Some(Act::Thanks));
        assert_eq!(read("ok bye!"), Some(Act::Goodbye));
        assert_eq!(read("what can you do?"), Some(Act::Help));
        assert_eq!(read("so what do you sell?"), Some(Act::Help));
        assert_eq!(read("do you deliver groceries?"), Some(Act::Help));
        assert!(not_a_request("what's the best burger in london"));
        assert!(not_a_request("i love sushi"));
        assert!(not_a_request("don't buy eggs"));
        assert!(not_a_request("we've got loads of milk, don't need any"));
        assert!(not_a_request("I already bought eggs today"));
        assert!(not_a_request("milk is so expensive these days"));
        assert!(not_a_request("i took a taxi to work this morning"));
        assert!(not_a_request("I'm not hungry, I already had a burger"));
        assert!(not_a_request("my taxi driver was rude"));
        assert!(not_a_request("should i get pizza or sushi tonight?"));
        assert!(not_a_request("tell me a joke about tacos"));
        assert!(!not_a_request(
            "taxi to gatwick, my flight is at 9am tomorrow"
        ));
        assert!(!not_a_request(
            "i had a burger yesterday, can i get another one"
        ));
        assert!(!not_a_request("don't buy eggs, get some milk instead"));
        assert!(!not_a_request("2 litres of milk and a dozen eggs"));
        assert!(!not_a_request("what can i get from burger barn to home"));
        assert!(!not_a_request("i need sushi"));
        assert!(!not_a_request("how about a pizza to home"));
        assert_eq!(read("can you book rides?"), Some(Act::Help));
        assert_ne!(read("can you book a cab to work?"), Some(Act::Help));
        assert_eq!(
            read("what's the price of milk"),
            Some(Act::Price("milk".into()))
        );
        assert_eq!(read("what kind of things can I get?"), Some(Act::Help));
        assert_ne!(read("what can i order from the moon?"), Some(Act::Help));
        assert_eq!(
            read("how much is a cheeseburger?"),
            Some(Act::Price("cheeseburger".into()))
        );
        assert_eq!(
            read("how much does the pad thai cost?"),
            Some(Act::Price("pad thai".into()))
        );
        assert_eq!(
            read("how much would a cab from home to gatwick cost?"),
            Some(Act::Price("cab from home to gatwick".into()))
        );
        assert_eq!(
            read("how much would that be?"),
            Some(Act::Price("it".into()))
        );
        assert_eq!(
            read("what's on the menu at Dragon Wok?"),
            Some(Act::Menu(Some("Dragon Wok".into())))
        );
        assert_eq!(read("show me the menu"), Some(Act::Menu(None)));
        for (text, shop) in [
            ("what do you have at errand mart", "errand mart"),
            ("what can i get from taco loco?", "taco loco"),
            ("what does burger barn do", "burger barn"),
            ("what drinks does bean scene have?", "bean scene"),
            ("what's at burger barn", "burger barn"),
        ] {
            assert_eq!(read(text), Some(Act::Menu(Some(shop.into()))), "{text}");
        }
        for not_a_menu in [
            "what does it do",
            "what does a latte cost",
            "what do you have",
        ] {
            assert!(
                !matches!(read(not_a_menu), Some(Act::Menu(Some(_)))),
                "{not_a_menu}"
            );
        }
        assert_eq!(
            read("can i see dragon wok's menu please"),
            Some(Act::Menu(Some("dragon wok".into())))
        );
        assert_eq!(
            read("who does sushi?"),
            Some(Act::WhoServes("sushi".into()))
        );
        assert_eq!(read("where is my order?"), Some(Act::Status));
        assert_eq!(
            read("what pizzas do you have?"),
            Some(Act::WhoServes("pizzas".into()))
        );
        assert_eq!(
            read("which kinds of sushi do you do"),
            Some(Act::WhoServes("sushi".into()))
        );
        assert_eq!(read("how long will it take?"), Some(Act::Status));
        assert_eq!(read("is my taxi on its way?"), Some(Act::Status));
        for asked in [
            "where is it",
            "is it nearly here?",
            "how far away is it",
            "will it be long",
        ] {
            assert_eq!(read(asked), Some(Act::Status), "{asked}");
        }
        for asked in [
            "what did i order?",
            "what have i got booked",
            "whats my order",
        ] {
            assert_eq!(read(asked), Some(Act::Status), "{asked}");
        }
        for asked in ["how much was that?", "how much did i pay"] {
            assert_eq!(read(asked), Some(Act::Price("it".into())), "{asked}");
        }
        assert_eq!(read("did you book my cab"), Some(Act::Status));
        assert_eq!(read("have you ordered my groceries yet"), Some(Act::Status));
        assert_eq!(read("did the shopping arrive"), Some(Act::Status));
        for asked in [
            "how's my cab doing",
            "is the taxi still coming?",
            "has the shopping left yet",
        ] {
            assert_eq!(read(asked), Some(Act::Status), "{asked}");
        }
        for asked in [
            "is it on its way?",
            "any update on my food?",
            "has the driver left yet?",
            "status?",
            "where is the cab?",
        ] {
            assert_eq!(read(asked), Some(Act::Status), "{asked}");
        }
        assert_ne!(read("where's the pizza place?"), Some(Act::Status));
        assert_ne!(read("is it coming with fries?"), None);
        assert_eq!(read("what time is my cab coming"), Some(Act::Status));
        assert_ne!(read("did you know pizza is from naples"), Some(Act::Status));
        assert_ne!(read("have you got pizza"), Some(Act::Status));
        // What a shelf holds, asked without a question mark.
        assert_eq!(
            read("have you got any milk"),
            Some(Act::WhoServes("milk".into()))
        );
        assert_eq!(
            read("do you have fresh bread"),
            Some(Act::WhoServes("fresh bread".into()))
        );
        assert_eq!(
            read("do you sell eggs"),
            Some(Act::WhoServes("eggs".into()))
        );
        assert_eq!(
            read("do you have any salmon"),
            Some(Act::WhoServes("any salmon".into()))
        );
        assert_eq!(
            read("have you got any pizza left?"),
            Some(Act::WhoServes("pizza".into()))
        );
        assert_eq!(
            read("do you have any é?"),
            Some(Act::WhoServes("any é".into()))
        );
        assert_eq!(
            read("is there any milk"),
            Some(Act::WhoServes("milk".into()))
        );
        assert_eq!(
            read("you got coffee"),
            Some(Act::WhoServes("coffee".into()))
        );
        assert_eq!(read("is there a problem"), None);
        assert_ne!(read("you got it?"), Some(Act::WhoServes("it".into())));
        assert_eq!(read("do you have time to talk"), None);
        assert_eq!(read("have you got a minute"), None);
        assert_eq!(read("do you have a cab"), None);
        assert_eq!(read("have you got my order"), Some(Act::Status));
        assert_eq!(read("what?"), Some(Act::Unclear));
        assert_eq!(read("um"), Some(Act::Unclear));
        assert_eq!(read("ummm"), Some(Act::Unclear));
        assert_eq!(read("actually don't"), Some(Act::No));
        assert_eq!(read("no, leave it then"), Some(Act::No));
        assert_eq!(read("yes, order from there"), Some(Act::Yes));
        assert_eq!(
            read("who does sushi around here?"),
            Some(Act::WhoServes("sushi".into()))
        );
        assert_eq!(read("i'd like to cancel"), Some(Act::CancelPlaced(None)));
        assert_eq!(
            read("actually I don't need the cab anymore"),
            Some(Act::CancelPlaced(Some("ride")))
        );
        assert_eq!(
            read("oops, cancel my last order"),
            Some(Act::CancelPlaced(None))
        );
        assert_eq!(read("hmmmm?"), Some(Act::Unclear));
        assert_eq!(read("I don't know"), Some(Act::Unclear));
    }

    #[test]
    fn cancelling_a_placed_command() {
        assert_eq!(read("cancel my last order"), Some(Act::CancelPlaced(None)));
        assert_eq!(
            read("cancel the cab and order me a pizza"),
            Some(Act::CancelPlaced(Some("ride")))
        );
        assert_eq!(read("no, keep it"), Some(Act::No));
        assert_eq!(read("no leave it as it is"), Some(Act::No));
        assert_eq!(
            read("actually can you cancel my order"),
            Some(Act::CancelPlaced(None))
        );
        assert_eq!(
            read("cancel that ride"),
            Some(Act::CancelPlaced(Some("ride")))
        );
        assert_eq!(
            read("please cancel the taxi"),
            Some(Act::CancelPlaced(Some("ride")))
        );
        assert_eq!(
            read("cancel my groceries"),
            Some(Act::CancelPlaced(Some("mart")))
        );
        // What is kept is not what is cancelled.
        for (text, domain) in [
            ("cancel the food but keep the cab", "food"),
            ("cancel the cab, not the shopping", "ride"),
            ("please cancel my groceries and keep the taxi", "mart"),
        ] {
            assert_eq!(read(text), Some(Act::CancelPlaced(Some(domain))), "{text}");
        }
    }

    #[test]
    fn requests_are_no_acts() {
        for text in [
            "order me a burger",
            "book a cab from home to the airport",
            "hi, order me a burger",
            "I need groceries",
            "can I get a coffee",
            "what's the weather tomorrow",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }

    #[test]
    fn a_yes_said_loosely_or_after_taking_back_a_no() {
        for text in [
            "ye",
            "yas",
            "i guess so",
            "no wait yes",
            "sorry, yes please",
        ] {
            assert_eq!(read(text), Some(Act::Yes), "{text}");
        }
        assert_ne!(read("no wait"), Some(Act::Yes));
    }

    #[test]
    fn what_a_placed_one_came_to() {
        for (text, what) in [
            ("how much was the taxi", "my taxi"),
            ("how much did my shopping cost", "my shopping"),
            ("how much is my ride", "my ride"),
        ] {
            assert_eq!(read(text), Some(Act::Price(what.into())), "{text}");
        }
        assert_eq!(
            read("how much is the pizza"),
            Some(Act::Price("pizza".into()))
        );
        for asked in ["did it go through?", "whats booked", "what did i get"] {
            assert_eq!(read(asked), Some(Act::Status), "{asked}");
        }
    }

    #[test]
    fn a_price_asked_against_what_is_under_way() {
        for (text, what) in [
            ("is xl much more?", "xl"),
            ("would premium be dearer", "premium"),
            ("is the pepperoni more expensive?", "the pepperoni"),
            ("would it be cheaper to go shared", "shared"),
            ("is it more with garlic bread", "garlic bread"),
            ("is there a bigger car", "a bigger car ride"),
        ] {
            assert_eq!(read(text), Some(Act::Price(what.into())), "{text}");
        }
        assert_eq!(
            read("whats the veggie burger like"),
            Some(Act::AboutDish("veggie burger".into()))
        );
        assert_ne!(
            read("is it more than that"),
            Some(Act::Price(String::new()))
        );
    }

    #[test]
    fn changes() {
        for text in [
            "make it two",
            "send it to work instead",
            "add fries",
            "actually, a pizza",
            "to work instead",
            "push it back an hour",
            "move my taxi to 9am",
            "can you push the ride back to 10",
            "reschedule it for 8",
            "shift our booking to 7pm",
        ] {
            assert!(is_change(text), "{text}");
        }
        assert!(!is_change("order me a burger"));
        assert!(!is_change("move house on friday, book a van"));
    }

    #[test]
    fn letters_that_change_length_in_lower_case_are_no_panic() {
        // The Kelvin sign (3 bytes) lowercases to "k" (1 byte): where
        // " around here" starts in the lowercased words was inside it here.
        assert_eq!(
            read("who does sushi é\u{212A} around here?"),
            Some(Act::WhoServes("sushi é\u{212A}".into()))
        );
        assert_eq!(
            without_nearby("SUSHI \u{130}\u{130} NEARBY"),
            "SUSHI \u{130}\u{130}"
        );
    }

    #[test]
    fn a_journey_turned_round() {
        for text in [
            "no, the other way round",
            "other way around please",
            "it's the wrong way round",
            "swap them",
            "can you switch them round",
            "reverse it",
            "the opposite direction",
        ] {
            assert!(swaps_ends(text), "{text}");
        }
        for text in [
            "switch it to premium",
            "swap the fries for onion rings",
            "on the other side of the road",
            "a cab to work",
            "no",
        ] {
            assert!(!swaps_ends(text), "{text}");
        }
    }

    #[test]
    fn what_delivery_costs_is_a_price_question() {
        for text in [
            "what's the delivery fee?",
            "is delivery free",
            "do you charge for delivery",
            "how much is delivery",
            "any delivery charge?",
        ] {
            assert_eq!(read(text), Some(Act::Price("delivery".into())), "{text}");
        }
        assert_ne!(
            read("free delivery please"),
            Some(Act::Price("delivery".into()))
        );
    }

    #[test]
    fn the_cheapest_of_a_kind() {
        for (text, what) in [
            ("what's the cheapest pizza", "pizza"),
            ("which curry is cheapest?", "curry"),
            ("cheapest coffee you have?", "coffee"),
            (
                "what's the cheapest thing at burger barn",
                "thing at burger barn",
            ),
        ] {
            assert_eq!(read(text), Some(Act::Cheapest(what.into())), "{text}");
        }
    }

    #[test]
    fn a_question_about_a_diet_is_asked_of_the_menus() {
        for text in [
            "anything vegetarian at burger barn?",
            "is the margherita vegan",
            "what's gluten free at luigi's",
        ] {
            assert!(
                matches!(read(text), Some(Act::WhoServes(_))),
                "{text}: {:?}",
                read(text)
            );
        }
        // An order of a dish named so is no question.
        assert!(!matches!(
            read("order a vegetarian pizza"),
            Some(Act::WhoServes(_))
        ));
    }

    #[test]
    fn a_question_about_opening_hours() {
        for text in [
            "is luigi's open",
            "are you open?",
            "what time does taco loco close",
            "when does dragon wok open",
            "opening hours of burger barn",
            "is the pizza place open now",
        ] {
            assert!(
                matches!(read(text), Some(Act::Hours(_))),
                "{text}: {:?}",
                read(text)
            );
        }
        for text in [
            "open the menu",
            "is the order open",
            "a pizza to the open air theatre",
        ] {
            assert!(!matches!(read(text), Some(Act::Hours(_))), "{text}");
        }
    }

    #[test]
    fn cancelling_a_placed_thing_by_its_name() {
        for text in ["cancel the sushi", "cancel the tuna roll please"] {
            assert!(matches!(read(text), Some(Act::CancelPlaced(_))), "{text}");
        }
    }
}
