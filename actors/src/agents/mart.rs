//! The mart agent: groceries and household items from one store.
//!
//! Out of stock is a clear failure, never a silent partial order: the
//! command fails with `out_of_stock`, naming what is missing and how many
//! are left, and nothing is charged. Stock is reserved after the charge; if
//! it ran out in between (another order took it), the charge is voided.

use super::catalog::{
    MART_EVERYDAY_NAMES, MART_ITEMS, MART_LOCATION, MART_NAME, MART_PACKS, MART_SYNONYMS,
    MART_VARIETIES,
};
use super::food::{travel_minutes, validate_items};
use super::{CURRENCY, Services, distance_m, item_key, order_confirmation, stable_id};
use crate::registry::{ActionSpec, Catalog, DomainAgent, DomainSpec, Merchant, SlotKind, SlotSpec};
use async_trait::async_trait;
use errand_schemas::{
    Action, AgentResult, CancelResult, Command, ErrorBody, ErrorCode, ItemRequest, LineItem,
    MartOrder, OrderResult, Place, Refusal, ResultBody, SlotMap, SlotValue, Summary,
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
    async fn reserve(
        &self,
        order_id: &str,
        lines: &[LineItem],
        instructions: Option<&str>,
    ) -> Result<(), ErrorBody>;

    /// How many of the shelf item `name` are left, if the store says.
    async fn available(&self, name: &str) -> Option<u32>;

    /// Puts the items of `order_id` back on the shelf (again for the same
    /// id: no change).
    async fn release(&self, order_id: &str) -> Result<(), ErrorBody>;

    /// The store's location.
    fn location(&self) -> Place;
}

/// The built-in store and its stock: how many of each item it can supply
/// in one order (its shelves are restocked as fast as they sell).
pub struct SimulatedMart {
    stock: Mutex<HashMap<String, (i64, u32)>>,
    reserved: Mutex<HashMap<String, Vec<LineItem>>>,
    told: super::Told,
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
            told: super::Told::default(),
        }
    }
}

impl SimulatedMart {
    /// What the courier of `order_id` was asked, as the order told it.
    pub fn instructions(&self, order_id: &str) -> Option<String> {
        self.told.get(order_id)
    }

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
    let key = (MART_SYNONYMS
        .iter()
        .chain(MART_EVERYDAY_NAMES)
        .chain(MART_VARIETIES))
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
                note: item.note.clone().or_else(|| pack(name)),
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

    async fn reserve(
        &self,
        order_id: &str,
        lines: &[LineItem],
        instructions: Option<&str>,
    ) -> Result<(), ErrorBody> {
        let mut reserved = self.reserved.lock().unwrap_or_else(|e| e.into_inner());
        if reserved.contains_key(order_id) {
            return Ok(());
        }
        self.told.record(order_id, instructions);
        let stock = self.stock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(line) = lines
            .iter()
            .find(|l| stock.get(&l.name).map(|s| s.1).unwrap_or(0) < l.quantity)
        {
            return Err(ErrorBody::new(
                ErrorCode::OutOfStock,
                format!("Sorry, {} just ran out.", line.name),
            ));
        }
        // The simulated shelves are restocked as fast as they sell, so one
        // person's order never changes what the next is offered (set_stock
        // changes them).
        drop(stock);
        reserved.insert(order_id.to_owned(), lines.to_vec());
        Ok(())
    }

    async fn available(&self, name: &str) -> Option<u32> {
        self.stock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .map(|(_, left)| *left)
    }

    async fn release(&self, order_id: &str) -> Result<(), ErrorBody> {
        let mut reserved = self.reserved.lock().unwrap_or_else(|e| e.into_inner());
        // Nothing left the shelves (see reserve): the reservation goes.
        reserved.remove(order_id);
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
    /// How long after it is placed an order may still be cancelled.
    pub cancel_window: std::time::Duration,
}

impl MartAgent {
    pub fn new(provider: impl MartProvider) -> Self {
        Self::with_provider(Arc::new(provider))
    }

    pub fn with_provider(provider: Arc<dyn MartProvider>) -> Self {
        Self {
            provider,
            cancel_window: super::KITCHEN_CANCEL_WINDOW,
        }
    }

    /// Resolves, checks and prices `order` as it would be placed.
    async fn price(
        &self,
        order: &MartOrder,
        user_id: &str,
        services: &Services,
    ) -> Result<(Vec<LineItem>, Place), Refusal> {
        validate_items(&order.items).map_err(|e| Refusal::of("item", e))?;
        let address = services
            .resolve(&order.address, user_id)
            .await
            .map_err(|e| super::place_refusal("address", e))?;
        let items = self.second_choices(&order.items).await;
        match self.provider.quote(&items).await {
            Ok(lines) => Ok((lines, address)),
            Err(mut e) if matches!(e.code, ErrorCode::OutOfStock | ErrorCode::UnknownItem) => {
                // Every thing the shelves never hold, named at once.
                let unsold: Vec<String> = (order.items.iter())
                    .filter(|i| match_mart_item(&i.name).is_none())
                    .map(|i| format!("\"{}\"", i.name))
                    .collect();
                if e.code == ErrorCode::UnknownItem
                    && let [init @ .., last] = unsold.as_slice()
                    && !init.is_empty()
                {
                    e.message = format!(
                        "Sorry, {MART_NAME} doesn't sell {} or {last}.",
                        init.join(", ")
                    );
                }
                let refusal = Refusal::of("item", e);
                Err(match self.left(&order.items).await {
                    Some(items) => {
                        let what = items
                            .iter()
                            .map(|i| format!("{} {}", i.quantity, i.name))
                            .collect::<Vec<_>>()
                            .join(" and ");
                        let mut refusal = refusal.offering(SlotMap::from([(
                            "item".to_owned(),
                            SlotValue::Items(items),
                        )]));
                        refusal.error.message =
                            format!("{} Shall I get {what} instead?", refusal.error.message);
                        refusal
                    }
                    None => refusal,
                })
            }
            Err(e) => Err(Refusal::from(e)),
        }
    }

