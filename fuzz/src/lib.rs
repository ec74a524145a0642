//! What the fuzz targets share: the built-in domains, and a desk that
//! prices nothing (the conversation is fuzzed without agents).

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

/// Quotes every command unpriced, cancels nothing, knows no command.
pub struct QuietDesk;

#[async_trait]
impl Desk for QuietDesk {
    async fn quote(&self, command: &Command) -> Result<Result<Summary, Refusal>, ErrorBody> {
        Ok(Ok(unpriced(command)))
    }

    async fn cancel(
        &self,
        _placed: &Placed,
        _user_id: &str,
    ) -> Result<Result<CancelResult, ErrorBody>, ErrorBody> {
        Ok(Err(ErrorBody::new(
            ErrorCode::CancelNotSupported,
            "nothing is cancelled here",
        )))
    }

    async fn status(&self, _trace_id: &TraceId) -> Result<Option<CommandState>, ErrorBody> {
        Ok(None)
    }
}
