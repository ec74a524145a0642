//! The domain registry: which domains exist, what their actions take, and
//! the agent that carries them out.
//!
//! Adding a domain is one agent file (a type that implements
//! [`DomainAgent`]) plus one [`DomainRegistry::register`] call: the router
//! dispatches by domain name, the reasoner asks for missing slots from the
//! [`ActionSpec`], and the agents role hosts every registered agent.

use crate::agents::Services;
use async_trait::async_trait;
use errand_nlu::examples::{Example, MarkupError, plain};
use errand_schemas::{
    Action, AgentResult, CancelResult, Command, CustomAction, ErrorBody, ErrorCode, FoodOrder,
    MartOrder, Refusal, ResultBody, RideBooking, RideType, SlotMap, SlotValue, Summary,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The kind of value a slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotKind {
    Text,
    Number,
    /// Items with quantities.
    Items,
    /// An address or place name.
    Place,
    /// A moment: RFC 3339 in the command, however the person said it.
    Time,
}

#[derive(Clone, Debug)]
pub struct SlotSpec {
    pub name: String,
    pub kind: SlotKind,
    pub required: bool,
    pub description: String,
    /// What to ask when it is missing.
    pub question: String,
    /// The only values a text slot may take (any when empty).
    pub choices: Vec<String>,
    /// Other words people use for a choice ("luxury" for `premium`),
    /// as (words, choice).
    pub aliases: Vec<(String, String)>,
}

impl SlotSpec {
    pub fn required(name: &str, kind: SlotKind, description: &str, question: &str) -> Self {
        Self {
            name: name.into(),
            kind,
            required: true,
            description: description.into(),
            question: question.into(),
            choices: Vec::new(),
            aliases: Vec::new(),
        }
    }

    pub fn optional(name: &str, kind: SlotKind, description: &str) -> Self {
        Self {
            name: name.into(),
            kind,
            required: false,
            description: description.into(),
            question: String::new(),
            choices: Vec::new(),
            aliases: Vec::new(),
        }
    }

    /// What to ask when errand needs this (optional) slot after all
    /// ("How many people are travelling?").
    pub fn asking(mut self, question: &str) -> Self {
        self.question = question.into();
        self
    }

    /// Restricts a text slot to `choices` (`standard`, `xl`, ...).
    pub fn one_of(mut self, choices: &[&str]) -> Self {
        self.choices = choices.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// Other words for the choices: `("luxury", "premium")`.
    pub fn also_called(mut self, aliases: &[(&str, &str)]) -> Self {
        self.aliases = aliases
            .iter()
            .map(|(words, choice)| ((*words).to_owned(), (*choice).to_owned()))
            .collect();
        self
    }

    /// The choice `words` name, at word `i` (its length and the choice):
    /// a choice itself or one of its aliases, the longest first.
    pub fn choice_at(
        &self,
        words: &crate::reading::words::Words,
        i: usize,
    ) -> Option<(usize, &str)> {
        let names = self
            .choices
            .iter()
            .map(|c| (c.as_str(), c.as_str()))
            .chain(self.aliases.iter().map(|(w, c)| (w.as_str(), c.as_str())));
        names
            .filter(|(said, _)| words.phrase_at(i, &said.to_lowercase()))
            .map(|(said, choice)| (said.split(' ').count(), choice))
            .max_by_key(|(len, _)| *len)
    }
}

#[derive(Clone, Debug)]
pub struct ActionSpec {
    /// Also the intent name (`order_food`).
    pub name: String,
    pub description: String,
    pub slots: Vec<SlotSpec>,
}

impl ActionSpec {
    /// Whether `said` is, whole, one of a slot's choices or their aliases
    /// ("premium", "exec").
    /// ("an XL", "the premium one": with its article, or "one".)
    pub fn is_a_choice(&self, said: &str) -> bool {
        let said = crate::reading::words::Words::new(said);
        let w = said.norm();
        let from = usize::from(
            w.first()
                .is_some_and(|x| matches!(x.as_str(), "a" | "an" | "the")),
        );
        let to = w.len() - usize::from(w.len() > from + 1 && w.last().is_some_and(|x| x == "one"));
        (self.slots.iter()).any(|s| {
            (s.choice_at(&said, from)).is_some_and(|(len, _)| from + len == to && to > from)
        })
    }

    /// Required slots `slots` does not have, in spec order.
    pub fn missing(&self, slots: &SlotMap) -> Vec<String> {
        self.slots
            .iter()
            .filter(|s| s.required && !has_value(slots.get(&s.name)))
            .map(|s| s.name.clone())
            .collect()
    }

    pub fn slot(&self, name: &str) -> Option<&SlotSpec> {
        self.slots.iter().find(|s| s.name == name)
    }

    /// The names of its place slots, in order (a ride's pickup and
    /// destination, a delivery's address).
    pub fn places(&self) -> Vec<&str> {
        (self.slots.iter())
            .filter(|s| s.kind == SlotKind::Place)
            .map(|s| s.name.as_str())
            .collect()
    }

    /// Takes out of `slots` every place whose text is `no_place`.
    pub fn drop_places(&self, slots: &mut SlotMap, no_place: impl Fn(&str) -> bool) {
        slots.retain(|name, value| {
            let place = self.slot(name).is_some_and(|s| s.kind == SlotKind::Place);
            !(place && value.as_text().is_some_and(&no_place))
        });
    }

    /// The question for the first missing slot.
    pub fn question(&self, missing: &[String]) -> String {
        missing
            .first()
            .and_then(|m| self.slot(m))
            .filter(|s| !s.question.is_empty())
            .map(|s| s.question.clone())
            .or_else(|| {
                missing
                    .first()
                    .filter(|m| *m == "quantity")
                    .map(|_| "How many would you like?".to_owned())
            })
            .unwrap_or_else(|| "Could you tell me a bit more?".into())
    }
}

fn has_value(value: Option<&SlotValue>) -> bool {
    match value {
        None => false,
        Some(SlotValue::Text(t)) => !t.trim().is_empty(),
        Some(SlotValue::Items(items)) => !items.is_empty(),
        Some(SlotValue::Number(_)) => true,
    }
}

#[derive(Clone, Debug, Default)]
pub struct DomainSpec {
    pub name: String,
    pub description: String,
    pub actions: Vec<ActionSpec>,
    /// Things a person might say to this domain, each slot value marked
    /// with its slot's name: `"order [ibuprofen](medicine) to
    /// [work](address)"`. Shown without the markup by "what can you do?"
    /// and on the page (the first one); the offline reader learns from
    /// them how the domain's actions are asked for and what their slots
    /// take (see [`crate::reading::examples`]). An example belongs to the
    /// first action that has every slot it marks.
    pub examples: Vec<String>,
    /// Words that name what the domain does ("groceries", "taxi"): asked
    /// for with one of them ("I need groceries"), the domain's first
    /// action is meant even when no reader knew it.
    pub words: Vec<String>,
    /// Whether the person confirms a command of this domain before it is
    /// placed (when the node's policy asks at all). A domain that moves no
    /// money may opt out.
    pub confirm: Confirm,
}

/// What is wrong with one of a domain's examples. Registering a domain
/// with one does not fail: the example is kept as plain text (shown as
/// written, learned as a phrasing without values) and the error logged;
/// [`DomainSpec::check_examples`] finds it in a test.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExampleError {
    #[error("example {example:?}: {source}")]
    Markup {
        example: String,
        #[source]
        source: MarkupError,
    },
    #[error("example {example:?} marks {slot:?}, a slot no action of the domain has")]
    UnknownSlot { example: String, slot: String },
}

/// One of a domain's examples, read.
#[derive(Clone, Debug)]
pub struct ReadExample<'a> {
    /// The action it asks for.
    pub action: &'a ActionSpec,
    /// Its text and values (no values when it is malformed).
    pub example: Example,
    pub error: Option<ExampleError>,
}

