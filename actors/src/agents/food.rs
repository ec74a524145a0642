//! The food agent: finds a restaurant that serves the items, prices them,
//! charges, places the order, and voids the charge when placing fails.

use super::catalog::{
    FOOD_KINDS, FOOD_PORTIONS, FOOD_SHORT_NAMES, FOOD_SYNONYMS, RESTAURANTS, Restaurant,
};
use super::{CURRENCY, Services, distance_m, item_key, normalize, order_confirmation, stable_id};
use crate::bounds::{PROVIDER_MEMORY, PROVIDER_ORDERS};
use crate::registry::{ActionSpec, Catalog, DomainAgent, DomainSpec, Merchant, SlotKind, SlotSpec};
use crate::store::aging::Aging;
use async_trait::async_trait;
use errand_schemas::{
    Action, AgentResult, CancelResult, Command, ErrorBody, ErrorCode, FoodOrder, ItemRequest,
    LineItem, OrderResult, Place, Refusal, ResultBody, SlotMap, SlotValue, Summary,
};
use std::sync::{Arc, Mutex};

/// The most of one item a single order may ask for.
pub const MAX_QUANTITY: u32 = 50;

/// A priced order from one restaurant.
#[derive(Clone, Debug, PartialEq)]
pub struct FoodQuote {
    pub restaurant: String,
    pub location: Place,
    pub lines: Vec<LineItem>,
    pub delivery_fee: i64,
    pub prep_minutes: u32,
}

/// What a restaurant platform integration implements.
#[async_trait]
pub trait FoodProvider: Send + Sync + 'static {
    /// Picks a restaurant that serves every item (the named one, one of the
    /// cuisine, or any) and prices the order.
    async fn quote(&self, order: &FoodOrder) -> Result<FoodQuote, ErrorBody>;

    /// Places the order; placing the same `order_id` again returns the first
    /// placement. Returns the minutes until the kitchen hands it over.
    async fn place(
        &self,
        order_id: &str,
        quote: &FoodQuote,
        deliver_to: &Place,
        instructions: Option<&str>,
    ) -> Result<u32, ErrorBody>;

    /// Tells the restaurant the order is off (again for the same id: no
    /// change).
    async fn cancel(&self, order_id: &str) -> Result<(), ErrorBody>;
}

/// Restaurants from the built-in catalog. A kitchen takes at most
/// `kitchen_capacity` portions of one item per order; a larger order is
/// refused when it is placed (after the charge), which voids the charge.
pub struct SimulatedRestaurants {
    pub kitchen_capacity: u32,
    /// Orders placed (by order id, with their preparation time) and
    /// cancelled: the last [`PROVIDER_ORDERS`] of each.
    placed: Mutex<Aging<String, u32>>,
    cancelled: Mutex<Aging<String, ()>>,
    /// Every order call received, a retry of a placed order included:
    /// the ledger a test counts side effects by.
    calls: std::sync::atomic::AtomicU64,
    told: super::Told,
}

impl Default for SimulatedRestaurants {
    fn default() -> Self {
        Self {
            calls: Default::default(),
            kitchen_capacity: 20,
            placed: Mutex::new(Aging::new(PROVIDER_ORDERS, PROVIDER_MEMORY)),
            cancelled: Mutex::new(Aging::new(PROVIDER_ORDERS, PROVIDER_MEMORY)),
            told: super::Told::default(),
        }
    }
}

/// The menu name `requested` means at `restaurant`, if it serves it.
pub fn match_menu_item(restaurant: &Restaurant, requested: &str) -> Option<(&'static str, i64)> {
    named_on_menu(restaurant, requested).or_else(|| word_of_a_dish(restaurant, requested))
}

