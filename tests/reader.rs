//! The offline reader (`errand-nlu`) with errand's own catalog: what the
//! rule reader and the committed model make of everyday requests.

use errand_actors::nlu::Parse;
use errand_schemas::SlotValue;

/// The items of a parse, with their quantities.
fn items(p: &Parse) -> Vec<(String, u32)> {
    p.slots
        .get("item")
        .and_then(SlotValue::as_items)
        .map(|items| items.iter().map(|i| (i.name.clone(), i.quantity)).collect())
        .unwrap_or_default()
}

/// A slot's text, if the parse has it.
fn text<'a>(p: &'a Parse, slot: &str) -> Option<&'a str> {
    p.slots.get(slot).and_then(SlotValue::as_text)
}

mod rules {
    use super::{items, text};
    use errand_actors::agents::catalog::lexicon;
    use errand_actors::nlu::{Context, Intent, Parse, RuleNlu, Understand};
    use errand_schemas::SlotValue;

    fn parse(text: &str) -> Parse {
        RuleNlu::new(lexicon()).parse(text, &Context::default())
    }

    #[test]
    fn common_phrasings() {
        let p = parse("order me a burger");
        assert_eq!(p.intent, Intent::OrderFood);
        assert_eq!(items(&p), [("burger".to_owned(), 1)]);
        assert!(
            text(&p, "restaurant").is_none(),
            "\"burger\" names food, not Burger Barn"
        );
        assert!(text(&p, "address").is_none());

        let p = parse("I'd like 2 cheeseburgers and a coke delivered to 221B Baker Street");
        assert_eq!(p.intent, Intent::OrderFood);
        assert_eq!(
            items(&p),
            [("cheeseburgers".to_owned(), 2), ("coke".to_owned(), 1)]
        );
        assert_eq!(text(&p, "address"), Some("221B Baker Street"));

        let p = parse("book a cab from home to the airport");
        assert_eq!(p.intent, Intent::BookRide);
        assert_eq!(text(&p, "pickup"), Some("home"));
        assert_eq!(text(&p, "destination"), Some("the airport"));

        let p = parse("get me an XL taxi to King's Cross for 5 people at 6pm");
        assert_eq!(p.intent, Intent::BookRide);
        assert_eq!(text(&p, "destination"), Some("King's Cross"));
        assert_eq!(text(&p, "ride_type"), Some("xl"));
        assert_eq!(p.slots.get("seats"), Some(&SlotValue::Number(5)));
        assert_eq!(text(&p, "time"), Some("6pm"));

        let p = parse("buy milk and eggs");
        assert_eq!(p.intent, Intent::OrderMart);
        assert_eq!(items(&p), [("milk".to_owned(), 1), ("eggs".to_owned(), 1)]);

        let p = parse("can you order a pepperoni pizza from Luigi's Pizzeria to my place");
        assert_eq!(p.intent, Intent::OrderFood);
        assert_eq!(text(&p, "restaurant"), Some("Luigi's Pizzeria"));
        assert_eq!(text(&p, "address"), Some("my place"));
    }

