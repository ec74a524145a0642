//! Rides, meals and near misses written from templates: the data's rides
//! come mostly from two dialogue corpora and its meals from one fast-food
//! corpus, so a plain "get me a minicab to gatwick" or "siri order
//! dominos" is phrased as none of them; and its out-of-scope lines that
//! name a taxi, a restaurant or goods rarely ask about one ("how much is
//! an uber to the airport", "cancel my uber", "is milk on my list"). These
//! lines teach the shape of a request and of a question about one, apart
//! from the words filling them. They are generated, deterministic, and
//! weighted below real lines, as the shopping lines are.
//!
//! A template's `{list}` is filled from that list; `{slot:list}` is also
//! labelled as that slot.

use super::super::data::LabelledLine;
use super::super::rng::Rng;
use serde_json::Value;
use std::collections::BTreeMap;

const WAKE: &[&str] = &["alexa", "hey siri", "ok google", "hey", "please", "olly"];

const VEHICLES: &[&str] = &[
    "taxi",
    "cab",
    "uber",
    "lyft",
    "minicab",
    "car",
    "ride",
    "rideshare",
    "car service",
    "private hire car",
    "uberx",
    "bolt",
];

/// Ride types errand offers, as people say them.
const RIDE_TYPES: &[&str] = &[
    "xl",
    "shared",
    "premium",
    "executive",
    "pool",
    "luxury",
    "standard",
    "economy",
];

const RIDE_VERBS: &[&str] = &[
    "book", "get", "call", "order", "grab", "schedule", "arrange", "request", "send", "find",
];

const PLACES: &[&str] = &[
    "the airport",
    "heathrow",
    "jfk",
    "gatwick",
    "the train station",
    "union station",
    "kings cross",
    "penn station",
    "home",
    "work",
    "the office",
    "downtown",
    "the city centre",
    "221b baker street",
    "500 market street",
    "42 elm road",
    "the hospital",
    "the mall",
    "my hotel",
    "the hilton",
    "campus",
    "the stadium",
    "central park",
    "the conference centre",
    "the museum",
    "the cinema",
    "my mum's house",
    "the marriott on 5th avenue",
    "oxford street",
    "the dentist",
];

const TIMES: &[&str] = &[
    "5pm",
    "6:30 am",
    "noon",
    "7 o'clock",
    "8 tonight",
    "half past nine",
    "10:15",
    "midnight",
];

const SEATS: &[&str] = &["2", "3", "4", "two", "three", "five"];

const CHAINS: &[&str] = &[
    "mcdonald's",
    "mcdonalds",
    "kfc",
    "domino's",
    "dominos",
    "pizza hut",
    "burger king",
    "subway",
    "taco bell",
    "wendy's",
    "chipotle",
    "nando's",
    "starbucks",
    "five guys",
    "papa john's",
    "panda express",
    "chick-fil-a",
    "wagamama",
    "greggs",
    "pret",
    "popeyes",
    "shake shack",
    "the thai place",
    "the chinese takeaway",
    "the pizza place down the road",
    "luigi's",
    "golden dragon",
    "the indian on the corner",
];

const DISHES: &[&str] = &[
    "pepperoni pizza",
    "margherita",
    "cheeseburger",
    "chicken burrito",
    "pad thai",
    "chicken tikka masala",
    "sushi",
    "ramen",
    "fish and chips",
    "large coffee",
    "latte",
    "caesar salad",
    "chicken wings",
    "chicken nuggets",
    "falafel wrap",
    "kebab",
    "egg fried rice",
    "lasagna",
    "tacos",
    "bagel",
    "hot dog",
    "poke bowl",
    "pho",
    "green curry",
    "noodles",
    "big mac",
    "family bucket",
    "meatball sub",
    "veggie burger",
    "garlic bread",
    "milkshake",
    "korma",
];

/// Verbs of a meal asked for. "Order" comes with a restaurant only: alone,
/// "order a laptop stand" is how the data asks for goods.
const FOOD_VERBS: &[&str] = &["get", "grab", "fetch", "send", "bring"];

const QUANTITIES: &[&str] = &["2", "two", "3", "three", "4"];