/// The dish `requested` names on `restaurant`'s menu: by its name, a name
/// people use for it, or a word of its kind ("coffee" is a latte).
fn named_on_menu(restaurant: &Restaurant, requested: &str) -> Option<(&'static str, i64)> {
    let key = item_key(requested);
    let canonical = (FOOD_SYNONYMS.iter().chain(FOOD_SHORT_NAMES))
        .find(|(alias, _)| item_key(alias) == key)
        .map(|(_, name)| item_key(name));
    let menu = restaurant.menu.iter().map(|(n, p)| (*n, *p, item_key(n)));
    let candidates: Vec<_> = menu.collect();
    // ("smoothies" keys as "smoothy", the smoothie as "smoothie".)
    let exact = |k: &str| {
        (candidates.iter()).find(|(_, _, m)| {
            m == k
                || k.strip_suffix('y')
                    .is_some_and(|stem| *m == format!("{stem}ie"))
        })
    };
    exact(&key)
        .or_else(|| canonical.as_deref().and_then(exact))
        .or_else(|| {
            // A word of a kind is a dish of that kind ("rice" with a curry
            // is pilau rice, never mango sticky rice).
            let (_, names) = FOOD_KINDS.iter().find(|(k, _)| item_key(k) == key)?;
            (names.iter()).find_map(|n| exact(&item_key(n)))
        })
        .map(|(n, p, _)| (*n, *p))
}

/// A dish of `restaurant`'s that `requested` is a word of ("curry" is
/// green curry), never part of one ("cake" is no pancake); unless the word
/// names a kind, whose dishes are the ones [`named_on_menu`] knows.
fn word_of_a_dish(restaurant: &Restaurant, requested: &str) -> Option<(&'static str, i64)> {
    let key = item_key(requested);
    if FOOD_KINDS.iter().any(|(k, _)| item_key(k) == key) {
        return None;
    }
    (restaurant.menu.iter())
        .find(|(n, _)| item_key(n).split(' ').any(|w| w == key))
        .map(|(n, p)| (*n, *p))
}

