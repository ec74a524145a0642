//! The food agent: finds a restaurant that serves the items, prices them,
//! charges, places the order, and voids the charge when placing fails.

use super::catalog::{FOOD_SYNONYMS, RESTAURANTS, Restaurant};
use super::{CURRENCY, Services, distance_m, item_key, normalize, order_confirmation, stable_id};
use crate::registry::{ActionSpec, DomainAgent, DomainSpec, SlotKind, SlotSpec};
use async_trait::async_trait;
use errand_schemas::{
    Action, Command, ErrorBody, ErrorCode, FoodOrder, ItemRequest, LineItem, OrderResult, Place,
    ResultBody,
};
use std::collections::HashMap;
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
    ) -> Result<u32, ErrorBody>;
}

/// Restaurants from the built-in catalog. A kitchen takes at most
/// `kitchen_capacity` portions of one item per order; a larger order is
/// refused when it is placed (after the charge), which voids the charge.
pub struct SimulatedRestaurants {
    pub kitchen_capacity: u32,
    placed: Mutex<HashMap<String, u32>>,
}

impl Default for SimulatedRestaurants {
    fn default() -> Self {
        Self {
            kitchen_capacity: 20,
            placed: Mutex::new(HashMap::new()),
        }
    }
}

/// The menu name `requested` means at `restaurant`, if it serves it.
pub fn match_menu_item(restaurant: &Restaurant, requested: &str) -> Option<(&'static str, i64)> {
    let key = item_key(requested);
    let canonical = FOOD_SYNONYMS
        .iter()
        .find(|(alias, _)| item_key(alias) == key)
        .map(|(_, name)| item_key(name));
    let menu = restaurant.menu.iter().map(|(n, p)| (*n, *p, item_key(n)));
    let candidates: Vec<_> = menu.collect();
    let exact = |k: &str| candidates.iter().find(|(_, _, m)| m == k);
    exact(&key)
        .or_else(|| canonical.as_deref().and_then(exact))
        .or_else(|| {
            candidates
                .iter()
                .find(|(_, _, m)| m.split(' ').any(|w| w == key) || m.ends_with(&key))
        })
        .map(|(n, p, _)| (*n, *p))
}

impl SimulatedRestaurants {
    /// Orders placed so far (each order id once).
    pub fn placed_count(&self) -> usize {
        self.placed.lock().unwrap_or_else(|e| e.into_inner()).len()
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
                    format!("I don't know a restaurant called \"{name}\"."),
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
        for restaurant in &candidates {
            let mut lines = Vec::new();
            for item in &order.items {
                match match_menu_item(restaurant, &item.name) {
                    Some((name, price)) => lines.push(LineItem {
                        name: name.to_owned(),
                        quantity: item.quantity,
                        unit_price: price,
                    }),
                    None => {
                        first_missing.get_or_insert_with(|| item.name.clone());
                        break;
                    }
                }
            }
            if lines.len() == order.items.len() {
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
        let item = first_missing.unwrap_or_default();
        let whom = match (&order.restaurant, candidates.as_slice()) {
            (Some(_), [only]) => only.name.to_owned(),
            _ => "any restaurant nearby".to_owned(),
        };
        Err(ErrorBody::new(
            ErrorCode::UnknownItem,
            format!("Sorry, {whom} doesn't have \"{item}\" on the menu."),
        ))
    }

    async fn place(
        &self,
        order_id: &str,
        quote: &FoodQuote,
        _deliver_to: &Place,
    ) -> Result<u32, ErrorBody> {
        let mut placed = self.placed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(minutes) = placed.get(order_id) {
            return Ok(*minutes);
        }
        if let Some(line) = quote
            .lines
            .iter()
            .find(|l| l.quantity > self.kitchen_capacity)
        {
            return Err(ErrorBody::new(
                ErrorCode::ProcessingFailed,
                format!(
                    "{} can't make {} {} in one order (at most {}).",
                    quote.restaurant, line.quantity, line.name, self.kitchen_capacity
                ),
            ));
        }
        placed.insert(order_id.to_owned(), quote.prep_minutes);
        Ok(quote.prep_minutes)
    }
}

/// The `food` domain.
pub struct FoodAgent {
    provider: Arc<dyn FoodProvider>,
}

impl FoodAgent {
    pub fn new(provider: impl FoodProvider) -> Self {
        Self {
            provider: Arc::new(provider),
        }
    }

    pub fn with_provider(provider: Arc<dyn FoodProvider>) -> Self {
        Self { provider }
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
                    SlotSpec::optional("restaurant", SlotKind::Text, "a restaurant by name"),
                    SlotSpec::optional("cuisine", SlotKind::Text, "a cuisine, e.g. italian"),
                ],
            }],
        }
    }

    async fn execute(
        &self,
        command: &Command,
        services: &Services,
    ) -> Result<ResultBody, ErrorBody> {
        let Action::OrderFood(order) = &command.action else {
            return Err(ErrorBody::new(
                ErrorCode::InvalidCommand,
                format!("the food agent cannot {}", command.action.name()),
            ));
        };
        validate_items(&order.items)?;
        let address = services.resolve(&order.address, &command.user_id).await?;
        let quote = self.provider.quote(order).await?;
        let subtotal: i64 = quote
            .lines
            .iter()
            .map(|l| l.unit_price * i64::from(l.quantity))
            .sum();
        let total = subtotal + quote.delivery_fee;
        let order_id = stable_id("FO", command.trace_id.as_str());
        let description = format!("food order from {}", quote.restaurant);
        let (charge, prep) = services
            .charge_then(command, total, description, || {
                self.provider.place(&order_id, &quote, &address)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(items: &[(&str, u32)], restaurant: Option<&str>) -> FoodOrder {
        FoodOrder {
            items: items
                .iter()
                .map(|(n, q)| ItemRequest {
                    name: (*n).into(),
                    quantity: *q,
                })
                .collect(),
            restaurant: restaurant.map(Into::into),
            cuisine: None,
            address: "home".into(),
        }
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
        let e = p
            .quote(&order(&[("pizza", 1)], Some("Nowhere Diner")))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownRestaurant);
    }
}