impl DomainSpec {
    /// Each example with its action: the first whose slots include every
    /// slot the example marks. A malformed example, or one that marks a
    /// slot no action has, is plain text for the first action, with its
    /// error. A domain without actions has none.
    pub fn read_examples(&self) -> Vec<ReadExample<'_>> {
        let Some(first) = self.actions.first() else {
            return Vec::new();
        };
        self.examples
            .iter()
            .map(|markup| {
                let plain = |error| ReadExample {
                    action: first,
                    example: Example {
                        text: markup.clone(),
                        spans: Vec::new(),
                    },
                    error: Some(error),
                };
                let example = match Example::parse(markup) {
                    Ok(example) => example,
                    Err(source) => {
                        return plain(ExampleError::Markup {
                            example: markup.clone(),
                            source,
                        });
                    }
                };
                let action = self
                    .actions
                    .iter()
                    .find(|a| example.spans.iter().all(|s| a.slot(&s.slot).is_some()));
                match action {
                    Some(action) => ReadExample {
                        action,
                        example,
                        error: None,
                    },
                    None => {
                        let slot = example
                            .spans
                            .iter()
                            .find(|s| self.actions.iter().all(|a| a.slot(&s.slot).is_none()))
                            .or(example.spans.first())
                            .map(|s| s.slot.clone())
                            .unwrap_or_default();
                        plain(ExampleError::UnknownSlot {
                            example: markup.clone(),
                            slot,
                        })
                    }
                }
            })
            .collect()
    }

    /// The first error in the examples' markup, if any.
    pub fn check_examples(&self) -> Result<(), ExampleError> {
        match self.read_examples().into_iter().find_map(|e| e.error) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// The examples as a person reads them: without the markup.
    pub fn shown_examples(&self) -> impl Iterator<Item = String> + '_ {
        self.examples.iter().map(|e| plain(e))
    }
}

