//! Answers to what people ask instead of ordering: greetings and thanks,
//! what errand can do (from the registry, so a new domain is listed), prices
//! and menus (from the domains' catalogs), and where their last command
//! stands (from its recorded state).

use super::phrasing::list;
use crate::agents::{format_money, item_key, normalize, say_time};
use crate::reading::acts::Act;
use crate::registry::{Catalog, DomainRegistry, Merchant};
use errand_schemas::{CommandState, ResultBody, SessionState, Status};

/// What errand can do, in a sentence, from the registry's descriptions
/// ("Orders food for delivery..." becomes "order food for delivery...").
pub fn abilities(registry: &DomainRegistry) -> String {
    let things: Vec<String> = registry
        .domains()
        .filter_map(|d| registry.spec(d))
        .map(what_it_does)
        .collect();
    format!("I can {}.", list(&things))
}

/// A domain's description as what errand does ("Books rides ..." is "book
/// rides ...").
fn what_it_does(spec: &crate::registry::DomainSpec) -> String {
    let d = spec.description.trim().trim_end_matches('.');
    let (verb, rest) = d.split_once(' ').unwrap_or((d, ""));
    let verb = verb.to_lowercase();
    let verb = match verb.strip_suffix('s') {
        Some(base) if base.len() > 2 && !base.ends_with('s') => base.to_owned(),
        _ => verb,
    };
    format!("{verb} {rest}").trim().to_owned()
}

/// "do you deliver to work?": what errand delivers (the domains whose
/// actions go to one place), there when it knows the place.
fn delivers_to(place: &str, known: bool, registry: &DomainRegistry) -> String {
    let things: Vec<String> = registry
        .domains()
        .filter_map(|d| registry.spec(d))
        .filter(|spec| spec.actions.iter().any(|a| a.places().len() == 1))
        .filter_map(|spec| spec.words.first().cloned())
        .collect();
    if things.is_empty() {
        return "Sorry, I don't deliver anything.".into();
    }
    match known {
        true => format!(
            "Yes, I can have {} delivered to {place}. What would you like?",
            list_or(&things)
        ),
        false => format!(
            "I deliver {} to any address I can find, but I don't know \"{place}\". \
             Give me its street address with your order and I'll check it.",
            list_or(&things)
        ),
    }
}