impl SimulatedRestaurants {
    /// Order calls received so far, each one counted (the same order
    /// asked for again too).
    /// What the courier of `order_id` was asked, as the order told it.
    pub fn instructions(&self, order_id: &str) -> Option<String> {
        self.told.get(order_id)
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Orders placed so far (each order id once).
    pub fn placed_count(&self) -> usize {
        self.placed.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Orders cancelled so far (each order id once).
    pub fn cancelled_count(&self) -> usize {
        self.cancelled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    fn candidates(&self, order: &FoodOrder) -> Result<Vec<&'static Restaurant>, ErrorBody> {
        if let Some(name) = &order.restaurant {
            let wanted = normalize(name);
            let found = RESTAURANTS.iter().find(|r| {
                let n = normalize(r.name);
                n == wanted || n.contains(&wanted) || wanted.contains(&n)
            });
            return found.map(|r| vec![r]).ok_or_else(|| {
                ErrorBody::new(
                    ErrorCode::UnknownRestaurant,
                    format!("I don't know {}.", name.trim()),
                )
            });
        }
        if let Some(cuisine) = &order.cuisine {
            let wanted = normalize(cuisine);
            let found: Vec<_> = RESTAURANTS
                .iter()
                .filter(|r| wanted.contains(r.cuisine) || r.cuisine.contains(&wanted))
                .collect();
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(RESTAURANTS.iter().collect())
    }
}

#[async_trait]
impl FoodProvider for SimulatedRestaurants {
    async fn quote(&self, order: &FoodOrder) -> Result<FoodQuote, ErrorBody> {
        let candidates = self.candidates(order)?;
        let mut first_missing = None;
        // A restaurant that has every dish by its name comes before one
        // that has some only as a word of another ("tea" is Bean Scene's
        // tea before Sakura's green tea).
        let by_name = candidates.iter().map(|r| (r, true));
        for (restaurant, strict) in by_name.chain(candidates.iter().map(|r| (r, false))) {
            let mut lines = Vec::new();
            for item in &order.items {
                let matched = if strict {
                    named_on_menu(restaurant, &item.name)
                } else {
                    match_menu_item(restaurant, &item.name)
                };
                match matched {
                    Some((name, price)) => lines.push(LineItem {
                        name: name.to_owned(),
                        quantity: item.quantity,
                        unit_price: price,
                        note: item.note.clone().or_else(|| portion(name)),
                    }),
                    None => {
                        first_missing.get_or_insert_with(|| item.name.clone());
                        break;
                    }
                }
            }
            if lines.len() == order.items.len() {
                if let Some(line) = lines.iter().find(|l| l.quantity > self.kitchen_capacity) {
                    return Err(too_many(restaurant.name, line, self.kitchen_capacity));
                }
                return Ok(FoodQuote {
                    restaurant: restaurant.name.to_owned(),
                    location: Place {
                        name: restaurant.name.to_owned(),
                        lat: restaurant.lat,
                        lon: restaurant.lon,
                    },
                    lines,
                    delivery_fee: 299,
                    prep_minutes: restaurant.prep_minutes,
                });
            }
        }
        // A dish none of them has is the one to name ("pilau rice" beside
        // a curry, not the curry the first restaurant lacks).
        let unserved = (order.items.iter())
            .find(|item| {
                !candidates
                    .iter()
                    .any(|r| match_menu_item(r, &item.name).is_some())
            })
            .map(|item| item.name.clone());
        let item = unserved.or(first_missing).unwrap_or_default();
        // Every dish is somewhere, but not all at one restaurant.
        if order.restaurant.is_none() && order.items.len() > 1 {
            let wheres: Option<Vec<String>> = order
                .items
                .iter()
                .map(|item| {
                    candidates.iter().find_map(|r| {
                        match_menu_item(r, &item.name)
                            .map(|(name, _)| format!("{} has {name}", r.name))
                    })
                })
                .collect();
            if let Some(wheres) = wheres {
                return Err(ErrorBody::new(
                    ErrorCode::UnknownItem,
                    format!(
                        "No one restaurant has all of that: {}. One order comes from one restaurant: which would you like?",
                        wheres.join(", ")
                    ),
                ));
            }
        }
        let message = match (&order.restaurant, candidates.as_slice()) {
            (Some(_), [only]) => {
                format!("Sorry, {} doesn't have \"{item}\" on the menu.", only.name)
            }
            _ => format!("Sorry, no restaurant nearby has \"{item}\"."),
        };
        Err(ErrorBody::new(ErrorCode::UnknownItem, message))
    }

    async fn place(
        &self,
        order_id: &str,
        quote: &FoodQuote,
        _deliver_to: &Place,
        instructions: Option<&str>,
    ) -> Result<u32, ErrorBody> {
        (self.calls).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut placed = self.placed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(minutes) = placed.get(order_id) {
            return Ok(*minutes);
        }
        self.told.record(order_id, instructions);
        if let Some(line) = quote
            .lines
            .iter()
            .find(|l| l.quantity > self.kitchen_capacity)
        {
            return Err(too_many(&quote.restaurant, line, self.kitchen_capacity));
        }
        placed.insert(order_id.to_owned(), quote.prep_minutes);
        Ok(quote.prep_minutes)
    }

    async fn cancel(&self, order_id: &str) -> Result<(), ErrorBody> {
        // The kitchen that took it may be another process's simulation:
        // the cancellation is recorded either way.
        self.cancelled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(order_id.to_owned(), ());
        Ok(())
    }
}

fn too_many(restaurant: &str, line: &LineItem, capacity: u32) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::OverLimit,
        format!(
            "{restaurant} can make at most {capacity} {} in one order, not {}.",
            line.name, line.quantity
        ),
    )
}

/// The `food` domain.
pub struct FoodAgent {
    provider: Arc<dyn FoodProvider>,
    /// How long after it is placed an order may still be cancelled.
    pub cancel_window: std::time::Duration,
}

impl FoodAgent {
    pub fn new(provider: impl FoodProvider) -> Self {
        Self::with_provider(Arc::new(provider))
    }

    pub fn with_provider(provider: Arc<dyn FoodProvider>) -> Self {
        Self {
            provider,
            cancel_window: super::KITCHEN_CANCEL_WINDOW,
        }
    }