    /// The items, each out of stock (or never sold) replaced by the second
    /// choice its note names ([`super::backup_in`]) when the shelves hold
    /// that: "coffee, or tea if there's none" is tea when the coffee is out.
    async fn second_choices(&self, items: &[ItemRequest]) -> Vec<ItemRequest> {
        let mut chosen = Vec::with_capacity(items.len());
        for item in items {
            let instead = item.note.as_deref().and_then(super::backup_in);
            let enough = |name: Option<&'static str>| async move {
                match name {
                    Some(name) => self.provider.available(name).await.unwrap_or(0) >= item.quantity,
                    None => false,
                }
            };
            match instead {
                Some(instead)
                    if !enough(match_mart_item(&item.name)).await
                        && enough(match_mart_item(instead)).await =>
                {
                    chosen.push(ItemRequest {
                        name: instead.to_owned(),
                        quantity: item.quantity,
                        note: Some(format!("instead of {}", item.name)),
                    });
                }
                _ => chosen.push(item.clone()),
            }
        }
        chosen
    }

    /// The order cut down to what the shelves hold (what the mart does
    /// not sell or has none of left out), if anything is left.
    async fn left(&self, items: &[ItemRequest]) -> Option<Vec<ItemRequest>> {
        let mut fits = Vec::new();
        for item in items {
            let Some(name) = match_mart_item(&item.name) else {
                continue;
            };
            let left = self.provider.available(name).await.unwrap_or(0);
            if left == 0 {
                continue;
            }
            fits.push(ItemRequest {
                name: name.to_owned(),
                quantity: item.quantity.min(left),
                note: item.note.clone(),
            });
        }
        (!fits.is_empty()).then_some(fits)
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
                    super::instructions_slot("courier"),
                ],
            }],
            examples: vec![
                "buy [milk and eggs](item)".into(),
                "I need [bread and butter](item) delivered to [home](address)".into(),
                "get [a dozen eggs and some toilet paper](item) sent to [work](address)".into(),
            ],
            words: [
                "groceries",
                "grocery",
                "shopping",
                "supermarket",
                "mart",
                "household",
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
        let Action::OrderMart(order) = &command.action else {
            return Err(wrong_action(command));
        };
        let (lines, address) = self
            .price(order, &command.user_id, services)
            .await
            .map_err(|r| r.error)?;
        let total = super::lines_total(&lines) + MART_DELIVERY_FEE;
        let order_id = stable_id("MO", command.trace_id.as_str());
        let (charge, ()) = services
            .charge_then(command, total, format!("{MART_NAME} order"), || {
                (self.provider).reserve(&order_id, &lines, order.instructions.as_deref())
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

    async fn quote(&self, command: &Command, services: &Services) -> Result<Summary, Refusal> {
        let Action::OrderMart(order) = &command.action else {
            return Err(Refusal::fatal(wrong_action(command)));
        };
        let (lines, address) = self.price(order, &command.user_id, services).await?;
        let store = self.provider.location();
        Ok(Summary {
            domain: "mart".into(),
            merchant: Some(store.name.clone()),
            total: Some(super::lines_total(&lines) + MART_DELIVERY_FEE),
            items: lines,
            delivery_fee: Some(MART_DELIVERY_FEE),
            eta_minutes: Some(20 + travel_minutes(distance_m(&store, &address))),
            address: Some(address.name),
            currency: Some(CURRENCY.into()),
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
            "the store",
            services,
            |order_id| async move { self.provider.release(&order_id).await },
        )
        .await
    }

    fn catalog(&self) -> Catalog {
        Catalog {
            currency: CURRENCY.into(),
            merchants: vec![Merchant {
                name: MART_NAME.into(),
                kind: "grocery".into(),
                items: MART_ITEMS
                    .iter()
                    .map(|(n, p, _)| ((*n).into(), *p))
                    .collect(),
            }],
            aliases: (MART_SYNONYMS.iter().chain(MART_EVERYDAY_NAMES))
                .map(|(a, n)| ((*a).into(), (*n).into()))
                .collect(),
            packs: MART_PACKS
                .iter()
                .map(|(n, size, _)| ((*n).into(), *size))
                .collect(),
            portions: Vec::new(),
            kinds: Vec::new(),
            varieties: (MART_VARIETIES.iter())
                .map(|(v, n)| ((*v).into(), (*n).into()))
                .collect(),
        }
    }
}

/// What one of an item sold by the pack is ("box of 12"), so a
/// confirmation says what a count buys.
fn pack(name: &str) -> Option<String> {
    MART_PACKS
        .iter()
        .find(|(item, _, _)| *item == name)
        .map(|(_, size, pack)| format!("{pack} of {size}"))
}

fn wrong_action(command: &Command) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::InvalidCommand,
        format!("the mart agent cannot {}", command.action.name()),
    )
}