/// "food or groceries".
fn list_or(things: &[String]) -> String {
    match things {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// "what kinds of rides do you have?": of a domain with no menu (its
/// words name it), what it does and the choices its slots offer, never
/// "none of the places I order from".
fn uncatalogued(what: &str, registry: &DomainRegistry) -> Option<String> {
    let said: Vec<String> = what.split_whitespace().map(item_key).collect();
    let (domain, _) = registry.agents().find(|(domain, _)| {
        registry
            .sold(domain)
            .is_none_or(|s| s.catalog.merchants.is_empty())
            && registry
                .spec(domain)
                .is_some_and(|spec| (spec.words.iter()).any(|w| said.contains(&item_key(w))))
    })?;
    let spec = registry.spec(domain)?;
    let choices: Vec<String> = (spec.actions.iter())
        .flat_map(|a| a.slots.iter())
        .filter(|slot| !slot.choices.is_empty())
        .map(|slot| match slot.choices.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        })
        .collect();
    let mut text = format!("I can {}", what_it_does(spec));
    if !choices.is_empty() {
        text.push_str(&format!(": {}", choices.join("; ")));
    }
    text.push('.');
    if let Some(example) = spec.shown_examples().next() {
        text.push_str(&format!(" Try \"{example}\"."));
    }
    Some(text)
}

/// A few things to say, from the domains' examples (the first of each,
/// without its markup).
pub fn examples(registry: &DomainRegistry) -> Vec<String> {
    registry
        .domains()
        .filter_map(|d| registry.spec(d))
        .filter_map(|spec| spec.shown_examples().next())
        .collect()
}

fn try_saying(registry: &DomainRegistry) -> String {
    let examples: Vec<String> = examples(registry)
        .into_iter()
        .map(|e| format!("\"{e}\""))
        .collect();
    match examples.as_slice() {
        [] => String::new(),
        [one] => format!(" Try {one}."),
        [init @ .., last] => format!(" Try {} or {last}.", init.join(", ")),
    }
}

/// The answer to a greeting, thanks or a question; `None` for acts that
/// are no question.
/// The answer to a problem with a delivered order: errand cannot put it
/// right itself, and says who can and what it can do.
const COMPLAINT: &str = "Sorry about that. I can't report a problem with a delivered order or \
     refund one: the shop or driver's support can. If something was missing or wrong, tell me \
     what and I'll order it again.";

pub fn answer(
    act: &Act,
    registry: &DomainRegistry,
    session: &SessionState,
    state: Option<&CommandState>,
    now_ms: u64,
) -> Option<String> {
    Some(match act {
        Act::Greeting => format!("Hi! {}{}", abilities(registry), try_saying(registry)),
        Act::Thanks => "You're welcome!".into(),
        Act::Complaint => COMPLAINT.into(),
        Act::Goodbye => "Bye! I'm here whenever you need something.".into(),
        Act::Help => format!("{}{}", abilities(registry), try_saying(registry)),
        Act::Price(what) if what == "it" => order_price(session),
        Act::Price(what) if is_delivery(what) => delivery_price(session),
        // "how much was my taxi", "how much was the cab": of that placed.
        Act::Price(what) if what.starts_with("my ") => placed_price(session, &what[3..]),
        Act::Price(what) => price(what, &catalogs(registry)),
        Act::AboutDish(what) if what == "it" => "I can't see what goes into each dish, so I \
             can't promise. I can tell the kitchen, for example \"nut allergy\" or \"mild please\"."
            .into(),
        // ("what's the weather like?": nothing of errand's.)
        Act::AboutDish(what)
            if thing_named(registry, crate::reading::words::Words::new(what).norm()).is_none() =>
        {
            format!("Sorry, I can't help with that. {}", abilities(registry))
        }
        Act::AboutDish(what) => format!(
            "I only know what the menus say: {}",
            price(what, &catalogs(registry))
        ),
        Act::Menu(Some(name)) => menu(name, &catalogs(registry)),
        // "what's on the menu?" at an order: that kitchen's.
        Act::Menu(None) => match (session.open.as_ref())
            .and_then(|open| open.summary.as_ref()?.merchant.clone())
            .filter(|merchant| !merchant.is_empty())
        {
            Some(merchant) => menu(&merchant, &catalogs(registry)),
            None => merchants(&catalogs(registry)),
        },
        Act::TheyServe(what) => {
            let merchant = (session.open.as_ref())
                .and_then(|open| {
                    (open.summary.as_ref().and_then(|s| s.merchant.clone()))
                        .or_else(|| open.slots.get("restaurant")?.as_text().map(str::to_owned))
                })
                .or_else(|| session.placed.last()?.summary.as_ref()?.merchant.clone());
            match merchant {
                Some(merchant) => who_serves(&format!("{what} at {merchant}"), &catalogs(registry)),
                None => who_serves(what, &catalogs(registry)),
            }
        }
        Act::WhoServes(what) => {
            uncatalogued(what, registry).unwrap_or_else(|| who_serves(what, &catalogs(registry)))
        }
        Act::Cheapest(what) => cheapest_said(what, &catalogs(registry)),
        Act::Hours(asked) => hours(asked, &catalogs(registry)),
        Act::DeliversTo { place, known } => delivers_to(place, *known, registry),
        Act::Status => status(session, state, now_ms),
        _ => return None,
    })
}

/// The one thing a price or shelf question asked about, as said without
/// its article, when a catalog sells it ("a latte" is "latte"; "milk and
/// eggs" and what no one sells are `None`).
pub fn sold_thing(act: &Act, registry: &DomainRegistry) -> Option<String> {
    if let Act::Cheapest(what) = act {
        // "what's the cheapest pizza?", then "get me one to work".
        return cheapest(what, &catalogs(registry))
            .map(|(merchant, name, ..)| format!("{name} from {merchant}").to_lowercase());
    }
    let (Act::Price(what) | Act::WhoServes(what)) = act else {
        return None;
    };
    let catalogs = catalogs(registry);
    let (thing, at) = at_merchant(what, &catalogs);
    let thing = strip_article(thing);
    let sold = catalogs.iter().any(|c| !matching(thing, c).is_empty());
    let said = match at {
        Some(merchant) => format!("{thing} from {merchant}"),
        None => thing.to_owned(),
    };
    (sold && thing != "it" && !thing.contains(" and ")).then(|| said.to_lowercase())
}

/// A thing the words name that some catalog sells or some shop is
/// ("pizza" of "cancel the pizza"), as said.
pub fn thing_named(registry: &DomainRegistry, words: &[String]) -> Option<String> {
    const NAMING_NOTHING: &[&str] = &[
        "the",
        "my",
        "our",
        "and",
        "order",
        "one",
        "cancel",
        "please",
        "from",
        "that",
        "this",
        "ride",
        "taxi",
        "cab",
        "food",
        "it",
        "all",
        "everything",
        "last",
        "first",
        "second",
    ];
    let catalogs = catalogs(registry);
    let words_of = |name: &str| {
        item_key(name)
            .split(' ')
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let known: Vec<String> = (catalogs.iter())
        .flat_map(|c| {
            let items = c
                .merchants
                .iter()
                .flat_map(|m| m.items.iter().map(|(n, _)| n.as_str()));
            let shops = c.merchants.iter().map(|m| m.name.as_str());
            let aliases = c.aliases.iter().map(|(a, _)| a.as_str());
            items
                .chain(shops)
                .chain(aliases)
                .flat_map(words_of)
                .collect::<Vec<_>>()
        })
        .collect();
    // ("the curry", "the coffee": a kind, which many things are.)
    let kinds: Vec<String> = (catalogs.iter())
        .flat_map(|c| c.kinds.iter().map(|(kind, _)| item_key(kind)))
        .collect();
    words.iter().find_map(|w| {
        let key = item_key(w);
        (key.len() >= 3
            && !NAMING_NOTHING.contains(&key.as_str())
            && !kinds.contains(&key)
            && known.contains(&key))
        .then(|| w.clone())
    })
}

fn catalogs(registry: &DomainRegistry) -> Vec<&Catalog> {
    (registry.agents())
        .filter_map(|(domain, _)| registry.sold(domain).map(|s| &s.catalog))
        .collect()
}

/// An order no one of `domain`'s merchants has all of, though each thing
/// is somewhere ("sushi and a curry"): the things grouped by a merchant
/// that has them, the merchant with most of them first, each with its
/// name. `None` when one merchant has it all, or something is nowhere.
pub fn by_merchant(
    registry: &DomainRegistry,
    domain: &str,
    lines: &[errand_schemas::ItemRequest],
) -> Option<Vec<(String, Vec<errand_schemas::ItemRequest>)>> {
    let catalog = &registry.sold(domain)?.catalog;
    if catalog.merchants.len() < 2 || lines.len() < 2 {
        return None;
    }
    // Per line, the merchants that have it.
    let at: Vec<Vec<&str>> = lines
        .iter()
        .map(|line| {
            // Only a dish named as the menus name it: "rice" with a curry
            // is the curry's rice, never another shop's mango sticky rice.
            let named = |name: &str| {
                let key = item_key(strip_article(&line.name));
                item_key(name) == key
                    || (catalog.aliases.iter())
                        .any(|(alias, to)| item_key(alias) == key && item_key(to) == item_key(name))
            };
            let mut found: Vec<&str> = matching(&line.name, catalog)
                .into_iter()
                .filter(|(_, name, _)| named(name))
                .map(|(merchant, ..)| merchant)
                .collect();
            found.dedup();
            found
        })
        .collect();
    if at.iter().any(Vec::is_empty)
        || (catalog.merchants.iter()).any(|m| at.iter().all(|has| has.contains(&m.name.as_str())))
    {
        return None;
    }
    let mut left: Vec<usize> = (0..lines.len()).collect();
    let mut groups = Vec::new();
    while !left.is_empty() {
        // The one with most of them; of equals, the one with the first
        // said.
        let best = (catalog.merchants.iter()).max_by_key(|m| {
            let has = |k: &usize| at[*k].contains(&m.name.as_str());
            (left.iter().filter(|k| has(k)).count(), has(&left[0]))
        })?;
        let (mine, rest): (Vec<usize>, Vec<usize>) = left
            .iter()
            .partition(|&&k| at[k].contains(&best.name.as_str()));
        if mine.is_empty() {
            return None;
        }
        groups.push((
            best.name.clone(),
            mine.iter().map(|&k| lines[k].clone()).collect(),
        ));
        left = rest;
    }
    Some(groups)
}

/// The catalog names `what` may mean, by its words: an alias, a name, or
/// names that contain every word of it.
fn matching<'a>(what: &str, catalog: &'a Catalog) -> Vec<(&'a str, &'a str, i64)> {
    matching_as(what, catalog, false)
}

/// Like [`matching`], but every item of the kind as well ("who does
/// pizza?" is every pizza, not only the one "a pizza" orders).
fn matching_kind<'a>(what: &str, catalog: &'a Catalog) -> Vec<(&'a str, &'a str, i64)> {
    matching_as(what, catalog, true)
}