/// A domain's say in the confirmation policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Confirm {
    /// As the node's policy (`ERRAND_CONFIRM`) says.
    #[default]
    AsPolicy,
    /// Never ask: the command is placed as soon as it is complete.
    Never,
}

/// What a domain sells, for answering questions ("how much is a
/// cheeseburger?", "who does sushi?") and for reading what people order.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// ISO 4217 code of the prices.
    pub currency: String,
    pub merchants: Vec<Merchant>,
    /// Words people use for an item, and the item's name.
    pub aliases: Vec<(String, String)>,
    /// Items sold only by the pack, and how many a pack holds (eggs, 12):
    /// a count of the things themselves ("6 eggs", "two dozen eggs") is
    /// read as the packs that hold them, rounded up.
    pub packs: Vec<(String, u32)>,
    /// Dishes served as a portion of several pieces, and how many one has
    /// (chicken wings, 6): a count of at least half a portion, or a
    /// dozen, counts the pieces ("a dozen wings" are two portions); a
    /// smaller one counts portions ("2 chicken wings").
    pub portions: Vec<(String, u32)>,
    /// Words that say what kind of thing an item is, and the items of
    /// that kind ("coffee": latte, espresso...): "an espresso coffee" is
    /// one espresso, though "coffee" alone is a latte.
    pub kinds: Vec<(String, Vec<String>)>,
    /// Words that name one variety or brand of an item, said alone for it
    /// ("hovis": bread, "semi skimmed": milk): the item, with the words
    /// said as its note ("a loaf of Hovis" is 1 × bread (hovis)).
    pub varieties: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct Merchant {
    pub name: String,
    /// A cuisine or a kind of shop ("italian", "grocery").
    pub kind: String,
    /// Items and their prices in minor units.
    pub items: Vec<(String, i64)>,
}