    #[test]
    fn where_a_ride_starts_and_ends() {
        let p = parse("a taxi between the Scott Polar Museum and the Curry Garden");
        assert_eq!(text(&p, "pickup"), Some("the Scott Polar Museum"), "{p:?}");
        assert_eq!(text(&p, "destination"), Some("the Curry Garden"), "{p:?}");

        // Between two times is when, and the place is still where to.
        let p = parse("a taxi to the airport between 5 and 6pm");
        assert_eq!(text(&p, "destination"), Some("the airport"), "{p:?}");
        assert_eq!(text(&p, "pickup"), None, "{p:?}");

        let p = parse("get me a lyft home from the Red Lion");
        assert_eq!(text(&p, "destination"), Some("home"), "{p:?}");
        assert_eq!(text(&p, "pickup"), Some("the Red Lion"), "{p:?}");
        let p = parse("I need a taxi at the Saffron Brasserie after 14:45");
        assert_eq!(text(&p, "pickup"), Some("the Saffron Brasserie"), "{p:?}");
        let p = parse("I need a taxi at 14:45 to the station");
        assert_eq!(text(&p, "pickup"), None, "{p:?}");
        let p = parse("look for a taxi to go home");
        assert_eq!(text(&p, "destination"), Some("home"), "{p:?}");
        let p = parse("a taxi from home to the airport");
        assert_eq!(text(&p, "destination"), Some("the airport"), "{p:?}");

        let p = parse("I need a taxi to come to the Hilton and take me to the airport");
        assert_eq!(text(&p, "pickup"), Some("the Hilton"), "{p:?}");
        assert_eq!(text(&p, "destination"), Some("the airport"), "{p:?}");

        // Without a car, coming somewhere is where the person goes.
        let p = parse("I need a ride, I have to come to the office");
        assert_eq!(text(&p, "destination"), Some("the office"), "{p:?}");

        // "and" inside a name, and "and" after one.
        let p = parse("a taxi from the Cow Pizza Kitchen and Bar to the station");
        assert_eq!(
            text(&p, "pickup"),
            Some("the Cow Pizza Kitchen and Bar"),
            "{p:?}"
        );
        let p = parse("a taxi to the airport and bill me");
        assert_eq!(text(&p, "destination"), Some("the airport"), "{p:?}");
        let p = parse("a taxi to the airport and back");
        assert_eq!(text(&p, "destination"), Some("the airport"), "{p:?}");
        let p = parse("I need a taxi to gourmet burger kitchen going from hamilton lodge");
        assert_eq!(
            text(&p, "destination"),
            Some("gourmet burger kitchen"),
            "{p:?}"
        );
        assert_eq!(text(&p, "pickup"), Some("hamilton lodge"), "{p:?}");

        let p = parse("I'm at Jesus College and I need a taxi to arrive by 18:00");
        assert_eq!(text(&p, "pickup"), Some("Jesus College"), "{p:?}");
        let p =
            parse("I need a cab. I want to be picked up at the museum and should arrive by 9:00");
        assert_eq!(text(&p, "pickup"), Some("the museum"), "{p:?}");

        // "hours" after a number is when, not opening hours.
        let p = parse("book a taxi in two hours");
        assert_eq!(p.intent, Intent::BookRide, "{p:?}");
    }

    #[test]
    fn out_of_scope_never_orders() {
        for t in [
            "what's the weather tomorrow",
            "book a table for two at an italian restaurant",
            "buy a train ticket to Manchester",
            "where is my order",
            "how do I make a burger",
            "tell me a joke",
            "set an alarm for 7am",
            "add milk to my shopping list",
            "brew some coffee",
            "make me a cup of coffee",
            "hello",
        ] {
            assert_eq!(parse(t).intent, Intent::OutOfScope, "{t}");
        }
    }

    #[test]
    fn dialogue_turns() {
        let nlu = RuleNlu::new(lexicon());
        let food = Context {
            open_action: Some("order_food".into()),
            missing: vec!["address".into()],
        };
        let p = nlu.parse("221B Baker Street", &food);
        assert_eq!(
            p.answer.get("address"),
            Some(&SlotValue::Text("221B Baker Street".into()))
        );
        let p = nlu.parse("to the office", &food);
        assert_eq!(
            p.answer.get("address"),
            Some(&SlotValue::Text("the office".into()))
        );
        let p = nlu.parse("actually make it two burgers", &food);
        assert!(p.correction);
        assert_eq!(
            p.answer
                .get("item")
                .and_then(SlotValue::as_items)
                .map(|i| i[0].quantity),
            Some(2)
        );
        assert!(nlu.parse("never mind", &food).cancel);
        let ride = Context {
            open_action: Some("book_ride".into()),
            missing: vec!["seats".into()],
        };
        assert_eq!(
            nlu.parse("two seats", &ride).answer.get("seats"),
            Some(&SlotValue::Number(2))
        );
        let pickup = Context {
            open_action: Some("book_ride".into()),
            missing: vec!["pickup".into()],
        };
        assert_eq!(
            nlu.parse("from home", &pickup).answer.get("pickup"),
            Some(&SlotValue::Text("home".into()))
        );
        let p = nlu.parse("actually book me a cab to the airport", &food);
        assert_eq!(p.intent, Intent::BookRide);
        // Said inside a ride's dialogue, running out of something is no
        // new grocery order.
        let pickup = Context {
            open_action: Some("book_ride".into()),
            missing: vec!["pickup".into()],
        };
        let p = nlu.parse("i'm out of the gym at 6", &pickup);
        assert_ne!(p.intent, Intent::OrderMart, "{p:?}");
        let p = nlu.parse("we've run out of milk", &pickup);
        assert_ne!(p.intent, Intent::OrderMart, "{p:?}");
    }
}