/// Goods people keep lists of and ask about.
const GOODS: &[&str] = &[
    "milk",
    "eggs",
    "bread",
    "toilet paper",
    "bananas",
    "dish soap",
    "batteries",
    "coffee",
    "dog food",
    "shampoo",
    "a phone case",
    "printer ink",
    "paper towels",
    "butter",
    "laundry detergent",
    "headphones",
];

const RIDES: &[&str] = &[
    "{ride_verb} me a {vehicle} to {destination:place}",
    "{ride_verb} a {vehicle} from {pickup:place} to {destination:place}",
    "i need a {vehicle} to {destination:place} at {time:time}",
    "{wake} {ride_verb} me a {vehicle}",
    "can you {ride_verb} a {ride_type:ride_type} {vehicle} to {destination:place}",
    "could you please {ride_verb} a {vehicle} for {seats:seats} people to {destination:place}",
    "send a {vehicle} to pick me up at {pickup:place}",
    "{vehicle} to {destination:place} please",
    "i want a {ride_type:ride_type} ride to {destination:place}",
    "get me a lift to {destination:place}",
    "{ride_verb} a {vehicle} to take me to {destination:place} at {time:time}",
    "we need a {vehicle} from {pickup:place} at {time:time}",
    "i'd like a {vehicle} to {destination:place} for {seats:seats}",
    "{wake} i need a ride from {pickup:place} to {destination:place}",
    "can i get a {vehicle} at {time:time} to {destination:place}",
    "{ride_verb} a {ride_type:ride_type} {vehicle} for me",
    "my flight lands at {time:time}, {ride_verb} a {vehicle} from {pickup:place}",
];

const MEALS: &[&str] = &[
    "{food_verb} me a {item:dish} from {restaurant:chain}",
    "{wake} order {restaurant:chain}",
    "get {restaurant:chain} delivered",
    "i want a {item:dish} delivered to {address:place}",
    "can i get {quantity:quantity} {item:dish} from {restaurant:chain}",
    "could you get us a {item:dish} and a {item:dish} for delivery",
    "i'm hungry, get me a {item:dish}",
    "order {item:dish} from {restaurant:chain} to {address:place}",
    "place an order for {quantity:quantity} {item:dish} at {restaurant:chain}",
    "{restaurant:chain} please, a {item:dish}",
    "i'd like a {item:dish} for dinner, delivered",
    "send a {item:dish} to {address:place}",
    "order takeout from {restaurant:chain}",
    "{wake} get me some food from {restaurant:chain}",
    "{food_verb} us {quantity:quantity} {item:dish} and a {item:dish}",
    "i fancy a {item:dish} from {restaurant:chain}, can you sort that",
    "reorder my usual from {restaurant:chain}",
];

/// Out of scope, and near a request: questions about a ride, a meal or
/// goods, what was already ordered, and lists.
const NEAR: &[&str] = &[
    "cancel my {vehicle}",
    "cancel the {vehicle} i booked for {time}",
    "where is my {vehicle}",
    "how far away is my {vehicle}",
    "how much is a {vehicle} to {place}",
    "how much does a {vehicle} from {place} to {place} cost",
    "is a {vehicle} cheaper than the bus",
    "rate my {vehicle} driver five stars",
    "i left my bag in the {vehicle}",
    "how long does a {vehicle} to {place} take",
    "should i take a {vehicle} or the train to {place}",
    "what's the number of a {vehicle} company near {place}",
    "is {restaurant} open right now",
    "what time does {restaurant} close",
    "how many calories are in a {dish}",
    "how do i make {dish}",
    "find me a recipe for {dish}",
    "where is the nearest {restaurant}",
    "cancel my {restaurant} order",
    "where is my {restaurant} order",
    "has my {dish} been delivered yet",
    "what's on the menu at {restaurant}",
    "does {restaurant} deliver to {place}",
    "how much is a {dish} at {restaurant}",
    "book a table at {restaurant} for {time}",
    "read me the reviews of {restaurant}",
    "is {restaurant} any good",
    "add {goods} to my shopping list",
    "put {goods} on the grocery list",
    "remove {goods} from my shopping list",
    "is {goods} on my list",
    "what's on my shopping list",
    "remind me to buy {goods} tomorrow",
    "how much does {goods} cost",
    "where can i buy {goods} near {place}",
    "track my order of {goods}",
    "cancel my order of {goods}",
    "i want to return the {goods} i bought",
    "when will my {goods} arrive",
    "is {goods} on sale this week",
    "{wake} what's the weather like at {place}",
    "how do i get to {place}",
    "what's traffic like on the way to {place}",
    "book a train ticket to {place}",
];

