//! The mart agent: groceries and household items from one store.
//!
//! Out of stock is a clear failure, never a silent partial order: the
//! command fails with `out_of_stock`, naming what is missing and how many
//! are left, and nothing is charged. Stock is reserved after the charge; if
//! it ran out in between (another order took it), the charge is voided.

use super::catalog::{MART_ITEMS, MART_LOCATION, MART_NAME, MART_SYNONYMS};
use super::food::{travel_minutes, validate_items};
use super::{CURRENCY, Services, distance_m, item_key, order_confirmation, stable_id};
use crate::registry::{ActionSpec, DomainAgent, DomainSpec, SlotKind, SlotSpec};
use async_trait::async_trait;
use errand_schemas::{
    Action, Command, ErrorBody, ErrorCode, ItemRequest, LineItem, OrderResult, Place, ResultBody,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a grocery integration implements.
#[async_trait]
pub trait MartProvider: Send + Sync + 'static {
    /// Prices the items, or fails with `unknown_item` / `out_of_stock`.
    async fn quote(&self, items: &[ItemRequest]) -> Result<Vec<LineItem>, ErrorBody>;

    /// Takes the items off the shelf for `order_id` (again for the same id:
    /// no change). Fails with `out_of_stock` if they ran out since the quote.
    async fn reserve(&self, order_id: &str, lines: &[LineItem]) -> Result<(), ErrorBody>;

    /// The store's location.
    fn location(&self) -> Place;
}

/// The built-in store and its stock.
pub struct SimulatedMart {
    stock: Mutex<HashMap<String, (i64, u32)>>,
    reserved: Mutex<HashMap<String, Vec<LineItem>>>,
}

impl Default for SimulatedMart {
    fn default() -> Self {
        Self {
            stock: Mutex::new(
                MART_ITEMS
                    .iter()
                    .map(|(n, p, s)| ((*n).to_owned(), (*p, *s)))
                    .collect(),
            ),
            reserved: Mutex::new(HashMap::new()),
        }
    }
}

impl SimulatedMart {
    /// Sets the stock of `item` (for tests and demos).
    pub fn set_stock(&self, item: &str, count: u32) {
        if let Some(entry) = self
            .stock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(item)
        {
            entry.1 = count;
        }
    }
}

/// The shelf name `requested` means, if the mart sells it.
pub fn match_mart_item(requested: &str) -> Option<&'static str> {
    let key = item_key(requested);
    let key = MART_SYNONYMS
        .iter()
        .find(|(alias, _)| item_key(alias) == key)
        .map(|(_, name)| item_key(name))
        .unwrap_or(key);
    MART_ITEMS
        .iter()
        .find(|(name, _, _)| item_key(name) == key)
        .or_else(|| {
            MART_ITEMS
                .iter()
                .find(|(name, _, _)| item_key(name).split(' ').any(|w| w == key))
        })
        .map(|(name, _, _)| *name)
}

#[async_trait]
impl MartProvider for SimulatedMart {
    async fn quote(&self, items: &[ItemRequest]) -> Result<Vec<LineItem>, ErrorBody> {
        let stock = self.stock.lock().unwrap_or_else(|e| e.into_inner());
        let mut lines = Vec::new();
        let mut short = Vec::new();
        for item in items {
            let Some(name) = match_mart_item(&item.name) else {
                return Err(ErrorBody::new(
                    ErrorCode::UnknownItem,
                    format!("Sorry, {MART_NAME} doesn't sell \"{}\".", item.name),
                ));
            };
            let (price, left) = stock.get(name).copied().unwrap_or((0, 0));
            if left < item.quantity {
                short.push(if left == 0 {
                    format!("{name} is out of stock")
                } else {
                    format!("only {left} {name} left")
                });
            }
            lines.push(LineItem {
                name: name.to_owned(),
                quantity: item.quantity,
                unit_price: price,
            });
        }
        if !short.is_empty() {
            return Err(ErrorBody::new(
                ErrorCode::OutOfStock,
                format!("Sorry, {}.", short.join(", ")),
            ));
        }
        Ok(lines)
    }