mod trained {
    use super::{items, text};
    use errand_actors::agents::catalog::lexicon;
    use errand_actors::nlu::{
        Context, Intent, LabelledLine, ModelError, NluModel, TrainOptions, TrainedNlu, Understand,
    };
    use errand_schemas::SlotValue;

    fn reader() -> TrainedNlu {
        TrainedNlu::embedded(lexicon()).expect("the committed model reads")
    }

    #[test]
    fn common_requests() {
        let nlu = reader();
        let none = Context::default();
        let p = nlu.parse("order me a burger", &none);
        assert_eq!(p.intent, Intent::OrderFood);
        assert_eq!(items(&p), [("burger".to_owned(), 1)]);
        assert!(text(&p, "address").is_none());

        let p = nlu.parse(
            "I'd like 2 cheeseburgers and a coke delivered to 221B Baker Street",
            &none,
        );
        assert_eq!(p.intent, Intent::OrderFood);
        assert_eq!(
            items(&p),
            [("cheeseburgers".to_owned(), 2), ("coke".to_owned(), 1)]
        );
        assert_eq!(text(&p, "address"), Some("221B Baker Street"));

        let p = nlu.parse(
            "order a burger from Burger Barn to 221B Baker Street",
            &none,
        );
        assert_eq!(text(&p, "restaurant"), Some("Burger Barn"));
        assert_eq!(items(&p), [("burger".to_owned(), 1)]);

        let p = nlu.parse("book a cab from home to the airport", &none);
        assert_eq!(p.intent, Intent::BookRide);
        assert_eq!(text(&p, "pickup"), Some("home"));
        assert_eq!(text(&p, "destination"), Some("airport"));

        let p = nlu.parse("get me an XL taxi to King's Cross for 5 people", &none);
        assert_eq!(p.intent, Intent::BookRide);
        assert_eq!(text(&p, "destination"), Some("King's Cross"));
        assert_eq!(p.slots.get("seats").and_then(SlotValue::as_number), Some(5));

        let p = nlu.parse("buy milk and eggs", &none);
        assert_eq!(p.intent, Intent::OrderMart);
        assert_eq!(items(&p), [("milk".to_owned(), 1), ("eggs".to_owned(), 1)]);
    }