fn list(name: &str) -> &'static [&'static str] {
    match name {
        "wake" => WAKE,
        "vehicle" => VEHICLES,
        "ride_type" => RIDE_TYPES,
        "ride_verb" => RIDE_VERBS,
        "place" => PLACES,
        "time" => TIMES,
        "seats" => SEATS,
        "chain" | "restaurant" => CHAINS,
        "dish" => DISHES,
        "food_verb" => FOOD_VERBS,
        "quantity" => QUANTITIES,
        "goods" => GOODS,
        _ => &[],
    }
}

/// About `count` lines of each kind: rides, meals and near misses.
pub(crate) fn request_lines(count: usize, seed: u64) -> Vec<LabelledLine> {
    let mut rng = Rng::new(seed ^ 0x005e_ed0f_4ea1);
    let kinds: [(&str, &[&str], bool); 3] = [
        ("book_ride", RIDES, false),
        ("order_food", MEALS, false),
        ("out_of_scope", NEAR, true),
    ];
    let mut lines = Vec::with_capacity(count * kinds.len());
    for (intent, templates, near_domain) in kinds {
        for _ in 0..count {
            let template = templates[pick(&mut rng, templates.len())];
            let (text, slots) = fill(template, &mut rng);
            lines.push(LabelledLine {
                id: Value::String(format!("generated-{intent}-{}", lines.len())),
                text,
                intent: intent.into(),
                slots,
                // The intent is learned from them, not the slots: the data
                // labels its places and dishes by its own conventions.
                slots_annotated: false,
                context_dependent: false,
                near_domain,
            });
        }
    }
    lines
}

fn pick(rng: &mut Rng, n: usize) -> usize {
    (rng.next() % n.max(1) as u64) as usize
}

/// The template filled, and its labelled values (an item named twice is a
/// list; another slot keeps its first value).
fn fill(template: &str, rng: &mut Rng) -> (String, BTreeMap<String, Value>) {
    let mut text = String::new();
    let mut slots: BTreeMap<String, Value> = BTreeMap::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let spec = &rest[open + 1..open + close];
        let (slot, name) = spec.split_once(':').unwrap_or(("", spec));
        let values = list(name);
        let value = values.get(pick(rng, values.len())).copied().unwrap_or("");
        text.push_str(value);
        if !slot.is_empty() {
            let value = Value::String(value.to_owned());
            match slots.get_mut(slot) {
                Some(Value::Array(all)) => all.push(value),
                Some(first) if slot == "item" => *first = Value::Array(vec![first.clone(), value]),
                Some(_) => {}
                None => {
                    slots.insert(slot.to_owned(), value);
                }
            }
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    (text, slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_names_a_list_and_every_value_stands_in_its_line() {
        for template in RIDES.iter().chain(MEALS).chain(NEAR) {
            let mut rest = *template;
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').expect("closed") + open;
                let spec = &rest[open + 1..close];
                let name = spec.split_once(':').map_or(spec, |(_, n)| n);
                assert!(!list(name).is_empty(), "{template}: no list {name}");
                rest = &rest[close + 1..];
            }
        }
        for line in request_lines(200, 7) {
            assert!(!line.text.contains('{'), "{}", line.text);
            for (_, value) in line.slot_values() {
                assert!(line.text.contains(value), "{} lacks {value}", line.text);
            }
        }
    }

    #[test]
    fn the_same_seed_writes_the_same_lines() {
        let texts = |seed| {
            request_lines(50, seed)
                .into_iter()
                .map(|l| l.text)
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(3), texts(3));
        assert_ne!(texts(3), texts(4));
    }
}