    async fn reserve(&self, order_id: &str, lines: &[LineItem]) -> Result<(), ErrorBody> {
        let mut reserved = self.reserved.lock().unwrap_or_else(|e| e.into_inner());
        if reserved.contains_key(order_id) {
            return Ok(());
        }
        let mut stock = self.stock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(line) = lines
            .iter()
            .find(|l| stock.get(&l.name).map(|s| s.1).unwrap_or(0) < l.quantity)
        {
            return Err(ErrorBody::new(
                ErrorCode::OutOfStock,
                format!("Sorry, {} just ran out.", line.name),
            ));
        }
        for line in lines {
            if let Some(entry) = stock.get_mut(&line.name) {
                entry.1 -= line.quantity;
            }
        }
        reserved.insert(order_id.to_owned(), lines.to_vec());
        Ok(())
    }

    fn location(&self) -> Place {
        Place {
            name: MART_NAME.into(),
            lat: MART_LOCATION.0,
            lon: MART_LOCATION.1,
        }
    }
}

/// The `mart` domain.
pub struct MartAgent {
    provider: Arc<dyn MartProvider>,
}

impl MartAgent {
    pub fn new(provider: impl MartProvider) -> Self {
        Self {
            provider: Arc::new(provider),
        }
    }

    pub fn with_provider(provider: Arc<dyn MartProvider>) -> Self {
        Self { provider }
    }

    pub fn simulated() -> Self {
        Self::new(SimulatedMart::default())
    }
}

/// Flat delivery fee of the mart.
pub const MART_DELIVERY_FEE: i64 = 199;

#[async_trait]
impl DomainAgent for MartAgent {
    fn spec(&self) -> DomainSpec {
        DomainSpec {
            name: "mart".into(),
            description: "Delivers groceries and household items from the mart.".into(),
            actions: vec![ActionSpec {
                name: "order_mart".into(),
                description: "Order groceries or household items for delivery.".into(),
                slots: vec![
                    SlotSpec::required(
                        "item",
                        SlotKind::Items,
                        "the products, each with a quantity",
                        "What would you like from the store?",
                    ),
                    SlotSpec::required(
                        "address",
                        SlotKind::Place,
                        "where to deliver: a street address or a saved place",
                        "Where should I deliver it?",
                    ),
                ],
            }],
        }
    }

    async fn execute(
        &self,
        command: &Command,
        services: &Services,
    ) -> Result<ResultBody, ErrorBody> {
        let Action::OrderMart(order) = &command.action else {
            return Err(ErrorBody::new(
                ErrorCode::InvalidCommand,
                format!("the mart agent cannot {}", command.action.name()),
            ));
        };
        validate_items(&order.items)?;
        let address = services.resolve(&order.address, &command.user_id).await?;
        let lines = self.provider.quote(&order.items).await?;
        let total = lines
            .iter()
            .map(|l| l.unit_price * i64::from(l.quantity))
            .sum::<i64>()
            + MART_DELIVERY_FEE;
        let order_id = stable_id("MO", command.trace_id.as_str());
        let (charge, ()) = services
            .charge_then(command, total, format!("{MART_NAME} order"), || {
                self.provider.reserve(&order_id, &lines)
            })
            .await?;
        let store = self.provider.location();
        Ok(ResultBody::Order(OrderResult {
            order_id,
            items: lines,
            total,
            currency: CURRENCY.into(),
            eta_minutes: 20 + travel_minutes(distance_m(&store, &address)),
            merchant: store.name,
            delivery_fee: MART_DELIVERY_FEE,
            address: address.name,
            charge_id: charge.charge_id,
        }))
    }

    fn confirmation(&self, result: &ResultBody) -> String {
        match result {
            ResultBody::Order(o) => order_confirmation(&format!("Your {} order", o.merchant), o),
            _ => "Your order is confirmed.".into(),
        }
    }
}