/// A domain agent: what a real integration implements.
#[async_trait]
pub trait DomainAgent: Send + Sync + 'static {
    fn spec(&self) -> DomainSpec;

    /// Carries the command out. A business failure (unknown place, out of
    /// stock, over the cap) is an `Err` with its code: it ends the command
    /// `failed`. A panic or a hang is not a business failure: the command is
    /// retried and finally dead-lettered.
    async fn execute(
        &self,
        command: &Command,
        services: &Services,
    ) -> Result<ResultBody, ErrorBody>;

    /// What to tell the person about a confirmed result.
    fn confirmation(&self, result: &ResultBody) -> String;

    /// Prices the command as it will be placed, without side effects (no
    /// charge, no order): what the person confirms. Anything that would
    /// make [`DomainAgent::execute`] fail (an unknown dish, out of stock, a
    /// ride to where it starts) is a [`Refusal`] naming the slot to change.
    /// By default the summary lists the command's slots, unpriced.
    async fn quote(&self, command: &Command, _services: &Services) -> Result<Summary, Refusal> {
        Ok(unpriced(command))
    }

    /// Cancels a command this agent placed (`placed` is its first result):
    /// tells the provider and voids or refunds the charge. Cancelling again
    /// returns the same answer. `now_ms` decides whether it is too late. By
    /// default a domain cannot cancel (`cancel_not_supported`).
    async fn cancel(
        &self,
        placed: &AgentResult,
        _now_ms: u64,
        _services: &Services,
    ) -> Result<CancelResult, ErrorBody> {
        Err(ErrorBody::new(
            ErrorCode::CancelNotSupported,
            format!(
                "I can't cancel a {} request once it is placed.",
                placed.domain
            ),
        ))
    }

    /// Takes back whatever an earlier call for `command` may have placed
    /// when its answer never came (a timeout: the provider may have placed
    /// it after errand stopped waiting) and errand has since declared the
    /// command failed. Nothing placed is not an error. By default there is
    /// nothing to take back (an agent whose calls cannot be lost).
    async fn withdraw(&self, _command: &Command, _services: &Services) -> Result<(), ErrorBody> {
        Ok(())
    }

    /// What the domain sells (empty by default).
    fn catalog(&self) -> Catalog {
        Catalog::default()
    }
}

/// The summary of a command its agent cannot price: its slots as given.
pub fn unpriced(command: &Command) -> Summary {
    let mut summary = Summary {
        domain: command.domain().to_owned(),
        ..Summary::default()
    };
    match &command.action {
        Action::OrderFood(o) => {
            summary.merchant = o.restaurant.clone();
            summary.address = Some(o.address.clone());
            summary.details = items_slot(&o.items);
        }
        Action::OrderMart(o) => {
            summary.address = Some(o.address.clone());
            summary.details = items_slot(&o.items);
        }
        Action::BookRide(r) => {
            summary.pickup = Some(r.pickup.clone());
            summary.destination = Some(r.destination.clone());
            summary.ride_type = Some(r.ride_type);
            summary.seats = Some(r.seats);
            summary.pickup_at = r.pickup_at.clone();
        }
        Action::Custom(c) => summary.details = c.slots.clone(),
    }
    summary
}

fn items_slot(items: &[errand_schemas::ItemRequest]) -> SlotMap {
    SlotMap::from([("item".to_owned(), SlotValue::Items(items.to_vec()))])
}

/// Every domain a node knows.
#[derive(Clone, Default)]
pub struct DomainRegistry {
    agents: BTreeMap<String, Arc<dyn DomainAgent>>,
    specs: BTreeMap<String, DomainSpec>,
    /// What each domain's catalog sells, read once when it registers.
    sold: BTreeMap<String, Arc<Sold>>,
}

/// A catalog's names as matching keys ([`crate::agents::item_key`]): its
/// items' and their aliases', and its merchants' names.
#[derive(Debug, Default)]
pub struct Sold {
    /// The catalog as the agent gave it when it was registered.
    pub catalog: Catalog,
    pub keys: Vec<String>,
    pub merchants: Vec<String>,
    /// Items sold only by the pack, and how many one holds.
    pub packs: Vec<(String, u32)>,
}

impl Sold {
    /// How many one pack of `item` holds, if it is sold only by the pack.
    pub fn pack(&self, item: &str) -> Option<u32> {
        self.packs
            .iter()
            .find(|(name, _)| name == item)
            .map(|(_, size)| *size)
    }
}

impl Sold {
    fn of(catalog: Catalog) -> Self {
        use crate::agents::item_key;
        Self {
            keys: catalog
                .merchants
                .iter()
                .flat_map(|m| m.items.iter().map(|(n, _)| item_key(n)))
                .chain(catalog.aliases.iter().map(|(a, _)| item_key(a)))
                .collect(),
            merchants: catalog.merchants.iter().map(|m| m.name.clone()).collect(),
            packs: catalog.packs.clone(),
            catalog,
        }
    }
}

