//! What the fuzz targets share: the built-in domains, and a desk that
//! answers without agents (the conversation is fuzzed at the policy).

use async_trait::async_trait;
use errand_actors::agents::food::FoodAgent;
use errand_actors::agents::mart::MartAgent;
use errand_actors::agents::ride::RideAgent;
use errand_actors::dialogue::Desk;
use errand_actors::registry::{DomainRegistry, unpriced};
use errand_schemas::{
    CancelResult, Command, CommandState, ErrorBody, ErrorCode, Placed, Refusal, Summary, TraceId,
};

/// The built-in food, ride and mart domains.
pub fn registry() -> DomainRegistry {
    DomainRegistry::new()
        .with(FoodAgent::simulated())
        .with(RideAgent::simulated())
        .with(MartAgent::simulated())
}

/// As the dialogue's own tests answer: prices every command at £10,
/// refuses an address in Atlantis (the person is asked again), cancels
/// anything placed, knows no command's status.
pub struct SimpleDesk;

#[async_trait]
impl Desk for SimpleDesk {
    async fn quote(&self, command: &Command) -> Result<Result<Summary, Refusal>, ErrorBody> {
        let summary = unpriced(command);
        let atlantis = |place: &Option<String>| {
            (place.as_deref()).is_some_and(|p| p.to_lowercase().contains("atlantis"))
        };
        if atlantis(&summary.address) || atlantis(&summary.destination) {
            let slot = if atlantis(&summary.address) {
                "address"
            } else {
                "destination"
            };
            return Ok(Err(Refusal::of(
                slot,
                ErrorBody::new(ErrorCode::UnknownPlace, "I couldn't find Atlantis."),
            )));
        }
        Ok(Ok(Summary {
            total: Some(1000),
            currency: Some("GBP".into()),
            ..summary
        }))
    }

    async fn cancel(
        &self,
        placed: &Placed,
        _user_id: &str,
    ) -> Result<Result<CancelResult, ErrorBody>, ErrorBody> {
        Ok(Ok(CancelResult {
            cancelled: placed.trace_id.to_string(),
            refund: 1000,
            currency: "GBP".into(),
            charge_id: "ch-1".into(),
        }))
    }

    async fn status(&self, _trace_id: &TraceId) -> Result<Option<CommandState>, ErrorBody> {
        Ok(None)
    }
}
