//! Shopping lines written from the goods errand's mart and everyday life
//! sell. The data has few grocery orders (only CLINC's `order` intent, with
//! no slot labels), so the trained reader also learns from these: short,
//! plain requests to buy a thing, with the thing and its quantity labelled.
//! They are generated, deterministic, and weighted below real lines.

mod requests;

pub(crate) use requests::request_lines;

use super::Lexicon;
use super::data::LabelledLine;
use super::rng::Rng;
use crate::words::item_key;
use serde_json::Value;
use std::collections::BTreeMap;

/// `{q}` is a quantity (possibly empty), `{x}` the thing.
const TEMPLATES: &[&str] = &[
    "buy {q}{x}",
    "order {q}{x}",
    "buy me {q}{x}",
    "get me {q}{x} from the store",
    "can you buy {q}{x}",
    "could you order {q}{x} for me",
    "i need to buy {q}{x}",
    "i want to buy {q}{x}",
    "please order {q}{x}",
    "purchase {q}{x}",
    "pick up {q}{x} from the shop",
    "i'm out of {x}, order more",
    "we are out of {x} so order some more",
    "order more {x}",
    "i'd like to order {q}{x} from the mart",
    "can you get me {q}{x} from the supermarket",
    "restock {x}",
    "i ran out of {x}, can you order me some",
    "i don't have any {x} left so please order more",
    "could you reorder {x} for me",
    "add {q}{x} to my cart and check out",
    "order {q}{x} from {s}",
    "buy {q}{x} on {s}",
    "help me buy {q}{x}",
    "i'd like you to purchase {q}{x}",
    "place an order for {q}{x}",
    "can you get {q}{x} delivered from {s}",
];

/// Shops people name when they ask for a thing to be bought.
const STORES: &[&str] = &[
    "amazon",
    "walmart",
    "target",
    "costco",
    "the supermarket",
    "the grocery store",
    "tesco",
    "the pharmacy",
];

const QUANTITIES: &[&str] = &["", "", "", "2 ", "two ", "a ", "3 ", "some ", "a pack of "];

const EVERYDAY: &[&str] = &[
    "paper towels",
    "dish soap",
    "laundry detergent",
    "toilet paper",
    "shampoo",
    "toothpaste",
    "batteries",
    "light bulbs",
    "trash bags",
    "cat litter",
    "vitamins",
    "printer paper",
    "phone charger",
    "usb cable",
    "socks",
    "shoes",
    "a new phone",
    "headphones",
    "razors",
    "tissues",
    "sponges",
    "hand soap",
    "conditioner",
    "deodorant",
    "coffee filters",
    "paper plates",
    "plastic cups",
    "aluminum foil",
    "an iphone",
    "a laptop",
    "a gift card",
    "a pair of sneakers",
    "a video game",
    "a toy car",
    "a phone case",
    "a blender",
    "a winter coat",
    "printer ink",
    "dog treats",
    "a birthday card",
];

/// Goods the lexicon does not list, so that the way a line asks ("i want
/// to buy ...", "please order ... for me") is learned apart from the
/// catalog: people buy far more things than any list has.
const UNLISTED: &[&str] = &[
    "a toaster",
    "an air fryer",
    "a yoga mat",
    "a bike helmet",
    "a kindle",
    "an xbox",
    "a nintendo switch",
    "airpods",
    "a desk lamp",
    "an office chair",
    "a vacuum cleaner",
    "a hair dryer",
    "a backpack",
    "an umbrella",
    "a water bottle",
    "guitar strings",
    "tennis balls",
    "a lego set",
    "a board game",
    "perfume",
    "a watch",
    "a wallet",
    "a samsung galaxy s9",
    "a pixel 3",
    "nike air max 90s",
    "a ps4 controller",
    "a hdmi cable",
    "an extension cord",
    "a screwdriver set",
    "a garden hose",
    "a coffee maker",
    "a fitbit",
    "a rug",
    "curtains",
    "a mattress",
    "a space heater",
    "sunflower seeds",
    "a dog leash",
    "a fish tank",
    "a yoga ball",
];

/// About `count` generated lines.
pub(crate) fn shopping_lines(count: usize, seed: u64, lexicon: &Lexicon) -> Vec<LabelledLine> {
    let mut things: Vec<&str> = lexicon.groceries.iter().map(String::as_str).collect();
    things.extend(EVERYDAY);
    things.extend(UNLISTED);
    // Goods that are also dishes would teach that food is shopping.
    // (Pet food is left out for the same reason: "order some food" is food.)
    things.retain(|t| !lexicon.food.contains(&item_key(t)));
    let mut rng = Rng::new(seed);
    let pick = |rng: &mut Rng, n: usize| (rng.next() % n as u64) as usize;
    (0..count)
        .map(|k| {
            let template = TEMPLATES[pick(&mut rng, TEMPLATES.len())];
            // One line in four asks for a list: "bread, milk and bananas".
            let listed = if pick(&mut rng, 4) == 0 {
                2 + pick(&mut rng, 2)
            } else {
                1
            };
            let chosen: Vec<&str> = (0..listed)
                .map(|_| things[pick(&mut rng, things.len())])
                .collect();
            let quantity = if template.contains("{q}") {
                QUANTITIES[pick(&mut rng, QUANTITIES.len())]
            } else {
                ""
            };
            // "2 toasters" would need a plural: "2 toaster" is nearer
            // than "2 a toaster".
            let chosen: Vec<&str> = if quantity.is_empty() {
                chosen
            } else {
                chosen.into_iter().map(without_article).collect()
            };
            let thing = match chosen.as_slice() {
                [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
                _ => chosen[0].to_owned(),
            };
            let store = STORES[pick(&mut rng, STORES.len())];
            let text = template
                .replace("{q}", quantity)
                .replace("{x}", &thing)
                .replace("{s}", store);
            let mut slots = BTreeMap::new();
            // The item is the thing, without its article ("a toaster" asks
            // for a "toaster"), as the data labels items.
            let items: Vec<Value> = chosen
                .iter()
                .map(|t| Value::String(without_article(t).to_owned()))
                .collect();
            slots.insert(
                "item".to_owned(),
                match items.len() {
                    1 => items[0].clone(),
                    _ => Value::Array(items),
                },
            );
            let number = quantity.trim();
            if matches!(number, "2" | "two" | "3") {
                slots.insert("quantity".to_owned(), Value::String(number.to_owned()));
            }
            LabelledLine {
                id: Value::String(format!("generated-{k}")),
                text,
                intent: "order_mart".into(),
                slots,
                slots_annotated: true,
                context_dependent: false,
                near_domain: false,
            }
        })
        .collect()
}

fn without_article(thing: &str) -> &str {
    thing
        .strip_prefix("a ")
        .or_else(|| thing.strip_prefix("an "))
        .unwrap_or(thing)
}