fn matching_as<'a>(what: &str, catalog: &'a Catalog, kind: bool) -> Vec<(&'a str, &'a str, i64)> {
    let key = item_key(strip_article(what));
    if key.is_empty() {
        return Vec::new();
    }
    let alias = catalog
        .aliases
        .iter()
        .find(|(a, _)| item_key(a) == key)
        .map(|(_, name)| item_key(name));
    let hits = |loose: bool| {
        let mut found = Vec::new();
        for merchant in &catalog.merchants {
            for (name, price) in &merchant.items {
                let k = item_key(name);
                // ("burger" is the hamburger's and the cheeseburger's word.)
                let word_of = |w: &str, x: &str| x == w || (w.len() >= 5 && x.ends_with(w));
                let hit = k == key
                    || alias.as_deref() == Some(k.as_str())
                    || (loose && key.split(' ').all(|w| k.split(' ').any(|x| word_of(w, x))));
                if hit {
                    found.push((merchant.name.as_str(), name.as_str(), *price));
                }
            }
        }
        found
    };
    // The very item when there is one ("cheeseburger"), else every item
    // of its kind ("curry").
    let exact = hits(false);
    if exact.is_empty() || kind {
        let mut all = exact;
        for hit in hits(true) {
            if !all.contains(&hit) {
                all.push(hit);
            }
        }
        all
    } else {
        exact
    }
}

/// "The cheapest pizza is the margherita pizza, £10.99 at Luigi's
/// Pizzeria."
fn cheapest_said(what: &str, catalogs: &[&Catalog]) -> String {
    let Some((merchant, name, price, currency)) = cheapest(what, catalogs) else {
        return format!(
            "I couldn't find {} on any menu or shelf I know.",
            strip_article(what)
        );
    };
    let (kind, at) = at_merchant(what, catalogs);
    let kind = strip_article(kind);
    let money = format_money(price, &currency);
    match at {
        Some(_) => format!("The cheapest {kind} at {merchant} is the {name}, {money}."),
        None => format!("The cheapest {kind} is the {name}, {money} at {merchant}."),
    }
}

/// "order the cheapest pizza to my house": the words with the cheapest
/// thing of that kind named ("order 1 margherita pizza from luigi's
/// pizzeria to my house"), when they ask for it rather than ask about it.
pub fn cheapest_ordered(text: &str, registry: &DomainRegistry) -> Option<String> {
    const ASKING_FOR: &[&str] = &[
        "order", "get", "buy", "send", "grab", "i'll", "ill", "i'd", "id", "i", "can", "could",
        "please", "just", "give",
    ];
    let lower = text.to_ascii_lowercase();
    let at = lower.find("cheapest ")?;
    let head = lower[..at].trim_end();
    let head = (head
        .strip_suffix(" the")
        .or_else(|| head.strip_suffix(" a")))
    .unwrap_or(head);
    let first = head.split(' ').next().unwrap_or_default();
    if !ASKING_FOR.contains(&first) || head.ends_with(" is") || head.contains("what") {
        return None;
    }
    let tail = &lower[at + "cheapest ".len()..];
    // The kind ends where where it goes, or when, begins.
    let end = [" to ", " for ", " delivered", ", ", " please", " asap"]
        .iter()
        .filter_map(|sep| tail.find(sep))
        .min()
        .unwrap_or(tail.len());
    let (kind, rest) = tail.split_at(end);
    let (merchant, name, ..) = cheapest(kind.trim(), &catalogs(registry))?;
    Some(format!("{head} 1 {name} from {merchant}{rest}").to_lowercase())
}

