//! Slots: the values a command's action is filled with, as the reasoner
//! understood them, and the items of an order.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One requested item: "2 cheeseburgers".
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct ItemRequest {
    pub name: String,
    pub quantity: u32,
    /// Sizes and extras as the person said them ("large", "extra cheese").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ItemRequest {
    pub fn new(name: impl Into<String>, quantity: u32) -> Self {
        Self {
            name: name.into(),
            quantity,
            note: None,
        }
    }
}

/// One slot's value as the reasoner understood it.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(untagged)]
pub enum SlotValue {
    Number(u32),
    Text(String),
    Items(Vec<ItemRequest>),
}

impl SlotValue {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            SlotValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<u32> {
        match self {
            SlotValue::Number(n) => Some(*n),
            SlotValue::Text(s) => number_in_words(s),
            SlotValue::Items(_) => None,
        }
    }

    pub fn as_items(&self) -> Option<&[ItemRequest]> {
        match self {
            SlotValue::Items(items) => Some(items),
            _ => None,
        }
    }
}

/// A count as people write it in a slot: "2", "two", "Two", "a dozen".
fn number_in_words(text: &str) -> Option<u32> {
    let text = text.trim().to_lowercase();
    if let Ok(n) = text.parse() {
        return Some(n);
    }
    const WORDS: [&str; 21] = [
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
    match text.as_str() {
        "a" | "an" | "single" => Some(1),
        "a couple" | "couple" | "a pair" | "pair" => Some(2),
        "a dozen" | "dozen" => Some(12),
        "half a dozen" | "half dozen" => Some(6),
        "a dozen and a half" | "dozen and a half" => Some(18),
        word => WORDS.iter().position(|w| *w == word).map(|n| n as u32),
    }
}

/// Slot name to value.
pub type SlotMap = BTreeMap<String, SlotValue>;