    #[test]
    fn phrasings_the_data_never_shows() {
        let nlu = reader();
        let none = Context::default();
        let p = nlu.parse("I want sushi delivered to 10 Downing Street", &none);
        assert_eq!(p.intent, Intent::OrderFood, "{p:?}");
        assert_eq!(text(&p, "address"), Some("10 Downing Street"));

        let p = nlu.parse("send 3 bananas to 12 High Street", &none);
        assert_eq!(p.intent, Intent::OrderMart, "{p:?}");
        assert_eq!(items(&p), [("bananas".to_owned(), 3)]);

        let p = nlu.parse("could you order pad thai from Sakura", &none);
        assert_eq!(p.intent, Intent::OrderFood, "{p:?}");
        assert_eq!(items(&p), [("pad thai".to_owned(), 1)]);

        let p = nlu.parse(
            "I need to find a taxi departing from the Hamilton Lodge at 16:15.",
            &none,
        );
        assert_eq!(p.intent, Intent::BookRide, "{p:?}");
        assert_eq!(text(&p, "pickup"), Some("Hamilton Lodge"));
        assert_eq!(text(&p, "time"), Some("16:15"));
        assert!(!p.slots.contains_key("seats"), "16:15 is no count: {p:?}");

        let p = nlu.parse(
            "I need a taxi to pick me up from the fez club. Can you help?",
            &none,
        );
        // The place ends with its sentence.
        assert!(
            text(&p, "pickup").is_some_and(|place| place.ends_with("fez club")),
            "{p:?}"
        );

        let p = nlu.parse(
            "I need a taxi between the Scott Polar Museum and the Curry Garden",
            &none,
        );
        assert_eq!(text(&p, "pickup"), Some("Scott Polar Museum"), "{p:?}");
        assert_eq!(text(&p, "destination"), Some("Curry Garden"), "{p:?}");

        let p = nlu.parse("Please book me a taxi to come to Rajmahal by 22:30.", &none);
        assert_eq!(text(&p, "pickup"), Some("Rajmahal"), "{p:?}");
        assert!(!p.slots.contains_key("destination"), "{p:?}");

        let p = nlu.parse(
            "I need a taxi to take me to Museum of Classical Archaeology to leave after 15:15.",
            &none,
        );
        assert_eq!(
            text(&p, "destination"),
            Some("Museum of Classical Archaeology"),
            "{p:?}"
        );
        assert!(!p.slots.contains_key("pickup"), "{p:?}");

        // How long, not how many; and "hours" is no opening hours here.
        let p = nlu.parse("book a taxi in two hours", &none);
        assert_eq!(p.intent, Intent::BookRide, "{p:?}");
        assert!(!p.slots.contains_key("seats"), "{p:?}");

        // Food in general names no dish: errand asks which.
        let p = nlu.parse("order some takeaway food", &none);
        assert_eq!(p.intent, Intent::OrderFood, "{p:?}");
        assert!(!p.slots.contains_key("item"), "{p:?}");

        let p = nlu.parse("can I get a coffee and a croissant", &none);
        assert_eq!(p.intent, Intent::OrderFood, "{p:?}");
        assert_eq!(
            items(&p),
            [("coffee".to_owned(), 1), ("croissant".to_owned(), 1)]
        );
        // Goods the shop knows by name, and others beside them.
        let p = nlu.parse("buy shampoo and conditioner", &none);
        assert_eq!(
            items(&p),
            [("shampoo".to_owned(), 1), ("conditioner".to_owned(), 1)]
        );
        let p = nlu.parse("get me a pack of AA batteries", &none);
        assert_eq!(items(&p), [("batteries".to_owned(), 1)], "{p:?}");
        let p = nlu.parse("order 2 bags of rice and a bottle of olive oil", &none);
        assert_eq!(
            items(&p),
            [("rice".to_owned(), 2), ("olive oil".to_owned(), 1)],
            "{p:?}"
        );
        let p = nlu.parse("get me some groceries: apples, pasta and tomatoes", &none);
        assert_eq!(p.intent, Intent::OrderMart, "{p:?}");
        assert!(
            !items(&p).iter().any(|(name, _)| name.contains("groceries")),
            "{p:?}"
        );
        let p = nlu.parse("order a phone charger", &none);
        assert_eq!(p.intent, Intent::OrderMart, "{p:?}");
        assert_eq!(items(&p), [("phone charger".to_owned(), 1)]);

        // A street's kind ends its name; a pool in a name is no shared ride.
        let p = nlu.parse(
            "i need a ride to 1400 walnut creek avenue and i prefer a shared ride",
            &none,
        );
        assert_eq!(
            text(&p, "destination"),
            Some("1400 walnut creek avenue"),
            "{p:?}"
        );
        let p = nlu.parse("Can you find me a taxi to parkside outdoor pool?", &none);
        assert_eq!(
            text(&p, "destination"),
            Some("parkside outdoor pool"),
            "{p:?}"
        );
        assert!(!p.slots.contains_key("ride_type"), "{p:?}");

        // "By 5" is when, not how many.
        let p = nlu.parse(
            "I need a taxi to the airport, I have to be there by 5",
            &none,
        );
        assert_eq!(p.intent, Intent::BookRide, "{p:?}");
        assert!(!p.slots.contains_key("seats"), "{p:?}");
        // "My order list" is no address.
        let p = nlu.parse("please add 3 soda to my order list", &none);
        assert_eq!(p.intent, Intent::OrderFood, "{p:?}");
        assert!(!p.slots.contains_key("address"), "{p:?}");

        // A count with a thing after it is an order, not arithmetic.
        let p = nlu.parse("3 pies", &none);
        assert_eq!(p.intent, Intent::OrderFood, "{p:?}");
        assert_eq!(items(&p), [("pies".to_owned(), 3)]);
    }