/// The cheapest thing of the kind `what` says, of every catalog (or of
/// the merchant named): its merchant, name, price and currency.
fn cheapest(what: &str, catalogs: &[&Catalog]) -> Option<(String, String, i64, String)> {
    let (what, at) = at_merchant(what, catalogs);
    let what = what.trim_end_matches('s');
    // "the cheapest thing at Burger Barn": anything.
    let anything = matches!(
        strip_article(what),
        "thing" | "item" | "dish" | "option" | "one" | "food" | ""
    );
    (catalogs.iter())
        .flat_map(|catalog| {
            if anything {
                let all = (catalog.merchants.iter()).flat_map(|m| {
                    (m.items.iter()).map(|(name, price)| (m.name.as_str(), name.as_str(), *price))
                });
                return all
                    .map(|(merchant, name, price)| {
                        (
                            merchant.to_owned(),
                            name.to_owned(),
                            price,
                            catalog.currency.clone(),
                        )
                    })
                    .collect::<Vec<_>>();
            }
            let singular = matching_kind(what, catalog);
            let found = match singular.is_empty() {
                true => matching_kind(&format!("{what}s"), catalog),
                false => singular,
            };
            (found.into_iter())
                .map(|(merchant, name, price)| {
                    (
                        merchant.to_owned(),
                        name.to_owned(),
                        price,
                        catalog.currency.clone(),
                    )
                })
                .collect()
        })
        .filter(|(merchant, ..)| at.is_none_or(|m| m == merchant))
        .min_by_key(|(_, _, price, _)| *price)
}

