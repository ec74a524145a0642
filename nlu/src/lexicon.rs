//! Lexicons built from the domain catalogs: every dish, shelf item,
//! restaurant and cuisine errand can order, with the words people use for
//! them.

use crate::words::{item_key, normalize};
use std::collections::BTreeSet;

/// What is sold, as the reader needs to know it: the dishes and groceries a
/// person may ask for by name, and the restaurants they may name. A
/// provider's menus and shelves feed the reader through this (errand's own
/// simulated providers implement it in `errand-actors`).
pub trait Catalog {
    /// Each restaurant's name and the dishes on its menu.
    fn restaurants(&self) -> Vec<(String, Vec<String>)>;
    /// Other names people give dishes ("cheeseburger", "fries").
    fn dish_names(&self) -> Vec<String>;
    /// The groceries sold, in the catalog's own order.
    fn groceries(&self) -> Vec<String>;
    /// Other names people give groceries.
    fn grocery_names(&self) -> Vec<String>;
}

#[derive(Clone, Debug)]
pub struct Lexicon {
    /// Food phrases, as item keys (normalised, singular).
    pub food: BTreeSet<String>,
    /// Mart phrases, as item keys.
    pub mart: BTreeSet<String>,
    /// Restaurant names, normalised.
    pub restaurants: Vec<(String, String)>,
    pub cuisines: BTreeSet<String>,
    /// Every word of every food phrase (and cuisine).
    pub food_words: BTreeSet<String>,
    /// The longest phrase, in words.
    pub longest: usize,
    /// Everyday goods people buy and the shops they buy them from: a
    /// feature of the trained reader (shopping is not food), not a catalog.
    pub goods: BTreeSet<String>,
    /// The catalog's groceries as it names them, in its order (what
    /// generated shopping lines are made of).
    pub groceries: Vec<String>,
}

/// Everyday goods and shops.
const GOODS: &[&str] = &[
    // groceries
    "milk",
    "egg",
    "bread",
    "butter",
    "cheese",
    "yogurt",
    "yoghurt",
    "cream",
    "flour",
    "sugar",
    "salt",
    "pepper",
    "rice",
    "pasta",
    "cereal",
    "oat",
    "oatmeal",
    "coffee",
    "tea",
    "juice",
    "water",
    "soda",
    "coke",
    "beer",
    "wine",
    "apple",
    "banana",
    "orange",
    "grape",
    "berry",
    "strawberry",
    "lemon",
    "lime",
    "tomato",
    "potato",
    "onion",
    "garlic",
    "carrot",
    "lettuce",
    "spinach",
    "avocado",
    "cucumber",
    "fruit",
    "vegetable",
    "veggie",
    "produce",
    "meat",
    "beef",
    "pork",
    "chicken",
    "bacon",
    "ham",
    "sausage",
    "fish",
    "salmon",
    "tuna",
    "tofu",
    "bean",
    "lentil",
    "nut",
    "peanut butter",
    "jam",
    "jelly",
    "honey",
    "syrup",
    "oil",
    "olive oil",
    "vinegar",
    "ketchup",
    "mustard",
    "mayo",
    "mayonnaise",
    "sauce",
    "spice",
    "snack",
    "chip",
    "cracker",
    "cookie",
    "candy",
    "chocolate",
    "gum",
    "ice cream",
    "frozen pizza",
    "canned soup",
    "soup",
    "grocery",
    "groceries",
    "baking soda",
    "yeast",
    "cat food",
    "dog food",
    "pet food",
    "cat litter",
    "litter",
    "bird seed",
    // household and personal care
    "toilet paper",
    "paper towel",
    "tissue",
    "napkin",
    "paper plate",
    "plastic bag",
    "trash bag",
    "garbage bag",
    "bin bag",
    "foil",
    "cling film",
    "dish soap",
    "dishwasher tablet",
    "detergent",
    "laundry detergent",
    "fabric softener",
    "bleach",
    "lysol",
    "cleaner",
    "sponge",
    "soap",
    "hand soap",
    "shampoo",
    "conditioner",
    "toothpaste",
    "toothbrush",
    "floss",
    "mouthwash",
    "deodorant",
    "razor",
    "shaving cream",
    "lotion",
    "sunscreen",
    "chapstick",
    "q tip",
    "cotton swab",
    "diaper",
    "nappy",
    "wipe",
    "baby wipe",
    "tampon",
    "pad",
    "vitamin",
    "aspirin",
    "ibuprofen",
    "band aid",
    "bandage",
    "battery",
    "light bulb",
    "bulb",
    "candle",
    "filter",
    "water filter",
    "air filter",
    "printer paper",
    "paper",
    "ink",
    "printer ink",
    "pen",
    "pencil",
    "notebook",
    "tape",
    "glue",
    "envelope",
    "stamp",
    "flower",
    // things
    "phone",
    "iphone",
    "charger",
    "phone charger",
    "cable",
    "usb cable",
    "headphone",
    "earbud",
    "laptop",
    "computer",
    "mouse",
    "keyboard",
    "monitor",
    "tablet",
    "tv",
    "television",
    "speaker",
    "camera",
    "shoe",
    "sneaker",
    "boot",
    "shirt",
    "t shirt",
    "sock",
    "underpants",
    "underwear",
    "pant",
    "jeans",
    "jacket",
    "coat",
    "belt",
    "hat",
    "glove",
    "sunglasses",
    "ray ban",
    "oakley",
    "dress",
    "toy",
    "toy car",
    "book",
    "game",
    "gift card",
    "pan",
    "pot",
    "cooking pan",
    "plate",
    "cup",
    "mug",
    "towel",
    "sheet",
    "pillow",
    "blanket",
    // shops
    "amazon",
    "walmart",
    "costco",
    "target",
    "tesco",
    "sainsbury",
    "kroger",
    "safeway",
    "aldi",
    "lidl",
    "whole food",
    "trader joe",
    "ebay",
    "best buy",
    "ikea",
    "store",
    "shop",
    "supermarket",
    "shopping",
];