    /// Resolves, checks and prices `order` as it would be placed.
    async fn price(
        &self,
        order: &FoodOrder,
        user_id: &str,
        services: &Services,
    ) -> Result<(FoodQuote, Place), Refusal> {
        validate_items(&order.items).map_err(|e| Refusal::of("item", e))?;
        let address = services
            .resolve(&order.address, user_id)
            .await
            .map_err(|e| super::place_refusal("address", e))?;
        match self.provider.quote(order).await {
            Ok(quote) => Ok((quote, address)),
            Err(e) => Err(self.refusal(order, e).await),
        }
    }

    /// What to propose when the quote fails: another restaurant that has
    /// the dishes, when the named one is unknown or lacks them.
    async fn refusal(&self, order: &FoodOrder, error: ErrorBody) -> Refusal {
        let named = order.restaurant.as_deref();
        let elsewhere = if named.is_some()
            && matches!(
                error.code,
                ErrorCode::UnknownRestaurant | ErrorCode::UnknownItem
            ) {
            let anywhere = FoodOrder {
                restaurant: None,
                cuisine: None,
                ..order.clone()
            };
            self.provider.quote(&anywhere).await.ok()
        } else {
            None
        };
        match (error.code, elsewhere) {
            (ErrorCode::UnknownRestaurant | ErrorCode::UnknownItem, Some(other)) => {
                let dishes = dish_list(&other.lines);
                let message = format!(
                    "{} {} has {dishes}: order from there?",
                    error.message, other.restaurant
                );
                Refusal::of("restaurant", ErrorBody::new(error.code, message)).offering(
                    SlotMap::from([("restaurant".to_owned(), SlotValue::Text(other.restaurant))]),
                )
            }
            (ErrorCode::OverLimit, _) => Refusal::of("item", error),
            _ => Refusal::from(error),
        }
    }

    /// The agent over the built-in simulated restaurants.
    pub fn simulated() -> Self {
        Self::new(SimulatedRestaurants::default())
    }
}

/// Checks quantities: 1 to [`MAX_QUANTITY`] of each item, at least one item.
pub fn validate_items(items: &[ItemRequest]) -> Result<(), ErrorBody> {
    if items.is_empty() {
        return Err(ErrorBody::new(
            ErrorCode::InvalidCommand,
            "No items were given.",
        ));
    }
    if let Some(item) = items.iter().find(|i| i.name.trim().is_empty()) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidCommand,
            format!("An item has no name (quantity {}).", item.quantity),
        ));
    }
    if let Some(item) = items
        .iter()
        .find(|i| i.quantity == 0 || i.quantity > MAX_QUANTITY)
    {
        return Err(ErrorBody::new(
            ErrorCode::InvalidCommand,
            format!(
                "{} {} is not a quantity I can order (1 to {MAX_QUANTITY}).",
                item.quantity, item.name
            ),
        ));
    }
    Ok(())
}

/// Minutes to ride or drive `metres` through the city.
pub fn travel_minutes(metres: f64) -> u32 {
    (metres / 1000.0 * 3.0).ceil() as u32 + 2
}

#[async_trait]
impl DomainAgent for FoodAgent {
    fn spec(&self) -> DomainSpec {
        DomainSpec {
            name: "food".into(),
            description: "Orders food for delivery from nearby restaurants.".into(),
            actions: vec![ActionSpec {
                name: "order_food".into(),
                description: "Order food for delivery.".into(),
                slots: vec![
                    SlotSpec::required(
                        "item",
                        SlotKind::Items,
                        "the dishes, each with a quantity",
                        "What would you like to order?",
                    ),
                    SlotSpec::required(
                        "address",
                        SlotKind::Place,
                        "where to deliver: a street address or a saved place",
                        "Where should I deliver it?",
                    ),
                    SlotSpec::optional("restaurant", SlotKind::Text, "a restaurant by name")
                        .asking("Which restaurant should I order from?"),
                    SlotSpec::optional("cuisine", SlotKind::Text, "a cuisine, e.g. italian"),
                    super::instructions_slot("courier"),
                ],
            }],
            examples: vec![
                "order me [a burger](item)".into(),
                "[two pizzas](item) to [work](address)".into(),
                "can I get [a chicken katsu and a coke](item) delivered to [the office](address)"
                    .into(),
                "I'm hungry, I'd like [a large pepperoni pizza](item)".into(),
            ],
            words: [
                "food",
                "hungry",
                "takeaway",
                "takeout",
                "meal",
                "dinner",
                "lunch",
                "breakfast",
                "eat",
                "supper",
                "starving",
                "famished",
                "peckish",
            ]
            .map(str::to_owned)
            .to_vec(),
            ..DomainSpec::default()
        }
    }