/// "milk and eggs", found as no one thing: each answered in turn.
fn each_of(what: &str, answer: impl Fn(&str) -> String) -> Option<String> {
    let parts: Vec<&str> = what
        .split(" and ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (parts.len() > 1).then(|| parts.into_iter().map(answer).collect::<Vec<_>>().join(" "))
}

fn strip_article(text: &str) -> &str {
    let t = text.trim().trim_end_matches(['?', '.', '!']).trim();
    for article in ["a ", "an ", "the ", "some ", "any ", "one "] {
        // `get`: the article's length may end inside a character ("soΚe").
        if t.len() > article.len()
            && t.get(..article.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(article))
        {
            return &t[article.len()..];
        }
    }
    t
}

fn price(what: &str, catalogs: &[&Catalog]) -> String {
    // "the dumplings at Dragon Wok": that place's price.
    let (what, at) = at_merchant(what, catalogs);
    // "3 lattes": three of them, priced together.
    let (count, what) = match what.split_once(' ') {
        Some((n, rest)) => match crate::reading::words::number(&n.to_lowercase()) {
            Some(n) if n > 1 && n <= 50 => (n, rest),
            _ => (1, what),
        },
        None => (1, what),
    };
    let mut said = Vec::new();
    for catalog in catalogs {
        for (merchant, name, price) in matching(what, catalog) {
            if at.is_some_and(|m| m != merchant) {
                continue;
            }
            let money = |amount: i64| format_money(amount, &catalog.currency);
            said.push(match count {
                1 => format!("{name} is {} at {merchant}", money(price)),
                n => format!(
                    "{n} × {name} are {} at {merchant} ({} each)",
                    money(price * i64::from(n)),
                    money(price)
                ),
            });
        }
    }
    said.truncate(4);
    if said.is_empty() {
        if let Some(each) = each_of(what, |part| price(part, catalogs)) {
            return each;
        }
        return format!(
            "I couldn't find {} on any menu or shelf I know.",
            strip_article(what)
        );
    }
    let mut text = list(&said);
    text.push('.');
    capitalised(&text)
}

/// `what` without " at <a merchant>" and that merchant's name.
fn at_merchant<'a, 'c>(what: &'a str, catalogs: &'c [&'c Catalog]) -> (&'a str, Option<&'c str>) {
    // ASCII only, so that a position in `lower` is the same in `what`
    // (full lowercasing changes lengths: the Kelvin sign becomes "k").
    let lower = what.to_ascii_lowercase();
    for sep in [" at ", " from "] {
        if let Some(at) = lower.rfind(sep) {
            let named = normalize(&lower[at + sep.len()..]);
            if let Some(merchant) = catalogs.iter().flat_map(|c| &c.merchants).find(|m| {
                let n = normalize(&m.name);
                n == named || n.starts_with(named.trim_end_matches('s')) && named.len() >= 4
            }) {
                return (&what[..at], Some(merchant.name.as_str()));
            }
        }
    }
    (what, None)
}

/// What the open command (or else the last one placed) costs.
fn order_price(session: &SessionState) -> String {
    let summary = session
        .open
        .as_ref()
        .and_then(|o| o.summary.as_ref())
        .map(|s| (s, "That comes to"))
        .or_else(|| {
            session
                .placed
                .last()
                .and_then(|p| p.summary.as_ref())
                .map(|s| (s, "Your last order came to"))
        });
    match summary.and_then(|(s, what)| s.amount().map(|a| (a, s, what))) {
        Some((amount, summary, what)) => format!(
            "{what} {}.",
            format_money(amount, summary.currency.as_deref().unwrap_or("GBP"))
        ),
        None => "Nothing is priced yet: tell me what you'd like and I'll give you the price before anything is ordered.".into(),
    }
}

/// What the last placed command of the kind `named` came to ("taxi":
/// the last ride; "order": the last of any).
fn placed_price(session: &SessionState, named: &str) -> String {
    let words: Vec<&str> = named.split_whitespace().collect();
    let domain = crate::reading::acts::placed_domain(&words);
    let placed = (session.placed.iter().rev()).find(|p| domain.is_none_or(|d| p.domain == d));
    let priced = placed.and_then(|p| {
        let summary = p.summary.as_ref()?;
        Some((p, summary, summary.amount()?))
    });
    match priced {
        Some((placed, summary, amount)) => format!(
            "Your {} came to {}.",
            super::phrasing::describe(&placed.action),
            format_money(amount, summary.currency.as_deref().unwrap_or("GBP"))
        ),
        None => order_price(session),
    }
}

/// "delivery", "the delivery fee", "postage": what bringing it costs.
fn is_delivery(what: &str) -> bool {
    let what = normalize(strip_article(what));
    let what = what
        .trim_end_matches(" for it")
        .trim_end_matches(" for that");
    matches!(
        what,
        "delivery" | "delivery fee" | "delivery charge" | "delivery cost" | "postage" | "shipping"
    )
}

/// What delivering the open order (or else the last one placed) costs.
fn delivery_price(session: &SessionState) -> String {
    let open = (session.open.as_ref()).and_then(|o| o.summary.as_ref());
    let summary = open.or_else(|| session.placed.last().and_then(|p| p.summary.as_ref()));
    let money = |amount: i64, summary: &errand_schemas::Summary| {
        format_money(amount, summary.currency.as_deref().unwrap_or("GBP"))
    };
    match (summary, summary.and_then(|s| s.delivery_fee)) {
        (Some(summary), Some(0)) if open.is_some() => format!(
            "Delivery is free: {} is everything.",
            money(summary.total.unwrap_or_default(), summary)
        ),
        (Some(summary), Some(fee)) if open.is_some() => format!(
            "Delivery is {}, included in the {}.",
            money(fee, summary),
            money(summary.total.unwrap_or(fee), summary)
        ),
        (Some(summary), Some(fee)) => {
            format!("Delivery of your last order was {}.", money(fee, summary))
        }
        _ => "Delivery is priced with the order: tell me what you'd like and I'll show it before anything is ordered.".into(),
    }
}

/// The dishes `act`'s answer lists, in order, each "<dish> from
/// <merchant>" (none when it lists none).
pub fn menu_shown(act: &Act, registry: &DomainRegistry, session: &SessionState) -> Vec<String> {
    let catalogs = catalogs(registry);
    match act {
        Act::Menu(Some(name)) => menu_listing(name, &catalogs).1,
        Act::Menu(None) => (session.open.as_ref())
            .and_then(|open| open.summary.as_ref()?.merchant.clone())
            .filter(|merchant| !merchant.is_empty())
            .map_or_else(Vec::new, |merchant| menu_listing(&merchant, &catalogs).1),
        Act::WhoServes(what) => who_serves_listing(what, &catalogs).1,
        _ => Vec::new(),
    }
}

/// Every dish of `merchant`, each "<dish> from <merchant>".
/// "anything vegetarian?": the promise no menu makes, and the dishes
/// whose own names say the diet ("vegetarian pizza", "veggie burger",
/// "vegetable biryani"), listed so one can be picked ("the second one").
fn named_for_the_diet(
    diet: &str,
    no_promise: &str,
    catalogs: &[&Catalog],
) -> (String, Vec<String>) {
    let words: &[&str] = match diet {
        "vegetarian" | "veggie" => &["vegetarian", "veggie", "vegetable", "vegan"],
        "vegan" => &["vegan"],
        _ => &[],
    };
    let (said, listed): (Vec<String>, Vec<String>) = (catalogs.iter())
        .flat_map(|c| c.merchants.iter())
        .filter(|m| m.kind != "grocery")
        .flat_map(|m| m.items.iter().map(move |(item, _)| (m, item)))
        .filter(|(_, item)| item.split(' ').any(|w| words.contains(&w)))
        .map(|(m, item)| {
            (
                format!("{item} ({})", m.name),
                format!("{item} from {}", m.name),
            )
        })
        .unzip();
    if said.is_empty() {
        return (no_promise.to_owned(), Vec::new());
    }
    (
        format!(
            "{no_promise} These say so in their names: {}.",
            super::phrasing::list(&said)
        ),
        listed,
    )
}

fn dishes_of(merchant: &Merchant) -> Vec<String> {
    (merchant.items.iter())
        .map(|(item, _)| format!("{item} from {}", merchant.name))
        .collect()
}

/// The restaurant named, or the one of the cuisine said ("chinese").
fn merchant_of<'a>(
    catalogs: &[&'a Catalog],
    restaurant: Option<&str>,
    kind: Option<&str>,
) -> Option<(&'a Catalog, &'a Merchant)> {
    (catalogs.iter())
        .flat_map(|c| c.merchants.iter().map(move |m| (*c, m)))
        .find(|(_, m)| {
            restaurant.is_some_and(|r| normalize(&m.name) == normalize(r))
                || kind.is_some_and(|k| normalize(&m.kind) == normalize(k))
        })
}

/// The dishes [`menu_of`] shows, each "<dish> from <merchant>".
pub fn menu_of_dishes(
    registry: &DomainRegistry,
    restaurant: Option<&str>,
    kind: Option<&str>,
) -> Vec<String> {
    merchant_of(&catalogs(registry), restaurant, kind).map_or_else(Vec::new, |(_, m)| dishes_of(m))
}

/// The menu of the restaurant named, or of the one of the cuisine said
/// ("chinese"), when one is: for the question what to order.
pub fn menu_of(
    registry: &DomainRegistry,
    restaurant: Option<&str>,
    kind: Option<&str>,
) -> Option<String> {
    let catalogs = catalogs(registry);
    let merchant = merchant_of(&catalogs, restaurant, kind);
    // "order from pizza express": a restaurant errand does not know is
    // said so, before what it does know.
    let unknown = restaurant.filter(|r| {
        !(catalogs.iter()).any(|c| {
            c.merchants
                .iter()
                .any(|m| normalize(&m.name) == normalize(r))
        })
    });
    let Some((catalog, merchant)) = merchant else {
        return unknown.map(|r| format!("I don't know {r}. {}", merchants(&catalogs)));
    };
    let known = menu_said(catalog, merchant);
    Some(match unknown {
        Some(r) => format!("I don't know {r}. {known}"),
        None => known,
    })
}

/// "Luigi's Pizzeria (italian): margherita pizza £10.99, …."
fn menu_said(catalog: &Catalog, merchant: &Merchant) -> String {
    let items: Vec<String> = (merchant.items.iter())
        .map(|(item, price)| format!("{item} {}", format_money(*price, &catalog.currency)))
        .collect();
    format!(
        "{} ({}): {}.",
        merchant.name,
        merchant.kind,
        items.join(", ")
    )
}

fn menu(name: &str, catalogs: &[&Catalog]) -> String {
    menu_listing(name, catalogs).0
}

/// [`menu`], and the dishes it lists.
fn menu_listing(name: &str, catalogs: &[&Catalog]) -> (String, Vec<String>) {
    match merchant_named(name, catalogs) {
        Some((catalog, merchant)) => (menu_said(catalog, merchant), dishes_of(merchant)),
        None => (
            format!("I don't know {}. {}", name.trim(), merchants(catalogs)),
            Vec::new(),
        ),
    }
}

/// The merchant a menu is asked of by `name`: its name, a part of it, or
/// its first word ("luigi's").
fn merchant_named<'a>(name: &str, catalogs: &[&'a Catalog]) -> Option<(&'a Catalog, &'a Merchant)> {
    let wanted = normalize(strip_article(name));
    let every = || (catalogs.iter()).flat_map(|c| c.merchants.iter().map(move |m| (*c, m)));
    let by_name = every().find(|(_, merchant)| {
        let n = normalize(&merchant.name);
        let first = n.split(' ').next().unwrap_or_default();
        n == wanted
            || n.contains(&wanted) && wanted.len() >= 4
            || wanted.contains(&n)
            || first.len() >= 4 && wanted.starts_with(first.trim_end_matches('s'))
    });
    // "the thai menu", "the pizza place", "the cafe": the one merchant of
    // that kind, or the one whose dishes are called so.
    by_name.or_else(|| {
        let said: Vec<&str> = (wanted.split(' '))
            .filter(|w| {
                !matches!(
                    *w,
                    "place" | "restaurant" | "shop" | "one" | "takeaway" | "menu"
                )
            })
            .collect();
        let [word] = said[..] else {
            return None;
        };
        let word = word.trim_end_matches('s');
        let one = |found: &mut dyn Iterator<Item = (&'a Catalog, &'a Merchant)>| match (
            found.next(),
            found.next(),
        ) {
            (Some(one), None) => Some(one),
            _ => None,
        };
        one(&mut every().filter(|(_, m)| normalize(&m.kind) == word)).or_else(|| {
            one(&mut every().filter(|(_, m)| {
                (m.items.iter()).any(|(item, _)| normalize(item).split(' ').any(|x| x == word))
            }))
        })
    })
}