/// Generic words for food that are items when nothing more specific is said.
const GENERIC_FOOD: &[&str] = &[
    "burger",
    "pizza",
    "sushi",
    "taco",
    "burrito",
    "curry",
    "noodle",
    "salad",
    "sandwich",
    "fries",
    "wrap",
    "kebab",
    "dumpling",
    "ramen",
    "pho",
    "steak",
    "wing",
    "nugget",
    "hot dog",
    "pasta",
    "soup",
    "donut",
    "doughnut",
    "cake",
    "ice cream",
    "chicken",
    "fish and chip",
    "breakfast",
    "lunch",
    "dinner",
    "coffee",
    "tea",
    "smoothie",
    "bagel",
    "croissant",
];

/// Generic grocery words.
const GENERIC_MART: &[&str] = &[
    "grocery",
    "groceries",
    "milk",
    "egg",
    "bread",
    "butter",
    "cheese",
    "fruit",
    "vegetable",
    "veggie",
    "apple",
    "banana",
    "detergent",
    "toilet paper",
    "paper towel",
    "soap",
    "shampoo",
    "toothpaste",
    "battery",
    "diaper",
    "cereal",
    "flour",
    "sugar",
    "rice",
    "water",
    "juice",
];

impl Lexicon {
    /// The phrases of `catalog`, with errand's own everyday words.
    pub fn new(catalog: &dyn Catalog) -> Self {
        let restaurants = catalog.restaurants();
        let mut food = BTreeSet::new();
        for (_, menu) in &restaurants {
            for item in menu {
                food.insert(item_key(item));
            }
        }
        for alias in catalog.dish_names() {
            food.insert(item_key(&alias));
        }
        for word in GENERIC_FOOD {
            food.insert(item_key(word));
        }
        let groceries = catalog.groceries();
        let mut mart = BTreeSet::new();
        for item in &groceries {
            mart.insert(item_key(item));
        }
        for alias in catalog.grocery_names() {
            mart.insert(item_key(&alias));
        }
        for word in GENERIC_MART {
            mart.insert(item_key(word));
        }
        let restaurants = restaurants
            .into_iter()
            .map(|(name, _)| (normalize(&name), name))
            .collect();
        let cuisines: BTreeSet<String> = [
            "italian",
            "chinese",
            "japanese",
            "indian",
            "mexican",
            "thai",
            "american",
            "healthy",
            "vietnamese",
            "korean",
            "greek",
            "french",
            "spanish",
            "turkish",
            "lebanese",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        let longest = food
            .iter()
            .chain(mart.iter())
            .map(|p| p.split(' ').count())
            .max()
            .unwrap_or(1);
        let food_words = food
            .iter()
            .flat_map(|p| p.split(' '))
            .chain(cuisines.iter().map(String::as_str))
            .flat_map(|w| [w.to_owned(), format!("{w}s")])
            .collect();
        Self {
            food,
            mart,
            restaurants,
            cuisines,
            food_words,
            longest,
            goods: GOODS.iter().map(|g| item_key(g)).collect(),
            groceries,
        }
    }
}
