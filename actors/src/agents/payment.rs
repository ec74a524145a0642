//! Payment: charges with an idempotency key, a per-order cap, and voids.
//!
//! The simulated ledger keeps every charge in the [`IdempotencyStore`]
//! (first write wins), so a redelivered charge with the same key returns the
//! first charge, across restarts when the store is Redis.

use crate::store::IdempotencyStore;
use errand_schemas::keys::Keys;
pub use errand_schemas::{Charge, ChargeStatus};
use errand_schemas::{ErrorBody, ErrorCode};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeRequest {
    /// The same key always yields the same charge (errand uses the trace id).
    pub idempotency_key: String,
    pub user_id: String,
    pub amount: i64,
    pub currency: String,
    pub description: String,
}

/// Payment settings.
#[derive(Clone, Debug)]
pub struct PaymentConfig {
    /// The largest charge allowed for one order, in minor units.
    pub max_charge: i64,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        Self { max_charge: 50_000 }
    }
}

pub enum PaymentMessage {
    Charge(ChargeRequest, RpcReplyPort<Result<Charge, ErrorBody>>),
    Void(String, RpcReplyPort<Result<Charge, ErrorBody>>),
    Get(String, RpcReplyPort<Result<Option<Charge>, ErrorBody>>),
}

impl ractor::Message for PaymentMessage {}

pub struct PaymentActor;

#[derive(Clone)]
pub struct PaymentArgs {
    pub config: PaymentConfig,
    pub store: Arc<dyn IdempotencyStore>,
    pub keys: Keys,
}

#[derive(Clone)]
pub struct PaymentState {
    args: PaymentArgs,
}

impl PaymentState {
    fn charge_key(&self, charge_id: &str) -> String {
        self.args.keys.idempotency(charge_id, "charge")
    }

    fn void_key(&self, charge_id: &str) -> String {
        self.args.keys.idempotency(charge_id, "void")
    }

    async fn charge(&self, request: ChargeRequest) -> Result<Charge, ErrorBody> {
        if request.amount <= 0 {
            return Err(ErrorBody::new(
                ErrorCode::InvalidCommand,
                "A charge must be for a positive amount.",
            ));
        }
        if request.amount > self.args.config.max_charge {
            return Err(ErrorBody::new(
                ErrorCode::OverLimit,
                format!(
                    "That comes to {}, above the limit of {} per order.",
                    super::format_money(request.amount, &request.currency),
                    super::format_money(self.args.config.max_charge, &request.currency)
                ),
            ));
        }
        let charge_id = super::stable_id("ch", &request.idempotency_key);
        let charge = Charge {
            charge_id: charge_id.clone(),
            amount: request.amount,
            currency: request.currency.clone(),
            user_id: request.user_id.clone(),
            status: ChargeStatus::Captured,
        };
        let ours = errand_schemas::codec::to_json(&charge);
        let stored = self
            .args
            .store
            .put_if_absent(&self.charge_key(&charge_id), &ours)
            .await
            .map_err(store_error)?;
        let mut first: Charge = errand_schemas::codec::from_json(&stored)
            .map_err(|e| ErrorBody::new(ErrorCode::Internal, format!("corrupt charge: {e}")))?;
        // Only a charge made before (this is a retry) can have been voided since.
        if stored != ours && self.is_voided(&charge_id).await? {
            first.status = ChargeStatus::Voided;
        }
        tracing::info!(charge_id = %first.charge_id, amount = first.amount, "charge");
        Ok(first)
    }

    async fn is_voided(&self, charge_id: &str) -> Result<bool, ErrorBody> {
        Ok(self
            .args
            .store
            .get(&self.void_key(charge_id))
            .await
            .map_err(store_error)?
            .is_some())
    }

    async fn get(&self, charge_id: &str) -> Result<Option<Charge>, ErrorBody> {
        let Some(bytes) = self
            .args
            .store
            .get(&self.charge_key(charge_id))
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        let mut charge: Charge = errand_schemas::codec::from_json(&bytes)
            .map_err(|e| ErrorBody::new(ErrorCode::Internal, format!("corrupt charge: {e}")))?;
        if self.is_voided(charge_id).await? {
            charge.status = ChargeStatus::Voided;
        }
        Ok(Some(charge))
    }

    async fn void(&self, charge_id: &str) -> Result<Charge, ErrorBody> {
        let Some(mut charge) = self.get(charge_id).await? else {
            return Err(ErrorBody::new(ErrorCode::NotFound, "No such charge."));
        };
        self.args
            .store
            .put_if_absent(&self.void_key(charge_id), b"voided")
            .await
            .map_err(store_error)?;
        charge.status = ChargeStatus::Voided;
        tracing::info!(charge_id, "charge voided");
        Ok(charge)
    }
}

fn store_error(e: crate::store::StoreError) -> ErrorBody {
    ErrorBody::new(ErrorCode::StateUnavailable, e.to_string())
}

impl Actor for PaymentActor {
    type Msg = PaymentMessage;
    type State = PaymentState;
    type Arguments = PaymentArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: PaymentArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(PaymentState { args })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        // Each request on its own task: every step is first-write-wins in
        // the store, so requests need no order between them, and one
        // waiting on the store does not hold up the others.
        let state = state.clone();
        tokio::spawn(async move {
            match message {
                PaymentMessage::Charge(request, reply) => {
                    let _ = reply.send(state.charge(request).await);
                }
                PaymentMessage::Void(id, reply) => {
                    let _ = reply.send(state.void(&id).await);
                }
                PaymentMessage::Get(id, reply) => {
                    let _ = reply.send(state.get(&id).await);
                }
            }
        });
        Ok(())
    }
}
