//! What errand says: confirmation questions from a priced [`Summary`],
//! the question before cancelling a placed command, and lists.

use crate::agents::{format_money, say_time};
use errand_schemas::{LineItem, Placed, SlotValue, Summary};

/// "1 × cheeseburger (large)".
pub fn line(item: &LineItem) -> String {
    match &item.note {
        Some(note) => format!("{} × {} ({note})", item.quantity, item.name),
        None => format!("{} × {}", item.quantity, item.name),
    }
}

/// "a, b and c".
pub fn list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn money(amount: i64, summary: &Summary) -> String {
    format_money(amount, summary.currency.as_deref().unwrap_or("GBP"))
}

/// The command a summary describes, without a verb: "1 × cheeseburger from
/// Burger Barn to 221B Baker Street", "a standard ride from X to Y".
pub fn described(summary: &Summary) -> String {
    if let (Some(pickup), Some(destination)) = (&summary.pickup, &summary.destination) {
        let kind = summary.ride_type.unwrap_or_default().label();
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u', 'X']) {
            "an"
        } else {
            "a"
        };
        let seats = match summary.seats {
            Some(n) if n > 1 => format!(" for {n}"),
            _ => String::new(),
        };
        let when = summary
            .pickup_at
            .as_deref()
            .map(|at| format!(" {}", say_time(at)))
            .unwrap_or_default();
        return format!("{article} {kind} ride{seats} from {pickup} to {destination}{when}");
    }
    let mut what = if summary.items.is_empty() {
        details(summary)
    } else {
        list(&summary.items.iter().map(line).collect::<Vec<_>>())
    };
    if let Some(merchant) = &summary.merchant {
        what.push_str(&format!(" from {merchant}"));
    }
    if let Some(address) = &summary.address {
        what.push_str(&format!(" to {address}"));
    }
    what
}

/// An unpriced command's slots: "medicine: ibuprofen, address: home".
fn details(summary: &Summary) -> String {
    let parts: Vec<String> = summary
        .details
        .iter()
        .map(|(name, value)| match value {
            SlotValue::Text(t) => format!("{name}: {t}"),
            SlotValue::Number(n) => format!("{name}: {n}"),
            SlotValue::Items(items) => list(
                &items
                    .iter()
                    .map(|i| format!("{} × {}", i.quantity, i.name))
                    .collect::<Vec<_>>(),
            ),
        })
        .collect();
    if parts.is_empty() {
        format!("your {} request", summary.domain)
    } else {
        format!("{} ({})", summary.domain, parts.join(", "))
    }
}

/// "Order 1 × cheeseburger from Burger Barn to 221B Baker Street for
/// £11.98?", "Book a standard ride from X to Y for £37.15?", with what the
/// agent chose said first.
pub fn confirm_question(summary: &Summary) -> String {
    let verb = if summary.pickup.is_some() {
        "Book"
    } else {
        "Order"
    };
    let price = summary
        .amount()
        .map(|a| format!(" for {}", money(a, summary)))
        .unwrap_or_default();
    let notes = summary
        .notes
        .iter()
        .map(|n| format!("{n} "))
        .collect::<String>();
    let told = match &summary.instructions {
        Some(said) => {
            let to = if summary.pickup.is_some() {
                "driver"
            } else {
                "courier"
            };
            format!(" I'll tell the {to}: \"{said}\".")
        }
        None => String::new(),
    };
    format!("{notes}{verb} {}{price}?{told}", described(summary))
}

/// A request waiting behind the one being confirmed, said by what it
/// names: "the latte", "the latte and croissant", "the ride to Soho";
/// `None` when it names neither things nor a destination.
pub fn next_up(
    next: &errand_schemas::Queued,
    open: &errand_schemas::OpenCommand,
) -> Option<String> {
    use errand_schemas::SlotValue;
    if let Some(items) = next.slots.get("item").and_then(SlotValue::as_items)
        && !items.is_empty()
    {
        let names: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
        // "the fries come", "the latte comes".
        let many = names.len() > 1
            || (names.iter()).any(|n| n.ends_with('s') && !n.ends_with("ss") && !n.ends_with("us"));
        let verb = if many { "come" } else { "comes" };
        return Some(format!("the {} {verb} next.", list(&names)));
    }
    // ("and back at 11": the ride back, asked once this one is booked.)
    if next.slots.contains_key(super::hear::RETURN_OF) {
        return Some("the ride back comes next.".to_owned());
    }
    let to = next.slots.get("destination").and_then(SlotValue::as_text)?;
    // ("2 cabs from home to work": another car the same way.)
    let same_way = ["pickup", "destination"]
        .iter()
        .all(|slot| next.slots.get(*slot) == open.slots.get(*slot));
    Some(match same_way {
        true => "the second car comes next.".to_owned(),
        false if to.eq_ignore_ascii_case("home") => "the ride home comes next.".to_owned(),
        false => format!("the ride to {to} comes next."),
    })
}