    #[test]
    fn requests_the_model_alone_might_decline() {
        let nlu = reader();
        let none = Context::default();
        for (t, intent) in [
            ("I'm hungry, get me some food", Intent::OrderFood),
            ("can you grab me a coffee", Intent::OrderFood),
            // A lift asked for without naming a vehicle.
            (
                "I need a car to take me to the hospital now",
                Intent::BookRide,
            ),
            ("send a car to pick me up at the office", Intent::BookRide),
            (
                "I'd like to be picked up at the Hilton at 5pm and taken to the airport",
                Intent::BookRide,
            ),
            // An app to open is no opening hours.
            (
                "open the uber app and get me a car please",
                Intent::BookRide,
            ),
            // Food both readers see, and food delivered anywhere.
            (
                "I would like the salmon sushi roll and miso soup",
                Intent::OrderFood,
            ),
            (
                "I need a pizza delivered to my office by noon",
                Intent::OrderFood,
            ),
            // A cold brew is a drink, and coffee with a count an order.
            ("2 cold brew frozen coffee please", Intent::OrderFood),
            ("order 2 coffees", Intent::OrderFood),
            // A whole shopping list bought.
            ("order all items on the list", Intent::OrderMart),
            (
                "please get everything on my shopping list",
                Intent::OrderMart,
            ),
            (
                "i would like all of these things on my shopping list ordered",
                Intent::OrderMart,
            ),
            // Goods asked for in so many words, which the model alone is
            // 0.7 to 0.9 sure of.
            ("order some wet wipes", Intent::OrderMart),
            // Something a shop sells has run out.
            ("we've run out of loo roll", Intent::OrderMart),
            ("alexa, i'm running low on milk", Intent::OrderMart),
            // A question that asks for a ride all the same.
            (
                "is it possible to get a taxi to the airport at 6",
                Intent::BookRide,
            ),
            (
                "do you mind booking me a cab to the station",
                Intent::BookRide,
            ),
            (
                "when i land at heathrow book me a cab to the hilton",
                Intent::BookRide,
            ),
        ] {
            assert_eq!(nlu.parse(t, &none).intent, intent, "{t:?}");
        }
    }

    #[test]
    fn out_of_scope_never_orders() {
        let nlu = reader();
        for t in [
            "what's the weather tomorrow",
            "book a table for two at an italian restaurant",
            "buy a train ticket to Manchester",
            "where is my order",
            "how do I make a burger",
            "add milk to my shopping list",
            "tell me a joke",
            "set an alarm for 7am",
            "can you add 5 and 89",
            "add 5 please",
            "I'm looking for a restaurant, get me one that does sushi",
            // Words no order says, whatever else is said.
            "i need a reminder to order cookies",
            "can you spell hamburger",
            "send a message to peter telling him to pick up milk",
            "remember to pick me up from the airport at noon",
            "can I get a good place for afternoon tea",
            "is the burger place open now",
            "show everything on my to buy list",
            "please get rid of everything on my to do list",
            "email george about the pizza order",
            // Running out of what no shop sells.
            "i'm out of my mind",
            "i'm out of hospital",
            "we're low on staff today",
            "i'm low on blood sugar",
            "we're out of the woods",
            "we ran out of petrol",
            // A request taken back.
            "don't order milk, we've got loads",
            "no need to buy bread this week",
            // Questions about a ride, with a verb of asking inside.
            "what's the number for calling a cab",
            "why book a cab when the bus is free",
            "where's the taxi rank? i'll get one there",
            "did you get me a taxi",
            // An order already placed.
            "was the order delivered",
            "when will my pizza order arrive",
            // A coffee machine's job.
            "brew some coffee",
            "start up the coffee machine",
            "please make me a cup of tea",
            "prepare my morning coffee",
            "hello",
            "",
            "   ",
        ] {
            let p = nlu.parse(t, &Context::default());
            assert_eq!(p.intent, Intent::OutOfScope, "{t:?}");
            assert!(p.slots.is_empty(), "{t:?}");
        }
    }

    #[test]
    fn answers_inside_a_dialogue() {
        let nlu = reader();
        let food = Context {
            open_action: Some("order_food".into()),
            missing: vec!["address".into()],
        };
        let p = nlu.parse("221B Baker Street", &food);
        assert_eq!(
            p.answer.get("address"),
            Some(&SlotValue::Text("221B Baker Street".into()))
        );
        assert!(nlu.parse("never mind", &food).cancel);
        let p = nlu.parse("what's the weather like", &food);
        assert!(p.answer.is_empty(), "a question is no answer: {p:?}");
        let ride = Context {
            open_action: Some("book_ride".into()),
            missing: vec!["seats".into()],
        };
        assert_eq!(
            nlu.parse("two seats", &ride)
                .answer
                .get("seats")
                .and_then(SlotValue::as_number),
            Some(2)
        );
        let p = nlu.parse("actually book me a cab to the airport", &food);
        assert_eq!(p.intent, Intent::BookRide);
        // Said inside a ride's dialogue, running out of something is no
        // new grocery order.
        let pickup = Context {
            open_action: Some("book_ride".into()),
            missing: vec!["pickup".into()],
        };
        let p = nlu.parse("i'm out of the gym at 6", &pickup);
        assert_ne!(p.intent, Intent::OrderMart, "{p:?}");
        let p = nlu.parse("we've run out of milk", &pickup);
        assert_ne!(p.intent, Intent::OrderMart, "{p:?}");
    }