impl DomainRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a domain served outside errand: an external service takes
    /// its commands from `agent.cmd` and answers on `agent.out.<domain>`.
    /// The router records them `dispatched` and leaves them to it.
    pub fn register_external(&mut self, spec: DomainSpec) -> &mut Self {
        warn_examples(&spec);
        self.agents.remove(&spec.name);
        self.sold.remove(&spec.name);
        self.specs.insert(spec.name.clone(), spec);
        self
    }

    /// Whether `domain` is served by an external service.
    pub fn is_external(&self, domain: &str) -> bool {
        self.specs.contains_key(domain) && !self.agents.contains_key(domain)
    }

    /// Adds (or replaces) a domain. An example with malformed markup is
    /// logged and kept as plain text (see [`ExampleError`]).
    pub fn register(&mut self, agent: impl DomainAgent) -> &mut Self {
        let spec = agent.spec();
        warn_examples(&spec);
        self.sold
            .insert(spec.name.clone(), Arc::new(Sold::of(agent.catalog())));
        self.agents.insert(spec.name.clone(), Arc::new(agent));
        self.specs.insert(spec.name.clone(), spec);
        self
    }

    pub fn with(mut self, agent: impl DomainAgent) -> Self {
        self.register(agent);
        self
    }

    pub fn agent(&self, domain: &str) -> Option<Arc<dyn DomainAgent>> {
        self.agents.get(domain).cloned()
    }

    /// What `domain`'s catalog sells (nothing for an external domain).
    pub fn sold(&self, domain: &str) -> Option<&Sold> {
        self.sold.get(domain).map(Arc::as_ref)
    }

    pub fn spec(&self, domain: &str) -> Option<&DomainSpec> {
        self.specs.get(domain)
    }

    pub fn domains(&self) -> impl Iterator<Item = &str> {
        self.specs.keys().map(String::as_str)
    }

    pub fn agents(&self) -> impl Iterator<Item = (&str, Arc<dyn DomainAgent>)> {
        self.agents.iter().map(|(k, v)| (k.as_str(), v.clone()))
    }

    /// Whether commands of `domain` are confirmed before they are placed.
    pub fn confirms(&self, domain: &str) -> bool {
        self.specs
            .get(domain)
            .is_none_or(|s| s.confirm == Confirm::AsPolicy)
    }

    /// The domain and spec of action `name`.
    pub fn action(&self, name: &str) -> Option<(&DomainSpec, &ActionSpec)> {
        self.specs
            .values()
            .find_map(|d| d.actions.iter().find(|a| a.name == name).map(|a| (d, a)))
    }
}

fn warn_examples(spec: &DomainSpec) {
    for error in spec.read_examples().into_iter().filter_map(|e| e.error) {
        tracing::warn!(
            domain = %spec.name,
            %error,
            "a domain example is malformed: kept as plain text"
        );
    }
}

/// Builds the typed action from filled slots (call once nothing required
/// is missing). Food, ride and mart get their typed structs; any other
/// domain's action travels as a [`CustomAction`].
pub fn build_action(domain: &str, action: &str, slots: &SlotMap) -> Action {
    let text = |name: &str| {
        slots
            .get(name)
            .and_then(SlotValue::as_text)
            .map(str::to_owned)
    };
    let items = |name: &str| {
        slots
            .get(name)
            .and_then(SlotValue::as_items)
            .map(<[_]>::to_vec)
            .unwrap_or_default()
    };
    match action {
        "order_food" => Action::OrderFood(FoodOrder {
            items: items("item"),
            restaurant: text("restaurant"),
            cuisine: text("cuisine"),
            address: text("address").unwrap_or_default(),
            instructions: text("instructions"),
        }),
        "book_ride" => Action::BookRide(RideBooking {
            pickup: text("pickup").unwrap_or_default(),
            destination: text("destination").unwrap_or_default(),
            ride_type: text("ride_type")
                .and_then(|t| RideType::parse(&t))
                .unwrap_or_default(),
            seats: slots
                .get("seats")
                .and_then(SlotValue::as_number)
                .unwrap_or(1),
            bags: slots
                .get("bags")
                .and_then(SlotValue::as_number)
                .unwrap_or(0),
            pickup_at: text("pickup_at"),
            instructions: text("instructions"),
        }),
        "order_mart" => Action::OrderMart(MartOrder {
            items: items("item"),
            address: text("address").unwrap_or_default(),
            instructions: text("instructions"),
        }),
        other => Action::Custom(CustomAction {
            domain: domain.to_owned(),
            name: other.to_owned(),
            slots: slots.clone(),
        }),
    }
}