    async fn execute(
        &self,
        command: &Command,
        services: &Services,
    ) -> Result<ResultBody, ErrorBody> {
        let Action::OrderFood(order) = &command.action else {
            return Err(wrong_action(command));
        };
        let (quote, address) = self
            .price(order, &command.user_id, services)
            .await
            .map_err(|r| r.error)?;
        let total = super::lines_total(&quote.lines) + quote.delivery_fee;
        let order_id = stable_id("FO", command.trace_id.as_str());
        let description = format!("food order from {}", quote.restaurant);
        let (charge, prep) = services
            .charge_then(command, total, description, || {
                (self.provider).place(&order_id, &quote, &address, order.instructions.as_deref())
            })
            .await?;
        let eta_minutes = prep + travel_minutes(distance_m(&quote.location, &address));
        Ok(ResultBody::Order(OrderResult {
            order_id,
            items: quote.lines,
            total,
            currency: CURRENCY.into(),
            eta_minutes,
            merchant: quote.restaurant,
            delivery_fee: quote.delivery_fee,
            address: address.name,
            charge_id: charge.charge_id,
        }))
    }

    fn confirmation(&self, result: &ResultBody) -> String {
        match result {
            ResultBody::Order(o) => {
                order_confirmation(&format!("Your order from {}", o.merchant), o)
            }
            _ => "Your order is confirmed.".into(),
        }
    }

    async fn quote(&self, command: &Command, services: &Services) -> Result<Summary, Refusal> {
        let Action::OrderFood(order) = &command.action else {
            return Err(Refusal::fatal(wrong_action(command)));
        };
        let (quote, address) = self.price(order, &command.user_id, services).await?;
        let eta_minutes =
            quote.prep_minutes + travel_minutes(distance_m(&quote.location, &address));
        Ok(Summary {
            domain: "food".into(),
            merchant: Some(quote.restaurant),
            total: Some(super::lines_total(&quote.lines) + quote.delivery_fee),
            items: quote.lines,
            delivery_fee: Some(quote.delivery_fee),
            address: Some(address.name),
            currency: Some(CURRENCY.into()),
            eta_minutes: Some(eta_minutes),
            instructions: order.instructions.clone(),
            ..Summary::default()
        })
    }

    async fn cancel(
        &self,
        placed: &AgentResult,
        now_ms: u64,
        services: &Services,
    ) -> Result<CancelResult, ErrorBody> {
        super::cancel_order(
            placed,
            now_ms,
            self.cancel_window,
            "the kitchen",
            services,
            |order_id| async move { self.provider.cancel(&order_id).await },
        )
        .await
    }

    fn catalog(&self) -> Catalog {
        Catalog {
            currency: CURRENCY.into(),
            merchants: RESTAURANTS
                .iter()
                .map(|r| Merchant {
                    name: r.name.into(),
                    kind: r.cuisine.into(),
                    items: r.menu.iter().map(|(n, p)| ((*n).into(), *p)).collect(),
                })
                .collect(),
            aliases: (FOOD_SYNONYMS.iter().chain(FOOD_SHORT_NAMES))
                .map(|(a, n)| ((*a).into(), (*n).into()))
                .collect(),
            packs: Vec::new(),
            portions: FOOD_PORTIONS
                .iter()
                .map(|(n, size)| ((*n).into(), *size))
                .collect(),
            kinds: FOOD_KINDS
                .iter()
                .map(|(kind, items)| {
                    let items = items.iter().map(|i| (*i).to_owned()).collect();
                    ((*kind).to_owned(), items)
                })
                .collect(),
            varieties: Vec::new(),
        }
    }
}