    #[test]
    fn verbatim_slots_keep_every_value() {
        let nlu = reader();
        let (_, heard) =
            nlu.parse_verbatim("2 double cheeseburgers and 4 cokes", &Context::default());
        let quantities: Vec<&str> = heard
            .iter()
            .filter(|(n, _)| n == "quantity")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(quantities, ["2", "4"], "{heard:?}");

        // Any other slot keeps its first value, as the parse does.
        let text_said = "I need a cab to the Museum of the African Diaspora, then to Union Square";
        let (_, found) = nlu.read(text_said, &Context::default());
        let tagged = found.iter().filter(|f| f.name == "destination").count();
        assert!(tagged >= 2, "two places are read as where to go: {found:?}");
        let (parse, heard) = nlu.parse_verbatim(text_said, &Context::default());
        let destinations: Vec<&str> = heard
            .iter()
            .filter(|(n, _)| n == "destination")
            .map(|(_, v)| v.as_str())
            .collect();
        assert!(destinations.len() <= 1, "{heard:?}");
        assert_eq!(
            destinations.first().copied(),
            text(&parse, "destination"),
            "{heard:?}"
        );
    }

    fn line(text: &str, intent: &str, slots: &[(&str, &str)]) -> LabelledLine {
        LabelledLine {
            id: serde_json::Value::Null,
            text: text.into(),
            intent: intent.into(),
            slots: slots
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).into())))
                .collect(),
            slots_annotated: true,
            context_dependent: false,
            near_domain: false,
        }
    }

    fn small_model() -> NluModel {
        let mut lines = Vec::new();
        for _ in 0..20 {
            lines.push(line(
                "get me a taxi to the station",
                "book_ride",
                &[("destination", "the station")],
            ));
            lines.push(line(
                "i want two pizzas",
                "order_food",
                &[("quantity", "two"), ("item", "pizzas")],
            ));
            lines.push(line("play some jazz music", "out_of_scope", &[]));
            lines.push(line("what time is it in paris", "out_of_scope", &[]));
        }
        let options = TrainOptions {
            intent_bits: 12,
            tagger_bits: 14,
            generated: 0,
            ..TrainOptions::default()
        };
        let table = errand_actors::nlu::encoder::Table::embedded().expect("the token table");
        NluModel::train(&lines, &options, &lexicon(), table)
    }

    #[test]
    fn training_is_reproducible_and_learns() {
        let model = small_model();
        assert_eq!(
            model.encode(),
            small_model().encode(),
            "same data, same bytes"
        );
        let nlu = TrainedNlu::new(
            NluModel::decode(&model.encode()).expect("round trip"),
            lexicon(),
        );
        let p = nlu.parse("get me a taxi to the station", &Context::default());
        assert_eq!(p.intent, Intent::BookRide);
        assert_eq!(text(&p, "destination"), Some("the station"));
        let p = nlu.parse("play some jazz music", &Context::default());
        assert_eq!(p.intent, Intent::OutOfScope);
    }

    #[test]
    fn a_damaged_model_file_is_refused() {
        let bytes = small_model().encode();
        assert_eq!(
            NluModel::decode(b"not a model").err(),
            Some(ModelError::Magic)
        );
        let mut version = bytes.clone();
        version[8] = 99;
        assert_eq!(
            NluModel::decode(&version).err(),
            Some(ModelError::Version(99))
        );
        for cut in [12, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                matches!(NluModel::decode(&bytes[..cut]), Err(ModelError::Corrupt(_))),
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            NluModel::decode(&longer),
            Err(ModelError::Corrupt(_))
        ));
    }

    #[test]
    fn letters_that_change_length_in_lower_case_are_no_panic() {
        // "İ" lowercases to 3 bytes from 2, the Kelvin sign to 1 from 3: a
        // span found in the lowercased words ran past the end of these.
        let p = reader().parse(
            "order \u{130}\u{130} a pizza to 221b baker street \u{212A}",
            &Context::default(),
        );
        assert!((0.0..=1.0).contains(&p.confidence), "{p:?}");
    }
}