/// A price asked about, answered: "A standard ride from 221B Baker Street
/// to Gatwick Airport is £69.43."
pub fn price_answer(summary: &Summary) -> String {
    let what = described(summary);
    let mut said = match summary.amount() {
        Some(amount) => format!("{what} is {}.", money(amount, summary)),
        None => format!("{what} has no price yet."),
    };
    if let Some(first) = said.get(..1) {
        said = format!("{}{}", first.to_uppercase(), &said[1..]);
    }
    let took = match summary.journey_minutes {
        Some(m) if m >= 60 => {
            let hours = if m / 60 == 1 {
                "1 hour".to_owned()
            } else {
                format!("{} hours", m / 60)
            };
            Some(match m % 60 {
                0 => hours,
                rest => format!("{hours} {rest} minutes"),
            })
        }
        Some(m) => Some(format!("{m} minutes")),
        None => None,
    };
    if let Some(took) = took {
        said.push_str(&format!(" The journey takes about {took}."));
    }
    said
}

/// The question when a change replaces a placed command.
pub fn amend_question(summary: &Summary, placed: &Placed) -> String {
    let refund = placed
        .summary
        .as_ref()
        .and_then(|s| s.amount().map(|a| money(a, s)));
    let back = match refund {
        Some(refund) => format!(" I'll cancel the first one and refund {refund}."),
        None => " I'll cancel the first one.".into(),
    };
    format!(
        "Change it: {}{back}",
        lower_first(&confirm_question(summary))
    )
}

/// "Cancel your order from Burger Barn (1 × cheeseburger, £11.98)? You'll
/// get £11.98 back."
pub fn cancel_question(placed: &Placed) -> String {
    let Some(summary) = &placed.summary else {
        return format!("Cancel your {} request?", placed.domain);
    };
    let amount = summary.amount().map(|a| money(a, summary));
    let what = if summary.pickup.is_some() {
        format!(
            "your ride from {} to {}",
            summary.pickup.as_deref().unwrap_or_default(),
            summary.destination.as_deref().unwrap_or_default()
        )
    } else {
        let merchant = summary
            .merchant
            .as_deref()
            .map(|m| format!(" from {m}"))
            .unwrap_or_default();
        let items = list(&summary.items.iter().map(line).collect::<Vec<_>>());
        if items.is_empty() {
            format!("your order{merchant}")
        } else {
            format!("your order{merchant} ({items})")
        }
    };
    match amount {
        Some(amount) => format!("Cancel {what}? You'll get {amount} back."),
        None => format!("Cancel {what}?"),
    }
}

/// What the person calls a command of `action`.
pub fn describe(action: &str) -> &'static str {
    match action {
        "order_food" => "food order",
        "book_ride" => "ride",
        "order_mart" => "grocery order",
        _ => "request",
    }
}

fn lower_first(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_schemas::RideType;

    #[test]
    fn the_confirmation_question_names_everything_that_costs() {
        let food = Summary {
            domain: "food".into(),
            merchant: Some("Burger Barn".into()),
            items: vec![LineItem {
                name: "cheeseburger".into(),
                quantity: 1,
                unit_price: 899,
                note: None,
            }],
            delivery_fee: Some(299),
            total: Some(1198),
            currency: Some("GBP".into()),
            address: Some("221B Baker Street".into()),
            ..Summary::default()
        };
        assert_eq!(
            confirm_question(&food),
            "Order 1 × cheeseburger from Burger Barn to 221B Baker Street for £11.98?"
        );
        let ride = Summary {
            domain: "ride".into(),
            pickup: Some("221B Baker Street".into()),
            destination: Some("Gatwick Airport".into()),
            ride_type: Some(RideType::Xl),
            seats: Some(5),
            pickup_at: Some("2026-12-03T17:00:00+00:00".into()),
            fare: Some(9000),
            currency: Some("GBP".into()),
            notes: vec!["An XL, because a standard car takes 4 and you are 5.".into()],
            ..Summary::default()
        };
        assert_eq!(
            confirm_question(&ride),
            "An XL, because a standard car takes 4 and you are 5. Book an XL ride for 5 from 221B Baker Street to Gatwick Airport at 5:00pm on Thursday 3 December for £90.00?"
        );
    }
}