fn wrong_action(command: &Command) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::InvalidCommand,
        format!("the food agent cannot {}", command.action.name()),
    )
}

/// "margherita pizza" or "cheeseburger and fries".
fn dish_list(lines: &[LineItem]) -> String {
    let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What one of a dish served by the portion is ("portion of 6"), so a
/// confirmation says what a count buys.
fn portion(name: &str) -> Option<String> {
    FOOD_PORTIONS
        .iter()
        .find(|(dish, _)| *dish == name)
        .map(|(_, pieces)| format!("portion of {pieces}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(items: &[(&str, u32)], restaurant: Option<&str>) -> FoodOrder {
        FoodOrder {
            items: items
                .iter()
                .map(|(n, q)| ItemRequest::new(*n, *q))
                .collect(),
            restaurant: restaurant.map(Into::into),
            cuisine: None,
            address: "home".into(),
            instructions: None,
        }
    }

    #[tokio::test]
    async fn a_placed_order_can_be_cancelled_for_two_minutes() {
        use crate::slot::ActorSlot;
        use errand_schemas::{AgentResult, Outcome};
        let agent = FoodAgent::simulated();
        let placed = AgentResult {
            trace_id: "t".into(),
            session_id: "s".into(),
            user_id: "demo".into(),
            domain: "food".into(),
            outcome: Outcome::Confirmed {
                result: ResultBody::Order(OrderResult {
                    order_id: "FO-1".into(),
                    items: Vec::new(),
                    total: 1198,
                    currency: "GBP".into(),
                    eta_minutes: 20,
                    merchant: "Burger Barn".into(),
                    delivery_fee: 299,
                    address: "221B Baker Street".into(),
                    charge_id: "ch-1".into(),
                }),
            },
            reply: String::new(),
            at_ms: 1_000_000,
        };
        // No payment service: a late cancel is refused before reaching it.
        let services = Services::new(ActorSlot::new(), ActorSlot::new());
        let late = agent
            .cancel(&placed, 1_000_000 + 121_000, &services)
            .await
            .unwrap_err();
        assert_eq!(late.code, ErrorCode::TooLateToCancel);
        assert!(late.message.contains("too late"), "{}", late.message);
        let in_time = agent
            .cancel(&placed, 1_000_000 + 60_000, &services)
            .await
            .unwrap_err();
        assert_eq!(
            in_time.code,
            ErrorCode::AgentUnavailable,
            "it reached payment"
        );
    }

    #[tokio::test]
    async fn quotes_pick_a_restaurant_that_serves_everything() {
        let p = SimulatedRestaurants::default();
        let q = p
            .quote(&order(&[("burger", 2), ("coke", 1)], None))
            .await
            .unwrap();
        assert_eq!(q.restaurant, "Burger Barn");
        assert_eq!(q.lines[0].name, "cheeseburger");
        assert_eq!(q.lines[0].quantity, 2);
        assert_eq!(q.lines[1].name, "cola");
        let q = p.quote(&order(&[("pad thai", 1)], None)).await.unwrap();
        assert_eq!(q.restaurant, "Bangkok Street");
        let e = p
            .quote(&order(&[("unicorn steak", 1)], None))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownItem);
        // The dish no restaurant has is named, not one the first lacks.
        let e = p
            .quote(&order(
                &[("chicken tikka masala", 1), ("coconut rice", 1)],
                None,
            ))
            .await
            .unwrap_err();
        assert!(e.message.contains("\"coconut rice\""), "{}", e.message);
        // A word of a kind is a dish of that kind where there is one:
        // "rice" with a curry is its pilau rice, never mango sticky rice.
        let q = (p.quote(&order(&[("chicken tikka masala", 1), ("rice", 1)], None)))
            .await
            .unwrap();
        assert_eq!(
            (q.restaurant.as_str(), q.lines[1].name.as_str()),
            ("Taj Mahal", "pilau rice")
        );
        let e = p
            .quote(&order(&[("rice", 1)], Some("Bangkok Street")))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownItem);
        let e = p
            .quote(&order(&[("pizza", 1)], Some("Nowhere Diner")))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownRestaurant);
    }
}
