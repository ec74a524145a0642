//! [`Json`]: a JSON value that travels through both codecs.
//!
//! bincode cannot carry `serde_json::Value` (it needs self-describing input),
//! so inside bincode a `Json` is its compact JSON text.

use bincode::de::Decoder;
use bincode::enc::Encoder;
use bincode::error::{DecodeError, EncodeError};
use serde::{Deserialize, Serialize};

/// An arbitrary JSON value (used for the results and slots of custom domains).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Json(pub serde_json::Value);

impl bincode::Encode for Json {
    fn encode<E: Encoder>(&self, encoder: &mut E) -> Result<(), EncodeError> {
        self.0.to_string().encode(encoder)
    }
}

impl<C> bincode::Decode<C> for Json {
    fn decode<D: Decoder<Context = C>>(decoder: &mut D) -> Result<Self, DecodeError> {
        let text = String::decode(decoder)?;
        serde_json::from_str(&text)
            .map(Json)
            .map_err(|e| DecodeError::OtherString(format!("embedded JSON: {e}")))
    }
}

bincode::impl_borrow_decode!(Json);

impl schemars::JsonSchema for Json {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Json".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "description": "any JSON value (a custom domain's result or slots)" })
    }
}

impl From<serde_json::Value> for Json {
    fn from(v: serde_json::Value) -> Self {
        Self(v)
    }
}

#[cfg(test)]
impl proptest::arbitrary::Arbitrary for Json {
    type Parameters = ();
    type Strategy = proptest::strategy::BoxedStrategy<Self>;

    fn arbitrary_with(_: ()) -> Self::Strategy {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "[a-z ]{0,12}".prop_map(serde_json::Value::from),
        ];
        let value = leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        });
        // Custom results and slots are objects at the top level (a bare
        // `null` would read back as "no result").
        prop::collection::btree_map("[a-z]{1,6}", value, 0..4)
            .prop_map(|m| Json(serde_json::Value::Object(m.into_iter().collect())))
            .boxed()
    }
}

/// Any JSON value, in the OpenAPI document.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Json {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
            .description(Some("any JSON value (a custom domain's result or slots)"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Json {}