fn merchants(catalogs: &[&Catalog]) -> String {
    let names: Vec<String> = catalogs
        .iter()
        .flat_map(|c| c.merchants.iter())
        .map(|m| format!("{} ({})", m.name, m.kind))
        .collect();
    if names.is_empty() {
        return "I have no menus to show.".into();
    }
    format!(
        "I can order from {}. Ask \"what's on the menu at {}?\" to see one.",
        list(&names),
        catalogs
            .iter()
            .flat_map(|c| c.merchants.first())
            .map(|m| m.name.clone())
            .next()
            .unwrap_or_default()
    )
}

/// "is Luigi's open?": errand sees no opening hours, and says so; an
/// order finds out at once.
fn hours(asked: &str, catalogs: &[&Catalog]) -> String {
    let asked = normalize(asked);
    match named_merchant(&asked, catalogs) {
        Some(merchant) => format!(
            "I can't see {}'s opening hours. If you order, I'll tell you straight away if they can't take it.",
            merchant.name
        ),
        None => "I'm here any time, but I can't see the shops' and restaurants' opening hours. If you order, I'll tell you straight away if they can't take it.".into(),
    }
}

/// The merchant `said` names: its whole name, or its first word
/// ("luigi's" for Luigi's Pizzeria).
fn named_merchant<'a>(said: &str, catalogs: &'a [&'a Catalog]) -> Option<&'a Merchant> {
    (catalogs.iter().flat_map(|c| &c.merchants)).find(|m| {
        let name = normalize(&m.name);
        let first = name.split(' ').next().unwrap_or_default();
        let short = first.trim_end_matches('s');
        said.contains(&name)
            || short.len() >= 4 && said.split(' ').any(|w| w.trim_end_matches('s') == short)
    })
}

fn who_serves(what: &str, catalogs: &[&Catalog]) -> String {
    who_serves_listing(what, catalogs).0
}

/// [`who_serves`], and the dishes it lists.
fn who_serves_listing(what: &str, catalogs: &[&Catalog]) -> (String, Vec<String>) {
    let wanted = normalize(strip_article(what));
    // "what groceries can you get?": the one shop of that kind, in full.
    let kind = wanted
        .strip_suffix("ies")
        .map(|k| format!("{k}y"))
        .unwrap_or_else(|| wanted.trim_end_matches('s').to_owned());
    if let Some(catalog) = catalogs
        .iter()
        .find(|c| c.merchants.len() == 1 && c.merchants[0].kind == kind)
    {
        return menu_listing(&catalog.merchants[0].name, catalogs);
    }
    // "vegan options at Luigi's": the menus say no diet, so none is
    // promised (a dish named so, "vegetarian pizza", is answered above
    // and below as any dish).
    if let Some(diet) = (wanted.split(' ')).find(|w| crate::reading::acts::DIETS.contains(w))
        && catalogs.iter().all(|c| matching_kind(what, c).is_empty())
    {
        let diet = match diet {
            "gluten" | "dairy" | "lactose" => format!("{diet}-free"),
            "allergens" | "allergies" | "allergy" => "safe for an allergy".to_owned(),
            "coeliac" | "celiac" => "gluten-free".to_owned(),
            _ => diet.to_owned(),
        };
        let named = named_merchant(&wanted, catalogs);
        let no_promise = format!(
            "The menus I order from don't say which dishes are {diet}, so I can't vouch for any of them; please check with the restaurant."
        );
        return match named {
            Some(merchant) => {
                let (menu, listed) = menu_listing(&merchant.name, catalogs);
                (format!("{no_promise} {menu}"), listed)
            }
            None => named_for_the_diet(&diet, &no_promise, catalogs),
        };
    }
    // "anything vegetarian at Burger Barn?": what that place has.
    if let Some(merchant) = catalogs
        .iter()
        .flat_map(|c| &c.merchants)
        .find(|m| wanted.contains(&normalize(&m.name)) && wanted != normalize(&m.name))
    {
        return menu_listing(&merchant.name, catalogs);
    }
    let mut said = Vec::new();
    let mut listed = Vec::new();
    for catalog in catalogs {
        for merchant in &catalog.merchants {
            let by_kind = merchant.kind == wanted || normalize(&merchant.name).contains(&wanted);
            let found: Vec<(&str, i64)> = matching_kind(what, catalog)
                .into_iter()
                .filter(|(m, _, _)| *m == merchant.name)
                .map(|(_, name, price)| (name, price))
                .collect();
            let items: Vec<String> = (found.iter())
                .map(|(name, price)| {
                    format!("{name} ({})", format_money(*price, &catalog.currency))
                })
                .collect();
            if !items.is_empty() && said.len() < 4 {
                listed.extend(
                    found
                        .iter()
                        .map(|(name, _)| format!("{name} from {}", merchant.name)),
                );
            }
            if !items.is_empty() {
                said.push(format!("{} has {}", merchant.name, list(&items)));
            } else if by_kind {
                said.push(format!("{} does {} food", merchant.name, merchant.kind));
            }
        }
    }
    said.truncate(4);
    if said.is_empty() {
        if let Some(each) = each_of(what, |part| who_serves(part, catalogs)) {
            return (each, Vec::new());
        }
        let none = format!(
            "None of the places I order from has {}.",
            strip_article(what)
        );
        return (none, Vec::new());
    }
    (format!("{}.", list(&said)), listed)
}

/// Where the session's last command stands.
fn status(session: &SessionState, state: Option<&CommandState>, now_ms: u64) -> String {
    let Some(state) = state else {
        if let Some(open) = &session.open {
            return format!("Nothing is placed yet. {}", open.question);
        }
        return "You haven't ordered anything yet.".into();
    };
    let what = match state.domain.as_deref() {
        Some("ride") => "Your ride",
        Some("mart") => "Your grocery order",
        _ => "Your order",
    };
    match state.status {
        Status::Confirmed => match &state.result {
            Some(ResultBody::Order(o)) => {
                let gone = now_ms.saturating_sub(state.updated_at_ms) / 60_000;
                let left = u64::from(o.eta_minutes).saturating_sub(gone);
                if left == 0 {
                    format!("{what} from {} should be with you now.", o.merchant)
                } else {
                    let lines: Vec<String> = o.items.iter().map(super::phrasing::line).collect();
                    format!(
                        "{what} from {} ({}) is on its way to {}: about {left} more minutes.",
                        o.merchant,
                        list(&lines),
                        o.address
                    )
                }
            }
            Some(ResultBody::Ride(r)) => match &r.pickup_at {
                Some(at) => format!(
                    "{what} from {} to {} is booked; the driver will be there {}.",
                    r.pickup.name,
                    r.destination.name,
                    say_time(at)
                ),
                None => {
                    let gone = now_ms.saturating_sub(state.updated_at_ms) / 60_000;
                    let left = u64::from(r.eta_minutes).saturating_sub(gone);
                    if left == 0 {
                        format!("Your driver should be at {} now.", r.pickup.name)
                    } else {
                        format!(
                            "Your driver is on the way to {}: about {left} more minutes.",
                            r.pickup.name
                        )
                    }
                }
            },
            _ => format!("{what} is confirmed."),
        },
        Status::Dispatched | Status::Understood => format!("{what} is being placed right now."),
        Status::Failed => format!(
            "{what} didn't go through: {}",
            state
                .error
                .as_ref()
                .map_or("something went wrong.", |e| e.message.as_str())
        ),
        Status::Cancelled => format!("{what} was cancelled."),
        Status::AwaitingConfirmation => {
            // "how long will it take?" at the confirmation: what the quote
            // said, once it is placed.
            let quoted = (session.open.as_ref())
                .filter(|open| open.trace_id == state.trace_id)
                .and_then(|open| open.summary.as_ref());
            // A ride's quote says how long the drive is.
            let drive = quoted
                .and_then(|s| s.journey_minutes)
                .map(|m| format!(" The drive takes about {m} minutes once you're picked up."))
                .unwrap_or_default();
            match quoted.and_then(|s| s.eta_minutes.map(|eta| (eta, s.pickup_at.as_deref()))) {
                Some((_, Some(at))) => format!(
                    "{what} isn't booked yet: once you say yes, the driver will be there {}.{drive}",
                    say_time(at)
                ),
                Some((eta, None)) => {
                    format!(
                        "{what} isn't placed yet: once you say yes, about {eta} minutes.{drive}"
                    )
                }
                None if !drive.is_empty() => format!("{what} isn't booked yet.{drive}"),
                None => format!("{what} is waiting for your answer."),
            }
        }
        // ("how long will it take?", asked where it goes: when that is
        // known, before anything is placed.)
        Status::AwaitingClarification => format!(
            "{what} isn't placed yet: once you've answered, I'll tell you how long it takes \
             before you confirm."
        ),
        _ => format!("{what} is {}.", state.status.as_str().replace('_', " ")),
    }
}

pub(crate) fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::food::FoodAgent;
    use crate::agents::mart::MartAgent;
    use crate::agents::ride::RideAgent;

    fn registry() -> DomainRegistry {
        DomainRegistry::new()
            .with(FoodAgent::simulated())
            .with(RideAgent::simulated())
            .with(MartAgent::simulated())
    }

    fn ask(act: Act) -> String {
        let session = SessionState::new("s".into(), "demo");
        answer(&act, &registry(), &session, None, 0).unwrap_or_default()
    }

    #[test]
    fn catalog_questions() {
        assert_eq!(
            ask(Act::Price("a cheeseburger".into())),
            "Cheeseburger is £8.99 at Burger Barn."
        );
        assert!(ask(Act::Price("milk".into())).contains("£1.29 at errand Mart"));
        let both = ask(Act::Price("milk and eggs".into()));
        assert!(
            both.contains("£1.29 at errand Mart") && both.contains("£2.89"),
            "{both}"
        );
        assert!(
            ask(Act::Price("unicorn steak".into())).starts_with("I couldn't find unicorn steak")
        );
        let menu = ask(Act::Menu(Some("Dragon Wok".into())));
        assert!(
            menu.starts_with("Dragon Wok (chinese): kung pao chicken £11.49"),
            "{menu}"
        );
        assert!(ask(Act::WhoServes("sushi".into())).starts_with("Sakura Sushi has sushi platter"));
        // A diet no menu marks is never promised; a dish named so is a dish.
        let vegan = ask(Act::WhoServes("vegan options at luigi's".into()));
        assert!(
            vegan.starts_with("The menus I order from don't say which dishes are vegan")
                && vegan.contains("Luigi's Pizzeria (italian)"),
            "{vegan}"
        );
        assert!(
            ask(Act::WhoServes("a vegetarian pizza".into()))
                .starts_with("Luigi's Pizzeria has vegetarian pizza")
        );
        let pizzas = ask(Act::WhoServes("pizzas".into()));
        assert!(
            pizzas.contains("margherita pizza") && pizzas.contains("pepperoni pizza"),
            "{pizzas}"
        );
        assert!(
            ask(Act::WhoServes("italian".into())).contains("Luigi's Pizzeria does italian food")
        );
        assert_eq!(
            ask(Act::Price("the fries at burger barn".into())),
            "Fries is £3.49 at Burger Barn."
        );
        assert!(ask(Act::WhoServes("groceries".into())).starts_with("errand Mart (grocery): milk"));
        // Two things, each asked about.
        let both = ask(Act::WhoServes("milk and eggs".into()));
        assert!(both.starts_with("errand Mart has milk (£1.29). "), "{both}");
        assert!(ask(Act::WhoServes("any salmon".into())).contains("errand Mart has salmon"));
        assert!(both.contains("errand Mart has eggs (£2.89)"), "{both}");
        let at = ask(Act::WhoServes("anything vegetarian at burger barn".into()));
        assert!(
            at.starts_with("The menus I order from don't say which dishes are vegetarian")
                && at.contains("Burger Barn (american): "),
            "{at}"
        );
    }

    #[test]
    fn what_errand_can_do_comes_from_the_registry() {
        let help = ask(Act::Help);
        assert!(help.starts_with("I can order food for delivery"), "{help}");
        assert!(help.contains("book rides"), "{help}");
        assert!(help.contains("deliver groceries"), "{help}");
        assert!(ask(Act::Status).contains("haven't ordered"));
    }

    #[test]
    fn a_question_in_any_script_is_answered_not_a_panic() {
        // Found by the conversation fuzz target: the length of an article
        // ("an ") ended inside the Greek capital kappa of "doΚ", and
        // slicing there panicked.
        let menu = ask(Act::Menu(Some("doΚ; me".into())));
        assert!(
            menu.starts_with("I don't know doΚ; me. I can order from"),
            "{menu}"
        );
        assert!(ask(Act::Price("anΚ".into())).starts_with("I couldn't find anΚ"));
        assert!(ask(Act::WhoServes("thΚ".into())).starts_with("None of the places"));

        // The Kelvin sign lowercases to one byte from three: the place
        // found in the lowercased words must not cut the original inside it.
        let kelvin = ask(Act::Price("\u{212A}\u{212A} at burger barn".into()));
        assert!(kelvin.starts_with("I couldn't find"), "{kelvin}");
        assert_eq!(
            ask(Act::Price("THE FRIES AT BURGER BARN".into())),
            "Fries is £3.49 at Burger Barn."
        );
    }
}
