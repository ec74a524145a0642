//! When a ride is asked for: "at 5pm tomorrow", "tomorrow at 9am", "in 20
//! minutes", "tonight at 8", "on Friday at half past six", "at 17:30", "on
//! December 24th at 10am", "on the 20th", "on 12/12", "at 7ish". Read
//! in the session's time zone and written as RFC 3339 with its offset, so
//! "5pm" in London in July is `…T17:00:00+01:00`.
//!
//! A bare clock time that has passed today means tomorrow; an hour from 1
//! to 6 without am or pm means the afternoon ("at 5" is 5pm). "Now",
//! "asap" and "right away" mean no time at all. A date without its year is
//! the next one to come (this year's, or next year's once it has passed);
//! "the 20th" alone is this month's, or next month's once it has passed; a
//! date in digits is day first ("12/11" is 12 November), as in Britain.

use super::words::{Words, number};
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

/// A time found in an utterance: its RFC 3339 form and the words it took
/// (word indices `from..to`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub rfc3339: String,
    pub from: usize,
    pub to: usize,
    /// What the words said of it: the day, the time of day, and whether
    /// that time left am or pm unsaid. A length of time from now says both.
    pub said: Said,
}

/// What of a time the words said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Said {
    pub day: bool,
    pub clock: bool,
    pub ambiguous: bool,
    /// No day was said and the time had passed today: it is tomorrow's.
    pub passed: bool,
    /// "same time tomorrow", "this time on friday": the time of day it is
    /// now, or in a change the time of day it was before.
    pub same: bool,
}

impl Said {
    const BOTH: Said = Said {
        day: true,
        clock: true,
        ambiguous: false,
        passed: false,
        same: false,
    };
}

/// `later` (RFC 3339, said as `said`), said of what follows the time
/// `before`, made to follow it. With am or pm unsaid, the same clock time
/// twelve hours on, as often as it takes ("back at 11" after a ride at 7pm
/// is 11pm, after one on Friday at 10am Friday's 11am); with them said,
/// the same time whole days on ("back at 9pm" after a ride tomorrow at 6am
/// is tomorrow's 9pm, never 9am). A day said stays as said. `None` when it
/// already follows.
pub fn after(later: &str, before: &str, said: Said, tz: &TimeZone) -> Option<String> {
    match said {
        Said { day: true, .. } | Said { clock: false, .. } => None,
        Said {
            ambiguous: true, ..
        } => stepped_past(later, before, tz, 12.hours(), 16),
        _ => stepped_past(later, before, tz, 1.day(), 8),
    }
}

/// `later` (RFC 3339), said of what follows the time `before`, made to
/// follow it by whole days: the same clock time on the first day after
/// `before` ("8pm" asked after a ride at 6am tomorrow is 8pm tomorrow).
/// `None` when it already follows.
pub fn days_after(later: &str, before: &str, tz: &TimeZone) -> Option<String> {
    stepped_past(later, before, tz, 1.day(), 8)
}

/// `later` moved on by `step`, at most `tries` times, until it follows
/// `before`; `None` when it already does, or never does.
fn stepped_past(
    later: &str,
    before: &str,
    tz: &TimeZone,
    step: jiff::Span,
    tries: usize,
) -> Option<String> {
    let before = before.parse::<Timestamp>().ok()?;
    let mut at = later.parse::<Timestamp>().ok()?.to_zoned(tz.clone());
    if at.timestamp() > before {
        return None;
    }
    for _ in 0..tries {
        at = zoned(at.datetime().checked_add(step).ok()?, tz)?;
        if at.timestamp() > before {
            return Some(rfc3339(&at));
        }
    }
    None
}

/// `found` said as a change to the time `before` (RFC 3339): a day alone
/// keeps the time of day ("sorry, saturday" of a ride at 8am), a time of
/// day alone keeps the day ("make it 5:30" of one tomorrow at 5am), with
/// am or pm, when unsaid, the one nearer the time before.
pub fn change(found: &Found, before: &str, tz: &TimeZone) -> Option<String> {
    let new = found
        .rfc3339
        .parse::<Timestamp>()
        .ok()?
        .to_zoned(tz.clone());
    let old = before.parse::<Timestamp>().ok()?.to_zoned(tz.clone());
    let (date, time) = match (found.said.day, found.said.clock) {
        // ("tomorrow, same time" of a ride at 9:15pm: 9:15pm tomorrow.)
        (true, false) | (true, true) if found.said.same => (new.date(), old.time()),
        (true, false) => (new.date(), old.time()),
        (false, true) => {
            let mut time = new.time();
            if found.said.ambiguous {
                let other = pm(time);
                let minutes = |t: Time| i32::from(t.hour()) * 60 + i32::from(t.minute());
                let gap = |t: Time| {
                    let d = (minutes(t) - minutes(old.time())).abs();
                    d.min(24 * 60 - d)
                };
                if gap(other) < gap(time) {
                    time = other;
                }
            }
            // ("change it to midnight" of a ride at 11pm: the midnight
            // after it, the day of the two nearer the time before.)
            let near = |date: Date| {
                zoned(date.to_datetime(time), tz)
                    .map(|at| (at.timestamp().as_second() - old.timestamp().as_second()).abs())
            };
            let next = old.date().tomorrow().ok();
            match next.filter(|n| near(*n) < near(old.date())) {
                Some(next) => (next, time),
                None => (old.date(), time),
            }
        }
        _ => return Some(found.rfc3339.clone()),
    };
    Some(rfc3339(&zoned(date.to_datetime(time), tz)?))
}

/// The time `before` (RFC 3339) moved by what `text` says: "push it back
/// an hour", "30 mins later", "bring it forward 15 minutes", "half an hour
/// earlier". `None` when it moves nothing ("in 20 minutes" is from now).
pub fn moved(text: &str, before: &str, tz: &TimeZone) -> Option<String> {
    let minutes = moved_by(text)?;
    let old = before.parse::<Timestamp>().ok()?.to_zoned(tz.clone());
    let at = old.checked_add(minutes.minutes()).ok()?;
    Some(rfc3339(&at))
}

/// `minutes` after the time `before` (RFC 3339), or after `now` when
/// there is none ("back 3 hours later" of a ride now).
pub fn minutes_after(
    before: Option<&str>,
    minutes: i64,
    now: Timestamp,
    tz: &TimeZone,
) -> Option<String> {
    let from = match before {
        Some(before) => before.parse::<Timestamp>().ok()?,
        None => now,
    };
    let at = from
        .to_zoned(tz.clone())
        .checked_add(minutes.minutes())
        .ok()?;
    Some(rfc3339(&at))
}

/// Minutes `text` moves a time by ("an hour later": 60, "15 minutes
/// sooner": -15), if it says so.
pub fn moved_by(text: &str) -> Option<i64> {
    let words = Words::new(text);
    let w = words.norm();
    let sign = |x: &str| match x {
        "later" | "back" | "after" | "delay" | "postpone" => Some(1),
        "earlier" | "forward" | "sooner" => Some(-1),
        _ => None,
    };
    let signs: Vec<i64> = w.iter().filter_map(|x| sign(x)).collect();
    let [sign] = signs.as_slice() else {
        return None;
    };
    let minutes = (0..w.len())
        .filter(|&i| i == 0 || !matches!(w[i - 1].as_str(), "in" | "within" | "for"))
        .find_map(|i| duration(w, i).map(|d| d.0))?;
    Some(sign * i64::from(minutes))
}

/// Reads the first time `text` asks for, relative to `now` in `tz`.
pub fn find(text: &str, now: Timestamp, tz: &TimeZone) -> Option<Found> {
    let words = Words::new(text);
    let now = now.to_zoned(tz.clone());
    find_in(&words, &now)
}

/// A clock time as said that no day has ("at 25:00", "7:75pm"): its
/// words, so the person is told rather than the time dropped unsaid.
pub fn no_such_clock(text: &str) -> Option<String> {
    let said: Vec<&str> = (text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '!' | '?')))
    .map(|w| w.trim_end_matches('.'))
    .filter(|w| !w.is_empty())
    .collect();
    (0..said.len())
        .find(|&i| {
            let lower = said[i].to_ascii_lowercase();
            let clock = (lower.strip_suffix("am"))
                .or_else(|| lower.strip_suffix("pm"))
                .unwrap_or(&lower);
            // "7.75" is a clock only where one is said ("at 7.75", "7.75pm");
            // elsewhere it may be a price.
            let at = i > 0 && said[i - 1].eq_ignore_ascii_case("at");
            let Some((h, m)) = clock.split_once(':').or_else(|| {
                clock
                    .split_once('.')
                    .filter(|_| at || clock.len() < lower.len())
            }) else {
                return false;
            };
            let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
                n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
            };
            if !digits(h, 1..=2) || !digits(m, 2..=2) {
                return false;
            }
            let (h, m) = (h.parse::<u32>().unwrap_or(0), m.parse::<u32>().unwrap_or(0));
            let twelve = clock.len() < lower.len();
            m > 59 || h > 24 || (h == 24 && m > 0) || (twelve && (h == 0 || h > 12))
        })
        .map(|i| said[i].to_owned())
}

/// Whether `text` says only "now" ("right now", "asap", "as soon as
/// possible, please"): no time, and no answer to a question for a place.
pub fn is_now(text: &str) -> bool {
    let words = Words::new(text);
    words.norm().iter().any(|w| {
        matches!(
            w.as_str(),
            "now" | "asap" | "immediately" | "away" | "possible"
        )
    }) && words.norm().iter().all(|w| {
        matches!(
            w.as_str(),
            "now"
                | "right"
                | "away"
                | "asap"
                | "immediately"
                | "straight"
                | "as"
                | "soon"
                | "possible"
                | "please"
                | "just"
                | "straightaway"
        )
    })
}

/// Whether `text` asks for now instead of a time said before ("actually,
/// I need it right now", "asap please", "now").
pub fn wants_now(text: &str) -> bool {
    let lower = text.to_lowercase();
    if [
        "right now",
        "asap",
        "immediately",
        "straight away",
        "right away",
        "as soon as possible",
    ]
    .iter()
    .any(|p| lower.contains(p))
    {
        return true;
    }
    let words = Words::new(text);
    let w = words.norm();
    // ("we're 5 now", "it's 3 of us now": how things are now, not when.)
    let how_things_are = w.iter().any(|x| number(x).is_some())
        && w.iter().any(|x| {
            matches!(
                x.as_str(),
                "we're" | "were" | "we" | "us" | "people" | "there's" | "theres" | "it's" | "its"
            )
        });
    !how_things_are
        && w.iter()
            .rev()
            .find(|w| !matches!(w.as_str(), "actually" | "please" | "thanks" | "instead"))
            .is_some_and(|w| w == "now")
}

/// Whether `text` ties when to something that happens, not to a clock:
/// "when I land", "once we're out", "after the meeting", "as soon as my
/// train gets in". errand cannot know when that is, so it asks.
pub fn deferred(text: &str) -> bool {
    const SUBJECTS: &[&str] = &[
        "i",
        "im",
        "ive",
        "we",
        "were",
        "weve",
        "my",
        "our",
        "the",
        "he",
        "she",
        "they",
        "you",
        "your",
        "his",
        "her",
        "their",
        "work",
        "dinner",
        "lunch",
        "breakfast",
        "school",
        "class",
    ];
    let words = Words::new(text);
    let w = words.norm();
    (0..w.len().saturating_sub(1)).any(|i| {
        let ties = match w[i].as_str() {
            "when" | "once" | "after" | "before" => true,
            // "as soon as I land", never "as soon as possible".
            "as" => i >= 2 && w[i - 2] == "as" && w[i - 1] == "soon",
            _ => false,
        };
        ties && SUBJECTS.contains(&w[i + 1].replace('\'', "").as_str())
    }) || (0..w.len()).any(|i| by_the_time(w, i))
        // "a cab home later", "next week", "this weekend": not now, and
        // when is not said.
        || (0..w.len()).any(|i| {
            (w[i] == "later"
                && (i == 0 || number(&w[i - 1]).is_none())
                && !matches!(w.get(i + 1).map(String::as_str), Some("than")))
                || matches!(w[i].as_str(), "weekend" | "sometime")
                || (w[i] == "next"
                    && matches!(w.get(i + 1).map(String::as_str), Some("week" | "month")))
        })
}

/// Whether `text` asks for it again and again: "every weekday at 9am",
/// "each morning", "on mondays", "daily". errand books one at a time, so
/// the first is what it offers.
pub fn repeats(text: &str) -> bool {
    let words = Words::new(text);
    let w = words.norm();
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    let period = |x: &str| {
        matches!(
            x,
            "day"
                | "weekday"
                | "workday"
                | "morning"
                | "afternoon"
                | "evening"
                | "night"
                | "week"
                | "weekend"
                | "month"
        ) || weekday(x).is_some()
    };
    (0..w.len()).any(|i| match word(i) {
        "daily" | "weekly" | "weekdays" | "weekends" | "nightly" | "fortnightly" => true,
        "every" | "each" => {
            let next = if matches!(word(i + 1), "other" | "single" | "working") {
                i + 2
            } else {
                i + 1
            };
            period(word(next)) || (word(next) == "working" && word(next + 1) == "day")
        }
        // "on mondays", "mondays at 8".
        _ => plural_weekday(w, i).is_some(),
    })
}

/// "on mondays": a day's name said of every such day (word `i`; "tgi
/// fridays" is no day).
fn plural_weekday(w: &[String], i: usize) -> Option<Weekday> {
    let on = i > 0 && matches!(w[i - 1].as_str(), "on" | "every" | "each" | "all");
    (w[i].strip_suffix('s'))
        .filter(|d| on && d.ends_with("day"))
        .and_then(weekday)
}

/// Whether `text` asks for it on weekdays only ("every weekday", "on
/// working days", "weekdays at 8").
fn on_weekdays(w: &[String]) -> bool {
    w.iter().enumerate().any(|(i, x)| {
        matches!(x.as_str(), "weekday" | "weekdays" | "workday" | "workdays")
            || (x == "working" && w.get(i + 1).is_some_and(|d| d.starts_with("day")))
    })
}

/// Whether the time said at word `i` is when to be there by ("by 9am",
/// "before 10", "no later than 6pm"), not when to leave.
pub fn by_the_time(w: &[String], i: usize) -> bool {
    let clock = w.get(i).is_some_and(|x| {
        x.starts_with(|c: char| c.is_ascii_digit())
            || number(x).is_some()
            || matches!(x.as_str(), "noon" | "midday" | "midnight")
    });
    // "catch a 6pm train", "my flight is at 9am", "it leaves at 2pm": when
    // something else leaves.
    let departs = |x: &str| {
        matches!(
            x,
            "train"
                | "flight"
                | "plane"
                | "eurostar"
                | "leaves"
                | "departs"
                | "boarding"
                | "boards"
                | "takeoff"
                | "check-in"
                | "checkin"
        )
    };
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    // "a 6pm train", "flight at 9", "my flight is at 9am", "it leaves at 2".
    let near = departs(word(i + 1))
        || (i >= 2 && word(i - 1) == "at" && departs(word(i - 2)))
        || (i >= 3 && word(i - 1) == "at" && word(i - 2) == "is" && departs(word(i - 3)));
    clock
        && i > 0
        && (matches!(w[i - 1].as_str(), "by" | "before")
            || (i > 1 && w[i - 2] == "later" && w[i - 1] == "than")
            || near)
}

/// Reads `text` as a time on its own ("tomorrow at 5pm", or an RFC 3339
/// time as a model may write it).
pub fn parse(text: &str, now: Timestamp, tz: &TimeZone) -> Option<String> {
    if let Ok(at) = text.trim().parse::<Timestamp>() {
        return Some(rfc3339(&at.to_zoned(tz.clone())));
    }
    find(text, now, tz).map(|f| f.rfc3339)
}

fn rfc3339(at: &Zoned) -> String {
    at.timestamp().display_with_offset(at.offset()).to_string()
}

fn find_in(words: &Words, now: &Zoned) -> Option<Found> {
    let w = words.norm();
    // "in 20 minutes", "in an hour", "in half an hour", "in 2 hours"; "in
    // 15" at the end of the words, minutes.
    for i in 0..w.len() {
        let bare_minutes = || {
            let n = w.get(i + 1)?;
            let n = n.parse::<u32>().ok().or_else(|| number(n))?;
            // ("cab to work in 10 from home": the places go on after it.)
            let ends = (w[i + 2..].iter()).all(|x| {
                matches!(
                    x.as_str(),
                    "please" | "pls" | "thanks" | "then" | "or" | "so"
                )
            }) || matches!(
                w.get(i + 2).map(String::as_str),
                Some("from" | "to" | "for" | "with" | "and")
            );
            ((5..=60).contains(&n) && ends).then_some((n, i + 2))
        };
        // ("in like 20 mins", "in about an hour".)
        let said_from = (i + 1..w.len())
            .find(|&k| {
                !matches!(
                    w[k].as_str(),
                    "like" | "about" | "around" | "roughly" | "say" | "maybe" | "just"
                )
            })
            .unwrap_or(i + 1);
        if w[i] == "in"
            && let Some((minutes, to)) = duration(w, said_from).or_else(bare_minutes)
        {
            let at = now.checked_add((minutes as i64).minutes()).ok()?;
            return Some(Found {
                rfc3339: rfc3339(&round_to_minute(&at)),
                from: i,
                to,
                said: Said::BOTH,
            });
        }
    }
    // "15 minutes", "about an hour", "20 mins from now": a length of time
    // said alone, as the answer to "when?", is from now.
    let filler = |x: &String| {
        matches!(
            x.as_str(),
            "about" | "around" | "roughly" | "maybe" | "say" | "like" | "um" | "erm" | "just"
        )
    };
    let first = w.iter().position(|x| !filler(x)).unwrap_or(w.len());
    if let Some((minutes, to)) = duration(w, first)
        && w[to..].iter().all(|x| {
            matches!(
                x.as_str(),
                "from" | "now" | "time" | "please" | "thanks" | "or" | "so" | "max" | "tops"
            )
        })
    {
        let at = now.checked_add((minutes as i64).minutes()).ok()?;
        return Some(Found {
            rfc3339: rfc3339(&round_to_minute(&at)),
            from: first,
            to,
            said: Said::BOTH,
        });
    }
    // A date on the calendar says more than a day's name beside it
    // ("monday the 14th" is the 14th, whichever day that is).
    let day = match (day_word(w, now.date()), calendar_date(words, now.date())) {
        (Some(named), Some(dated)) if named.2 == dated.1 || named.2 + 1 == dated.1 => {
            Some((dated.0, named.1, dated.2))
        }
        (named, dated) => dated.or(named),
    };
    let clock = clock_time(w, day.map_or(0..0, |d| d.1..d.2));
    let part = part_of_day(w);
    if day.is_none() && clock.is_none() && part.is_none() {
        return None;
    }
    let mut from = usize::MAX;
    let mut to = 0;
    for (f, t) in [
        day.map(|d| (d.1, d.2)),
        clock.map(|c| (c.1, c.2)),
        part.map(|p| (p.1, p.2)),
    ]
    .into_iter()
    .flatten()
    {
        from = from.min(f);
        to = to.max(t);
    }
    // "this time tomorrow", "same time on friday": the time it is now.
    let now_time = day.is_some()
        && clock.is_none()
        && part.is_none()
        && w.windows(2)
            .any(|p| matches!(p[0].as_str(), "this" | "same") && p[1] == "time");
    // "today" alone is no time: now, or asked when ("later today").
    if day.is_some_and(|d| d.0 == now.date()) && clock.is_none() && part.is_none() && !now_time {
        return None;
    }
    let (mut time, ambiguous) = match (clock, part) {
        _ if now_time => (round_to_minute(now).time(), false),
        (Some(((t, ambiguous), _, _)), Some((part, _, _))) => (shift(t, ambiguous, part), false),
        (Some(((t, ambiguous), _, _)), None) => (t, ambiguous),
        (None, Some((part, _, _))) => (part.default_time(), false),
        // "tomorrow" alone: the morning.
        (None, None) => (Time::constant(9, 0, 0, 0), false),
    };
    let mut passed = false;
    let date = match day {
        Some((date, _, _)) => date,
        None => {
            // Today if still ahead, else tomorrow; an ambiguous hour may
            // also be this evening's.
            let today = now.date();
            let ahead = |t: Time| today.to_datetime(t) > now.datetime();
            let part_left = (part.filter(|_| clock.is_none()))
                .map(|(part, _, _)| part.end())
                .filter(|end| ahead(*end));
            if ahead(time) {
                today
            } else if ambiguous && time.hour() < 12 && ahead(pm(time)) {
                time = pm(time);
                today
            } else if let Some(early) = after_midnight(now, time).filter(|_| ambiguous) {
                // "at 12:15", "at 1" said late at night: the small hours
                // just ahead, not tomorrow afternoon.
                time = early;
                today.tomorrow().ok()?
            } else if part_left.is_some() {
                // "this afternoon" at 2:05pm: still this afternoon, a
                // quarter of an hour on.
                let soon = now.datetime().checked_add(15.minutes()).ok()?;
                time = Time::new(soon.hour(), soon.minute(), 0, 0).ok()?;
                today
            } else {
                // ("this morning" at 2pm: tomorrow's, and said so; never
                // midnight, which is tonight's.)
                let midnight =
                    time == Time::constant(0, 0, 0, 0) && w.iter().any(|x| x == "midnight");
                passed = (clock.is_some() || part.is_some()) && !midnight;
                today.tomorrow().ok()?
            }
        }
    };
    // "every weekday at 9am": the first weekday.
    let mut date = date;
    while day.is_none() && on_weekdays(w) && date.weekday().to_monday_one_offset() > 5 {
        date = date.tomorrow().ok()?;
    }
    let at = zoned(date.to_datetime(time), now.time_zone())?;
    Some(Found {
        rfc3339: rfc3339(&at),
        from,
        to,
        said: Said {
            day: day.is_some(),
            clock: clock.is_some() || part.is_some() || now_time,
            ambiguous,
            passed,
            same: now_time,
        },
    })
}

fn zoned(datetime: DateTime, tz: &TimeZone) -> Option<Zoned> {
    datetime.to_zoned(tz.clone()).ok()
}

fn round_to_minute(at: &Zoned) -> Zoned {
    let seconds = at.second() as i64;
    let nanos = at.subsec_nanosecond() as i64;
    at.checked_sub(seconds.seconds().nanoseconds(nanos))
        .unwrap_or_else(|_| at.clone())
}

/// The hour `t` as the small hours of tomorrow ("12:15" is 00:15), when
/// that is at most six hours after `now`.
fn after_midnight(now: &Zoned, t: Time) -> Option<Time> {
    let early = Time::new(t.hour() % 12, t.minute(), 0, 0).ok()?;
    let at = now.date().tomorrow().ok()?.to_datetime(early);
    let ahead = now.datetime().until(at).ok()?;
    (now.hour() >= 18 && ahead.get_days() == 0 && ahead.get_hours() < 6).then_some(early)
}

fn pm(t: Time) -> Time {
    Time::new((t.hour() + 12) % 24, t.minute(), 0, 0).unwrap_or(t)
}

/// Whether `text` is a length of time and nothing more ("30 minutes", "an
/// hour and a half", "a couple of hours").
pub fn is_a_length(text: &str) -> bool {
    let words = Words::new(text);
    let w = words.norm();
    !w.is_empty() && duration(w, 0).is_some_and(|(_, end)| end == w.len())
}

/// Minutes of "20 minutes", "an hour", "half an hour", "2 hours", "1.5
/// hours", starting at word `i`; and the index after them.
fn duration(w: &[String], i: usize) -> Option<(u32, usize)> {
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    let hour = |k: usize| word(k).starts_with("hour") || matches!(word(k), "hr" | "hrs");
    if word(i) == "half" && matches!(word(i + 1), "an" | "a") && hour(i + 2) {
        return Some((30, i + 3));
    }
    // "a quarter of an hour", "quarter of an hour", "a quarter hour".
    let quarter = if word(i) == "a" { i + 1 } else { i };
    if word(quarter) == "quarter" {
        return match (word(quarter + 1), word(quarter + 2)) {
            ("of", "an" | "a") if hour(quarter + 3) => Some((15, quarter + 4)),
            _ if hour(quarter + 1) => Some((15, quarter + 2)),
            _ => None,
        };
    }
    let (count, next) = match (word(i), word(i + 1), word(i + 2)) {
        // "a couple of hours", "a couple hours", "a few minutes".
        ("a", "couple", "of") => (2.0, i + 3),
        ("a", "couple", _) => (2.0, i + 2),
        ("a" | "", "few", _) | ("few", _, _) => (3.0, if word(i) == "few" { i + 1 } else { i + 2 }),
        ("a" | "an", ..) => (1.0, i + 1),
        (w0, ..) => {
            let n = match w0.parse::<f64>() {
                Ok(n) => n,
                Err(_) => f64::from(number(w0)?),
            };
            // "one and a half hours", "two and a half hours".
            match (word(i + 1), word(i + 2), word(i + 3)) {
                ("and", "a", "half") => (n + 0.5, i + 4),
                _ => (n, i + 1),
            }
        }
    };
    let unit = word(next);
    let mut minutes = if unit.starts_with("min") {
        count
    } else if hour(next) {
        count * 60.0
    } else {
        return None;
    };
    let mut end = next + 1;
    // "an hour and a half".
    if hour(next) && word(end) == "and" && word(end + 1) == "a" && word(end + 2) == "half" {
        minutes += 30.0;
        end += 3;
    }
    (minutes > 0.0 && minutes <= 24.0 * 60.0 * 30.0).then_some((minutes.round() as u32, end))
}

/// "today", "tomorrow", "tonight", "on friday", "the day after tomorrow";
/// a week on from one of them ("a week on thursday", "thursday week", "a
/// week tomorrow", "a week from today"); and days or weeks from today ("in
/// 3 days", "in a week", "a fortnight from now").
fn day_word(w: &[String], today: Date) -> Option<(Date, usize, usize)> {
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    for (i, word_i) in w.iter().enumerate() {
        if let Some((days, end)) = days_ahead(w, i) {
            return Some((today.checked_add(days.days()).ok()?, i, end));
        }
        if let Some((month, day, end)) = holiday(w, i) {
            let from = if i > 0 && w[i - 1] == "on" { i - 1 } else { i };
            return Some((next_date(today, None, Some(month), day)?, from, end));
        }
        let (date, from) = match word_i.as_str() {
            "today" | "tonight" => (today, i),
            "tomorrow" | "tmrw" | "tmr" => {
                let after = i >= 3 && w[i - 3] == "the" && w[i - 2] == "day" && w[i - 1] == "after";
                match after {
                    true => (today.tomorrow().ok()?.tomorrow().ok()?, i - 3),
                    false => (today.tomorrow().ok()?, i),
                }
            }
            other => {
                let Some(day) = weekday(other).or_else(|| plural_weekday(w, i)) else {
                    continue;
                };
                // The next such day (a week on when it is today).
                let mut date = today.tomorrow().ok()?;
                while date.weekday() != day {
                    date = date.tomorrow().ok()?;
                }
                let from = if i > 0 && matches!(w[i - 1].as_str(), "on" | "next" | "this") {
                    i - 1
                } else {
                    i
                };
                (date, from)
            }
        };
        // "a week on thursday", "a week tomorrow", "a week from today";
        // "thursday week", "tomorrow week".
        let a_week =
            |k: usize| k >= 2 && matches!(word(k - 2), "a" | "one") && word(k - 1) == "week";
        let before = match from {
            k if a_week(k) => Some(k - 2),
            k if k >= 1 && matches!(word(k - 1), "on" | "from") && a_week(k - 1) => Some(k - 3),
            _ => None,
        };
        let after = !matches!(word_i.as_str(), "today" | "tonight") && word(i + 1) == "week";
        return Some(match (before, after) {
            (Some(start), _) => (date.checked_add(7.days()).ok()?, start, i + 1),
            (None, true) => (date.checked_add(7.days()).ok()?, from, i + 2),
            (None, false) => (date, from, i + 1),
        });
    }
    None
}

/// A holiday named from word `i` ("christmas eve", "boxing day", "new
/// year's eve"): its month and day, and the index after its words.
fn holiday(w: &[String], i: usize) -> Option<(i8, i8, usize)> {
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    let new_year = word(i) == "new" && matches!(word(i + 1), "year's" | "years" | "year");
    Some(match (word(i), word(i + 1)) {
        ("christmas" | "xmas", "eve") => (12, 24, i + 2),
        ("christmas" | "xmas", "day") => (12, 25, i + 2),
        ("christmas" | "xmas", _) if i > 0 && matches!(word(i - 1), "on" | "at") => (12, 25, i + 1),
        ("boxing", "day") => (12, 26, i + 2),
        ("nye", _) => (12, 31, i + 1),
        _ if new_year && word(i + 2) == "eve" => (12, 31, i + 3),
        _ if new_year && word(i + 2) == "day" => (1, 1, i + 3),
        _ => return None,
    })
}

/// Days from today said from word `i`: "in 3 days", "in a week", "in two
/// weeks' time", "a fortnight from now", "3 days from now"; and the index
/// after them.
fn days_ahead(w: &[String], i: usize) -> Option<(i64, usize)> {
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    let (start, inside) = match word(i) {
        "in" => (i + 1, true),
        _ => (i, false),
    };
    let (count, unit) = match word(start) {
        "fortnight" => (1, start),
        "a" | "an" | "one" => (1, start + 1),
        other => (number(other)?, start + 1),
    };
    let per = match word(unit) {
        "day" | "days" => 1,
        "week" | "weeks" | "weeks'" => 7,
        "fortnight" | "fortnights" => 14,
        _ => return None,
    };
    let mut end = unit + 1;
    match inside {
        // "in 2 weeks' time", "in 3 days time".
        true if word(end) == "time" => end += 1,
        true => {}
        false if word(end) == "from" && matches!(word(end + 1), "now" | "today") => end += 2,
        false => return None,
    }
    let days = i64::from(count) * per;
    (1..=366).contains(&days).then_some((days, end))
}

fn weekday(word: &str) -> Option<Weekday> {
    Some(match word {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" | "tues" => Weekday::Tuesday,
        "wednesday" | "wed" | "weds" => Weekday::Wednesday,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return misspelt_weekday(word),
    })
}

/// "wendesday", "thrusday", "satuday", "fryday": a day's name a letter or
/// two off (two only for a longer word that ends in "day", so "fridge" is
/// no Friday).
fn misspelt_weekday(word: &str) -> Option<Weekday> {
    const DAYS: [(&str, Weekday); 7] = [
        ("monday", Weekday::Monday),
        ("tuesday", Weekday::Tuesday),
        ("wednesday", Weekday::Wednesday),
        ("thursday", Weekday::Thursday),
        ("friday", Weekday::Friday),
        ("saturday", Weekday::Saturday),
        ("sunday", Weekday::Sunday),
    ];
    let reach = match word.len() {
        7.. if word.ends_with("day") => 2,
        6.. => 1,
        _ => return None,
    };
    let mut near = DAYS
        .iter()
        .map(|(name, day)| (super::spelling::distance(word, name), *day))
        .filter(|(d, _)| *d <= reach);
    let (distance, day) = near.next()?;
    // (Only one day near enough.)
    near.all(|(d, _)| d > distance).then_some(day)
}

/// A date on the calendar: "december 24th", "dec 24", "24 december", "the
/// 24th of december", "on the 20th", "24/12", "24/12/2026"; and the words it
/// took.
fn calendar_date(words: &Words, today: Date) -> Option<(Date, usize, usize)> {
    let w = words.norm();
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    // "on" or "on the" before the date belong to it.
    let lead = |i: usize| {
        let the = i > 0 && word(i - 1) == "the";
        let at = if the { i - 1 } else { i };
        if at > 0 && word(at - 1) == "on" {
            at - 1
        } else {
            at
        }
    };
    for i in 0..w.len() {
        // "december 24th", "december the 24th", "dec 24 2026".
        if let Some(month) = month(word(i)) {
            let d = if word(i + 1) == "the" { i + 2 } else { i + 1 };
            if let Some((day, _)) = day_of_month(word(d)) {
                let (year, end) = year_after(w, d + 1);
                let from = if i > 0 && word(i - 1) == "on" {
                    i - 1
                } else {
                    i
                };
                return Some((next_date(today, year, Some(month), day)?, from, end));
            }
            continue;
        }
        // "2026-12-20", and "20.12" after "on".
        if let Some(date) = iso_date(word(i))
            .or_else(|| (i > 0 && word(i - 1) == "on").then(|| dotted_date(word(i), today))?)
        {
            return Some((date, lead(i), i + 1));
        }
        let Some((day, ordinal)) = day_of_month(word(i)) else {
            continue;
        };
        // "24 december", "the 24th of december".
        let m = if word(i + 1) == "of" { i + 2 } else { i + 1 };
        // ("may" after a bare number is rarely the month: "2 may be enough".)
        let month = month(word(m)).filter(|&n| ordinal || (m == i + 1 && n != 5));
        if let Some(month) = month {
            let (year, end) = year_after(w, m + 1);
            return Some((next_date(today, year, Some(month), day)?, lead(i), end));
        }
        // "24/12", "24/12/2026": written together, day first.
        let slash = |k: usize| {
            words
                .words
                .get(k + 1)
                .is_some_and(|next| words.text.get(words.words[k].end..next.start) == Some("/"))
        };
        if !ordinal && slash(i) {
            // ("12/25": month first, as only a 25th can be.)
            let (day, month) = match number(word(i + 1)) {
                Some(m @ 1..=12) => (day, m),
                Some(d @ 13..=31) if (1..=12).contains(&day) => (d as i8, day as u32),
                _ => continue,
            };
            let (year, end) = match slash(i + 1) {
                true => (year(word(i + 2)), i + 3),
                false => (None, i + 2),
            };
            let month = month as i8;
            return Some((next_date(today, year, Some(month), day)?, lead(i), end));
        }
        // "on the 20th", "monday 14th": this month's or the next (never
        // "I'm on the 2nd floor", "the 3rd door on the left").
        let counts_a_thing = matches!(
            word(i + 1),
            "floor"
                | "floors"
                | "flat"
                | "door"
                | "gate"
                | "entrance"
                | "exit"
                | "platform"
                | "level"
                | "storey"
                | "house"
                | "building"
                | "street"
                | "avenue"
                | "road"
                | "left"
                | "right"
                | "turning"
                | "stop"
                | "one"
                | "time"
                | "car"
                | "bag"
                | "person"
        );
        if ordinal
            && !counts_a_thing
            && i > 0
            && (word(i - 1) == "the" || weekday(word(i - 1)).is_some())
        {
            return Some((next_date(today, None, None, day)?, lead(i), i + 1));
        }
    }
    None
}

/// "2026-12-20": a date as computers write it.
fn iso_date(word: &str) -> Option<Date> {
    let mut parts = word.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

/// "20.12", "20.12.2026": day and month (and year), dotted.
fn dotted_date(word: &str, today: Date) -> Option<Date> {
    let mut parts = word.split('.');
    let (d, m) = (parts.next()?, parts.next()?);
    let year = match parts.next() {
        Some(y) => Some(year(y)?),
        None => None,
    };
    if parts.next().is_some() || d.len() > 2 || m.len() > 2 {
        return None;
    }
    let (day, month): (i8, i8) = (d.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&month) {
        return None;
    }
    next_date(today, year, Some(month), day)
}

/// The next date (from today on) with this day, in this month and year
/// when they are given.
fn next_date(today: Date, year: Option<i16>, month: Option<i8>, day: i8) -> Option<Date> {
    match (year, month) {
        (Some(year), Some(month)) => Date::new(year, month, day).ok(),
        (_, Some(month)) => [today.year(), today.year() + 1]
            .into_iter()
            .filter_map(|year| Date::new(year, month, day).ok())
            .find(|date| *date >= today),
        (_, None) => {
            let next = today.first_of_month().checked_add(1.month()).ok()?;
            [today, next]
                .into_iter()
                .filter_map(|d| Date::new(d.year(), d.month(), day).ok())
                .find(|date| *date >= today)
        }
    }
}

/// A year said after a date ("2026"), and the index after the date.
fn year_after(w: &[String], i: usize) -> (Option<i16>, usize) {
    match w.get(i).and_then(|word| year(word)) {
        Some(year) => (Some(year), i + 1),
        None => (None, i),
    }
}

fn year(word: &str) -> Option<i16> {
    let year: i16 = word.parse().ok()?;
    match word.len() {
        4 if (2000..=2100).contains(&year) => Some(year),
        2 => Some(2000 + year),
        _ => None,
    }
}

/// "24", "24th", "1st", "2nd", "3rd": the day, and whether it was said as
/// an ordinal.
fn day_of_month(word: &str) -> Option<(i8, bool)> {
    let (digits, ordinal) = match ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
    {
        Some(digits) => (digits, true),
        None => (word, false),
    };
    if digits.is_empty() || digits.len() > 2 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let day: i8 = digits.parse().ok()?;
    (1..=31).contains(&day).then_some((day, ordinal))
}

fn month(word: &str) -> Option<i8> {
    Some(match word {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Part {
    Morning,
    Lunch,
    Afternoon,
    Evening,
    Night,
}

impl Part {
    /// When this part of the day is over.
    fn end(self) -> Time {
        match self {
            Part::Morning => Time::constant(12, 0, 0, 0),
            Part::Lunch => Time::constant(14, 30, 0, 0),
            Part::Afternoon => Time::constant(18, 0, 0, 0),
            Part::Evening | Part::Night => Time::constant(23, 30, 0, 0),
        }
    }

    fn default_time(self) -> Time {
        match self {
            Part::Morning => Time::constant(9, 0, 0, 0),
            Part::Lunch => Time::constant(12, 30, 0, 0),
            Part::Afternoon => Time::constant(14, 0, 0, 0),
            Part::Evening => Time::constant(18, 0, 0, 0),
            Part::Night => Time::constant(20, 0, 0, 0),
        }
    }
}

fn part_of_day(w: &[String]) -> Option<(Part, usize, usize)> {
    w.iter().enumerate().find_map(|(i, word)| {
        let part = match word.as_str() {
            "morning" => Part::Morning,
            // "early, like 6ish": the morning's (not "early evening").
            "early"
                if !matches!(
                    w.get(i + 1).map(String::as_str),
                    Some("evening" | "afternoon" | "night" | "tonight" | "lunch" | "dinner")
                ) =>
            {
                Part::Morning
            }
            "lunchtime" => Part::Lunch,
            "afternoon" => Part::Afternoon,
            "evening" => Part::Evening,
            "tonight" | "night" => Part::Night,
            _ => return None,
        };
        let from = if i > 0 && matches!(w[i - 1].as_str(), "this" | "in" | "the" | "at") {
            i - 1
        } else {
            i
        };
        Some((part, from, i + 1))
    })
}

/// A clock time without am or pm read with the part of day said with it
/// ("6 in the morning" is 6am, though 6 alone is the afternoon's).
fn shift(t: Time, ambiguous: bool, part: Part) -> Time {
    match part {
        Part::Afternoon | Part::Evening | Part::Night if t.hour() < 12 && ambiguous => pm(t),
        Part::Morning if t.hour() > 12 && ambiguous => {
            Time::new(t.hour() - 12, t.minute(), 0, 0).unwrap_or(t)
        }
        _ => t,
    }
}

/// "5pm", "5 pm", "5:30pm", "17:30", "at 5", "noon", "midnight", "half
/// past five", "quarter to six", "5 o'clock". Returns the time, whether am
/// or pm was left unsaid, and the words it took (none of the date's,
/// `date`).
fn clock_time(w: &[String], date: std::ops::Range<usize>) -> Option<((Time, bool), usize, usize)> {
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    for i in (0..w.len()).filter(|i| !date.contains(i)) {
        // ("at like 7", "for about 7": the filler is the "at".)
        // ("between 8 and 9": the start of the window is the time.)
        let window = i > 0
            && word(i - 1) == "between"
            && matches!(word(i + 1), "and" | "to")
            && hour_glued(word(i + 2)).is_some();
        let at = i > 0
            && (matches!(word(i - 1), "at" | "by" | "around")
                || window
                || (i > 1
                    && matches!(word(i - 1), "like" | "about")
                    && matches!(word(i - 2), "at" | "morning" | "evening" | "tomorrow")));
        let from = if at { i - 1 } else { i };
        match word(i) {
            "noon" | "midday" => return Some(((Time::constant(12, 0, 0, 0), false), from, i + 1)),
            "midnight" => return Some(((Time::constant(0, 0, 0, 0), false), from, i + 1)),
            // "at half 7", "a cab for half 7": half past seven, as said in
            // Britain.
            "half"
                if (at || word(i.wrapping_sub(1)) == "for") && hour_word(word(i + 1)).is_some() =>
            {
                let hour = hour_word(word(i + 1))?;
                let (hour, ambiguous, end) = meridiem(hour, word(i + 2), i + 2);
                let time = Time::new(hour as i8, 30, 0, 0).ok()?;
                return Some(((with_default_pm(time, ambiguous), ambiguous), from, end));
            }
            // "half past five", "quarter to six", "10 to 8", "twenty past
            // seven": minutes before or after an hour (a number only where
            // it is no place's: never "from 2 to 8 Baker Street").
            _ if matches!(word(i + 1), "past" | "to") && hour_glued(word(i + 2)).is_some() => {
                let said = match word(i) {
                    "half" => Some(30),
                    "quarter" => Some(15),
                    number
                        if (word(i + 1) == "past"
                            || at
                            || !word(i + 3).chars().any(char::is_alphabetic)
                            || matches!(
                                word(i + 3),
                                "am" | "pm" | "tomorrow" | "tonight" | "please"
                            ))
                            && !matches!(word(i.wrapping_sub(1)), "from" | "between") =>
                    {
                        minutes_word(number)
                    }
                    _ => None,
                };
                if let Some(minutes) = said {
                    // ("quarter past 10pm": the half of the day glued on.)
                    let (hour, glued) = hour_glued(word(i + 2))?;
                    let (hour, ambiguous, end) = match glued {
                        Some(half) => (to_24(hour, half)?, false, i + 3),
                        None => meridiem(hour, word(i + 3), i + 3),
                    };
                    let (hour, minute) = match word(i + 1) {
                        "past" => (hour, minutes),
                        _ => ((hour + 23) % 24, 60 - minutes),
                    };
                    let time = Time::new(hour as i8, minute as i8, 0, 0).ok()?;
                    return Some(((with_default_pm(time, ambiguous), ambiguous), from, end));
                }
            }
            _ => {}
        }
        // "15 minutes", "2 hours": a length of time, never a clock time.
        if duration(w, i).is_some() {
            continue;
        }
        // "7ish", "7-ish": about seven, taken as seven.
        let (digits, about) = match word(i).strip_suffix("ish") {
            Some(hour) => (hour.strip_suffix('-').unwrap_or(hour), true),
            None => (word(i), false),
        };
        // "in 15": minutes from now, never 3pm; "1730" is a time only
        // after "at" ("at 1730").
        let four = digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit());
        if word(i.wrapping_sub(1)) == "in" || four && !at {
            continue;
        }
        // "at 730": seven thirty, only after "at".
        let three = digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit());
        let clock = match three {
            true if at => {
                let (h, m) = (digits[..1].parse().ok(), digits[1..].parse().ok());
                h.zip(m)
                    .filter(|(_, m)| *m < 60)
                    .map(|(h, m)| (h, Some(m), None))
            }
            true => None,
            false => clock_digits(digits),
        };
        let Some((hour, minute, glued)) = clock else {
            continue;
        };
        // "seven thirty", "6 45", "at 7 30": the minutes said after the
        // hour, as a word or two digits.
        let spoken = (minute.is_none() && glued.is_none() && (1..=12).contains(&hour))
            .then(|| spoken_minutes(w, i + 1))
            .flatten()
            .filter(|(_, next)| {
                at || matches!(
                    word(*next),
                    "am" | "pm" | "tomorrow" | "tonight" | "today" | "this" | "in" | "please" | ""
                )
            });
        let (minute, i) = match spoken {
            Some((m, next)) => (Some(m), next - 1),
            None => (minute, i),
        };
        // "5pm" glued, "5 pm", "5 o'clock", "at 5", "17:30".
        let (hour, ambiguous, end) = match glued {
            Some(half) => (to_24(hour, half)?, false, i + 1),
            None => meridiem(hour, word(i + 1), i + 1),
        };
        let end = if word(end) == "oclock" || word(end) == "o'clock" {
            end + 1
        } else {
            end
        };
        let explicit = !ambiguous || minute.is_some() && hour > 12;
        // A bare number is a time only after "at" (or with minutes).
        let oclock = matches!(word(i + 1), "oclock" | "o'clock");
        // "7 in the morning", "8 tonight".
        let part_of_day = (word(end) == "in"
            && word(end + 1) == "the"
            && matches!(word(end + 2), "morning" | "afternoon" | "evening"))
            || word(end) == "tonight";
        if !explicit && !at && !about && minute.is_none() && !oclock && !part_of_day {
            continue;
        }
        if hour > 23 {
            return None;
        }
        let time = Time::new(hour as i8, minute.unwrap_or(0) as i8, 0, 0).ok()?;
        let ambiguous = ambiguous && hour <= 12;
        return Some(((with_default_pm(time, ambiguous), ambiguous), from, end));
    }
    None
}

/// Minutes before or after an hour: "10", "ten", "twenty", "twenty-five"
/// (never "half" or "quarter", read on their own).
fn minutes_word(word: &str) -> Option<u32> {
    number(word).filter(|m| (1..=30).contains(m) && (*m == 1 || m % 5 == 0))
}

/// The minutes said after an hour from word `k`: "30", "thirty", "forty
/// five", "oh five"; and the index after them.
fn spoken_minutes(w: &[String], k: usize) -> Option<(u32, usize)> {
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    let first = word(k);
    if first.len() == 2 && first.chars().all(|c| c.is_ascii_digit()) {
        let m: u32 = first.parse().ok()?;
        return (m < 60).then_some((m, k + 1));
    }
    if matches!(first, "oh" | "o") {
        let unit = number(word(k + 1)).filter(|u| (1..10).contains(u))?;
        return Some((unit, k + 2));
    }
    if first.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = number(first).filter(|n| (10..60).contains(n))?;
    match (n % 10, number(word(k + 1))) {
        (0, Some(unit)) if n >= 20 && (1..10).contains(&unit) => Some((n + unit, k + 2)),
        _ => Some((n, k + 1)),
    }
}

/// An hour from 1 to 6 without am or pm is the afternoon's.
fn with_default_pm(t: Time, ambiguous: bool) -> Time {
    if ambiguous && (1..=6).contains(&t.hour()) {
        pm(t)
    } else {
        t
    }
}

/// Reads "am"/"pm" after the hour: (24-hour, still ambiguous, next index).
fn meridiem(hour: u32, next: &str, at: usize) -> (u32, bool, usize) {
    match next {
        "am" | "a.m." | "a.m" => (to_24(hour, "am").unwrap_or(hour), false, at + 1),
        "pm" | "p.m." | "p.m" => (to_24(hour, "pm").unwrap_or(hour), false, at + 1),
        _ => (hour, hour <= 12, at),
    }
}

fn to_24(hour: u32, half: &str) -> Option<u32> {
    if hour == 0 || hour > 12 {
        return (half == "pm" && hour > 12 && hour < 24).then_some(hour);
    }
    Some(match (half, hour) {
        ("am", 12) => 0,
        ("am", h) => h,
        (_, 12) => 12,
        (_, h) => h + 12,
    })
}

/// An hour said alone ("10", "ten") or with its half of the day glued on
/// ("10pm").
fn hour_glued(word: &str) -> Option<(u32, Option<&'static str>)> {
    let glued = |half: &'static str| {
        let hour = hour_word(word.strip_suffix(half)?)?;
        Some((hour, Some(half)))
    };
    hour_word(word)
        .map(|hour| (hour, None))
        .or_else(|| glued("am"))
        .or_else(|| glued("pm"))
}

fn hour_word(word: &str) -> Option<u32> {
    word.parse()
        .ok()
        .or_else(|| number(word))
        .filter(|h| (1..=12).contains(h))
}

/// "5", "5pm", "5:30", "5:30pm", "17:30", "five": hour, minutes, glued am/pm.
fn clock_digits(word: &str) -> Option<(u32, Option<u32>, Option<&'static str>)> {
    let (body, half) = if let Some(b) = word.strip_suffix("pm") {
        (b, Some("pm"))
    } else if let Some(b) = word.strip_suffix("am") {
        (b, Some("am"))
    } else {
        (word, None)
    };
    if body.is_empty() {
        return None;
    }
    if let Some((h, m)) = body.split_once(':').or_else(|| body.split_once('.')) {
        let hour: u32 = h.parse().ok()?;
        let minute = m
            .parse::<u32>()
            .ok()
            .filter(|n| *n < 60 && h.len() <= 2 && m.len() == 2)?;
        return Some((hour, Some(minute), half));
    }
    if body.chars().all(|c| c.is_ascii_digit()) && body.len() <= 2 {
        return Some((body.parse().ok()?, None, half));
    }
    // "1730", "0915": the 24-hour clock without its colon.
    if half.is_none() && body.len() == 4 && body.chars().all(|c| c.is_ascii_digit()) {
        let (hour, minute): (u32, u32) = (body[..2].parse().ok()?, body[2..].parse().ok()?);
        return (hour < 24 && minute < 60).then_some((hour, Some(minute), None));
    }
    // "five" (only ever a time after "at": see the caller).
    if half.is_none()
        && let Some(n) = number(body).filter(|n| (1..=12).contains(n))
    {
        return Some((n, None, None));
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_clock_no_day_has_is_found_as_said() {
        assert_eq!(
            super::no_such_clock("a cab at 25:00").as_deref(),
            Some("25:00")
        );
        assert_eq!(
            super::no_such_clock("make it 7:75pm.").as_deref(),
            Some("7:75pm")
        );
        assert_eq!(
            super::no_such_clock("at 13:30pm please").as_deref(),
            Some("13:30pm")
        );
        assert_eq!(super::no_such_clock("at 24:00"), None);
        assert_eq!(super::no_such_clock("at 17:30, from home"), None);
        assert_eq!(super::no_such_clock("at 7.45pm"), None);
        // Prices and scores are no clocks.
        assert_eq!(super::no_such_clock("under £12.50"), None);
        assert_eq!(super::no_such_clock("2.5 litres"), None);
        assert_eq!(super::no_such_clock("a pizza under 12.99"), None);
        assert_eq!(super::no_such_clock("at 12.99").as_deref(), Some("12.99"));
    }

    #[test]
    fn a_time_tied_to_what_happens_is_deferred() {
        for text in [
            "when i land book me a taxi",
            "book a cab home after the meeting",
            "once we're out of the cinema get us a car",
            "as soon as my train gets in, a taxi to the office",
            "get me a cab after work",
            "book a cab from home to heathrow before my flight",
        ] {
            assert!(deferred(text), "{text}");
        }
        for text in [
            "book a cab as soon as possible",
            "a taxi to the airport at 5pm",
            "when can the driver come",
            "after 6 please",
            "book me a taxi to the station",
        ] {
            assert!(!deferred(text), "{text}");
        }
    }

    use super::*;

    #[test]
    fn a_length_of_time_alone() {
        for said in [
            "30 minutes",
            "an hour",
            "an hour and a half",
            "a couple of hours",
            "45 mins",
        ] {
            assert!(is_a_length(said), "{said}");
        }
        for said in ["30 minutes to work", "at 5", "minutes", "", "half past 7"] {
            assert!(!is_a_length(said), "{said}");
        }
    }

    fn london() -> TimeZone {
        TimeZone::get("Europe/London").expect("the bundled tz database")
    }

    /// Wednesday 2 December 2026, 10:00 in London.
    fn now() -> Timestamp {
        "2026-12-02T10:00:00Z".parse().expect("a time")
    }

    fn read(text: &str) -> Option<String> {
        find(text, now(), &london()).map(|f| f.rfc3339)
    }

    /// `text` read on 2026-12-`day` at `clock` (UTC): when, and whether
    /// the time said had passed.
    fn read_on(day: u8, clock: &str, text: &str) -> Option<(String, bool)> {
        let now: Timestamp = format!("2026-12-{day:02}T{clock}Z")
            .parse()
            .expect("a time");
        find(text, now, &london()).map(|f| (f.rfc3339, f.said.passed))
    }

    #[test]
    fn an_hour_said_late_at_night_is_the_small_hours_just_ahead() {
        let at = |clock: &str, text: &str| read_on(6, clock, text);
        // ("at 12:15" at 23:23 is in under an hour, never tomorrow noon.)
        assert_eq!(
            at("23:23:00", "at 12:15"),
            Some(("2026-12-07T00:15:00+00:00".into(), false))
        );
        assert_eq!(
            at("23:23:00", "at 1"),
            Some(("2026-12-07T01:00:00+00:00".into(), false))
        );
        // (More than six hours on, the hour keeps its day's reading.)
        assert_eq!(
            at("23:23:00", "at 7"),
            Some(("2026-12-07T07:00:00+00:00".into(), true))
        );
        // (Earlier in the day, a passed hour is tomorrow's as said.)
        assert_eq!(
            at("13:30:00", "at 12:15"),
            Some(("2026-12-07T12:15:00+00:00".into(), true))
        );
    }

    #[test]
    fn a_part_of_the_day_said_during_it_is_today_and_one_over_is_tomorrows() {
        let at = |clock: &str, text: &str| read_on(2, clock, text);
        assert_eq!(
            at("14:05:00", "this afternoon"),
            Some(("2026-12-02T14:20:00+00:00".into(), false))
        );
        assert_eq!(
            at("14:05:00", "this morning"),
            Some(("2026-12-03T09:00:00+00:00".into(), true))
        );
        assert_eq!(
            at("10:00:00", "this afternoon"),
            Some(("2026-12-02T14:00:00+00:00".into(), false))
        );
    }

    #[test]
    fn asking_for_now_instead() {
        for text in [
            "sorry, i need it right now actually",
            "now please",
            "asap",
            "we need it now",
        ] {
            assert!(wants_now(text), "{text}");
        }
        for text in [
            "now make it two",
            "tomorrow at 9",
            "to work",
            "actually we're 5 now",
        ] {
            assert!(!wants_now(text), "{text}");
        }
    }

    #[test]
    fn now_is_no_time_and_no_place() {
        for text in ["now", "right now", "ASAP please", "as soon as possible"] {
            assert!(is_now(text), "{text}");
            assert_eq!(read(text), None, "{text}");
        }
        for text in ["the station", "now to the station", "right here"] {
            assert!(!is_now(text), "{text}");
        }
    }

    #[test]
    fn in_a_bare_number_is_minutes_and_four_digits_after_at_a_clock() {
        for (text, at) in [
            (
                "taxi from home to work in 15",
                Some("2026-12-02T10:15:00+00:00"),
            ),
            ("a cab in 45 please", Some("2026-12-02T10:45:00+00:00")),
            (
                "book a cab for half 7 from home",
                Some("2026-12-02T19:30:00+00:00"),
            ),
            (
                "taxi home to work at 1730",
                Some("2026-12-02T17:30:00+00:00"),
            ),
            ("at 0915 tomorrow", Some("2026-12-03T09:15:00+00:00")),
            // Not minutes, not a clock.
            ("in 15 stores", None),
            ("order 1730 napkins", None),
        ] {
            assert_eq!(read(text).as_deref(), at, "{text}");
        }
    }

    #[test]
    fn clock_times_and_days() {
        assert_eq!(
            read("at 5pm tomorrow").as_deref(),
            Some("2026-12-03T17:00:00+00:00")
        );
        assert_eq!(
            read("tomorrow at 9am").as_deref(),
            Some("2026-12-03T09:00:00+00:00")
        );
        assert_eq!(
            read("at 5 pm").as_deref(),
            Some("2026-12-02T17:00:00+00:00")
        );
        assert_eq!(
            read("at 17:30").as_deref(),
            Some("2026-12-02T17:30:00+00:00")
        );
        assert_eq!(read("at 5").as_deref(), Some("2026-12-02T17:00:00+00:00"));
        assert_eq!(
            read("at half 7").as_deref(),
            Some("2026-12-02T19:30:00+00:00")
        );
        assert_eq!(
            read("tomorrow at half 8 am").as_deref(),
            Some("2026-12-03T08:30:00+00:00")
        );
        assert_eq!(
            read("tonight at 8").as_deref(),
            Some("2026-12-02T20:00:00+00:00")
        );
        assert_eq!(
            read("on friday at half past six").as_deref(),
            Some("2026-12-04T18:30:00+00:00")
        );
        assert_eq!(
            read("at noon").as_deref(),
            Some("2026-12-02T12:00:00+00:00")
        );
        assert_eq!(
            read("tomorrow morning").as_deref(),
            Some("2026-12-03T09:00:00+00:00")
        );
        assert_eq!(
            read("quarter to seven tomorrow").as_deref(),
            Some("2026-12-03T18:45:00+00:00")
        );
        // The half of the day glued on the hour.
        assert_eq!(
            read("at quarter past 10pm").as_deref(),
            Some("2026-12-02T22:15:00+00:00")
        );
        assert_eq!(
            read("at quarter to 11pm").as_deref(),
            Some("2026-12-02T22:45:00+00:00")
        );
        assert_eq!(
            read("tomorrow at half past 8am").as_deref(),
            Some("2026-12-03T08:30:00+00:00")
        );
        assert_eq!(
            read("at 5 past 10pm").as_deref(),
            Some("2026-12-02T22:05:00+00:00")
        );
        // A window: its start.
        assert_eq!(
            read("tomorrow between 8 and 9").as_deref(),
            Some("2026-12-03T08:00:00+00:00")
        );
    }

    #[test]
    fn a_week_on_and_days_from_now() {
        // Now is Wednesday 2 December 2026.
        let at = |date: &str, time: &str| Some(format!("{date}T{time}:00+00:00"));
        for (text, expected) in [
            ("a week on thursday at 8am", at("2026-12-10", "08:00")),
            ("thursday week at 8am", at("2026-12-10", "08:00")),
            ("a week on friday", at("2026-12-11", "09:00")),
            ("on monday week at 6pm", at("2026-12-14", "18:00")),
            ("a week tomorrow at 7am", at("2026-12-10", "07:00")),
            ("tomorrow week at 7am", at("2026-12-10", "07:00")),
            ("a week today at 5pm", at("2026-12-09", "17:00")),
            ("a week from today at 5pm", at("2026-12-09", "17:00")),
            ("in 3 days at 9am", at("2026-12-05", "09:00")),
            ("in a week at noon", at("2026-12-09", "12:00")),
            ("in two weeks time at 10am", at("2026-12-16", "10:00")),
            ("a fortnight from now at 10am", at("2026-12-16", "10:00")),
            ("2 days from now at 3pm", at("2026-12-04", "15:00")),
            // The next thursday, as before.
            ("on thursday at 8am", at("2026-12-03", "08:00")),
            ("next thursday at 8am", at("2026-12-03", "08:00")),
        ] {
            assert_eq!(read(text), expected, "{text}");
        }
        let found = find(
            "a cab a week on thursday at 8am to gatwick",
            now(),
            &london(),
        )
        .expect("a time");
        assert_eq!((found.from, found.to), (2, 8));
        // Lengths of time that are no day.
        for text in ["3 days", "a week", "twice a week", "for a week"] {
            assert_eq!(read(text), None, "{text}");
        }
    }

    #[test]
    fn asked_again_and_again() {
        for text in [
            "book me a cab to work every weekday at 9am",
            "taxi to the station each morning",
            "a cab on mondays at 8",
            "daily ride to work at 7",
            "every other day at 6pm",
            "every working day",
            "every monday",
        ] {
            assert!(repeats(text), "{text}");
        }
        for text in [
            "a cab on monday at 8",
            "on tues at 8",
            "every time i order it's late",
            "one for each of us",
            "a taxi to tgi fridays",
            "everyday essentials",
        ] {
            assert!(!repeats(text), "{text}");
        }
        // The first of them: now is Wednesday 2 December 2026 at 10:00.
        let at = |date: &str, time: &str| Some(format!("{date}T{time}:00+00:00"));
        let saturday = "2026-12-05T10:00:00Z".parse().expect("a time");
        let on = |text: &str, now: Timestamp| find(text, now, &london()).map(|f| f.rfc3339);
        assert_eq!(
            on("every weekday at 9am", saturday),
            at("2026-12-07", "09:00")
        );
        assert_eq!(on("every weekday at 9am", now()), at("2026-12-03", "09:00"));
        assert_eq!(on("on mondays at 8am", now()), at("2026-12-07", "08:00"));
    }

    #[test]
    fn a_time_moved() {
        let before = "2026-12-03T17:00:00+00:00";
        let moved = |text: &str| moved(text, before, &london());
        for (text, at) in [
            ("push it back an hour", "2026-12-03T18:00:00+00:00"),
            ("30 mins later please", "2026-12-03T17:30:00+00:00"),
            ("bring it forward 15 minutes", "2026-12-03T16:45:00+00:00"),
            ("make it half an hour earlier", "2026-12-03T16:30:00+00:00"),
            (
                "can you push it back by 2 hours",
                "2026-12-03T19:00:00+00:00",
            ),
        ] {
            assert_eq!(moved(text).as_deref(), Some(at), "{text}");
        }
        for text in ["in 20 minutes", "later", "an hour", "come back in an hour"] {
            assert_eq!(moved(text), None, "{text}");
        }
    }

    #[test]
    fn holidays_and_this_time_tomorrow() {
        // Now is Wednesday 2 December 2026, 10:00.
        let at = |date: &str, time: &str| Some(format!("{date}T{time}:00+00:00"));
        for (text, expected) in [
            ("on christmas eve at 3pm", at("2026-12-24", "15:00")),
            ("christmas day at 10am", at("2026-12-25", "10:00")),
            ("on christmas at noon", at("2026-12-25", "12:00")),
            ("boxing day at 10am", at("2026-12-26", "10:00")),
            ("on new year's eve at 11pm", at("2026-12-31", "23:00")),
            ("new years day at 9am", at("2027-01-01", "09:00")),
            ("this time tomorrow", at("2026-12-03", "10:00")),
            ("same time on friday", at("2026-12-04", "10:00")),
        ] {
            assert_eq!(read(text), expected, "{text}");
        }
        assert_eq!(read("a christmas tree"), None);
    }

    #[test]
    fn a_time_passed_today_is_tomorrows_and_says_so() {
        // Now is 10:00.
        let passed = |text: &str| find(text, now(), &london()).map(|f| f.said.passed);
        assert_eq!(passed("at 9am"), Some(true));
        assert_eq!(passed("at 11am"), Some(false));
        assert_eq!(passed("tomorrow at 9am"), Some(false));
        // "at 8" is this evening's, still ahead.
        assert_eq!(passed("at 8"), Some(false));
    }

    #[test]
    fn a_days_name_with_its_date() {
        // The date decides: the 14th of December 2026 is a Monday, the 17th
        // a Thursday.
        let at = |date: &str| Some(format!("{date}T10:00:00+00:00"));
        for (text, date) in [
            ("monday 14th at 10am", "2026-12-14"),
            ("on monday the 14th at 10am", "2026-12-14"),
            ("thursday 17 december at 10am", "2026-12-17"),
            ("friday the 14th at 10am", "2026-12-14"),
        ] {
            assert_eq!(read(text), at(date), "{text}");
        }
        let found = find(
            "cab on monday the 14th at 10am to gatwick",
            now(),
            &london(),
        )
        .expect("a time");
        assert_eq!((found.from, found.to), (1, 7));
    }

    #[test]
    fn a_word_near_a_day_is_that_day_only_when_near_enough() {
        assert_eq!(misspelt_weekday("wendesday"), Some(Weekday::Wednesday));
        assert_eq!(misspelt_weekday("thrusday"), Some(Weekday::Thursday));
        for word in ["fridge", "midday", "someday", "birthday", "today", "payday"] {
            assert_eq!(misspelt_weekday(word), None, "{word}");
        }
    }

    #[test]
    fn dates_on_the_calendar() {
        let at_ten = |date: &str| Some(format!("{date}T10:00:00+00:00"));
        for (text, date) in [
            ("on december 24th at 10am", "2026-12-24"),
            ("dec 24 at 10am", "2026-12-24"),
            ("on the 24th of december at 10am", "2026-12-24"),
            ("24 december at 10am", "2026-12-24"),
            ("on 24/12 at 10am", "2026-12-24"),
            ("at 10am on 12/1/2027", "2027-01-12"),
            // Month first where only it can be; as computers write it; dotted.
            ("on 12/25 at 10am", "2026-12-25"),
            ("on 2026-12-20 at 10am", "2026-12-20"),
            ("on 20.12 at 10am", "2026-12-20"),
            // A day's name misspelt or cut short (2026-12-02 is a Wednesday).
            ("thrusday at 10am", "2026-12-03"),
            ("weds at 10am", "2026-12-09"),
            ("on satuday at 10am", "2026-12-05"),
            ("fryday at 10am", "2026-12-04"),
            ("on the 20th at 10am", "2026-12-20"),
            // Passed this month: next month's; passed this year: next year's.
            ("on the 1st at 10am", "2027-01-01"),
            ("on november 3rd at 10am", "2027-11-03"),
            ("january 5 at 10am", "2027-01-05"),
            // Today's date, still ahead today.
            ("on the 2nd at 10pm", "2026-12-02"),
        ] {
            let expected = match text {
                "on the 2nd at 10pm" => Some(format!("{date}T22:00:00+00:00")),
                _ => at_ten(date),
            };
            assert_eq!(read(text), expected, "{text}");
        }
        // A date alone: its morning, as "tomorrow" alone is.
        assert_eq!(
            read("on the 24th of december").as_deref(),
            Some("2026-12-24T09:00:00+00:00")
        );
        let found = find(
            "a cab to gatwick on december 24th at 10am please",
            now(),
            &london(),
        )
        .expect("a time");
        assert_eq!((found.from, found.to), (4, 9));
        // Numbers that are no dates.
        for text in [
            "2 may be enough",
            "the 2 pizzas",
            "may i book a cab",
            "31/13",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
        // No 31st in November: the next 31st is December's.
        let november: Timestamp = "2026-11-02T10:00:00Z".parse().expect("a time");
        let found = find("on the 31st at 10am", november, &london()).map(|f| f.rfc3339);
        assert_eq!(found.as_deref(), Some("2026-12-31T10:00:00+00:00"));
    }

    #[test]
    fn the_part_of_the_day_said_decides_am_or_pm() {
        assert_eq!(
            read("at 4 in the morning tomorrow").as_deref(),
            Some("2026-12-03T04:00:00+00:00")
        );
        assert_eq!(
            read("quarter past six in the morning on friday").as_deref(),
            Some("2026-12-04T06:15:00+00:00")
        );
        assert_eq!(
            read("at 5:30 tomorrow morning").as_deref(),
            Some("2026-12-03T05:30:00+00:00")
        );
        assert_eq!(
            read("at 6 tomorrow evening").as_deref(),
            Some("2026-12-03T18:00:00+00:00")
        );
        assert_eq!(
            read("tomorrow lunchtime").as_deref(),
            Some("2026-12-03T12:30:00+00:00")
        );
    }

    #[test]
    fn a_day_or_a_time_alone_changes_only_itself() {
        let changed = |said: &str, before: &str| {
            let found = find(said, now(), &london()).expect("a time");
            change(&found, before, &london())
        };
        // Friday at 8am, then "sorry, saturday": Saturday at 8am.
        assert_eq!(
            changed("sorry, saturday", "2026-12-04T08:00:00+00:00").as_deref(),
            Some("2026-12-05T08:00:00+00:00")
        );
        // Tomorrow at 5am, then "make it 5:30": tomorrow at 5:30am.
        assert_eq!(
            changed("make it 5:30", "2026-12-03T05:00:00+00:00").as_deref(),
            Some("2026-12-03T05:30:00+00:00")
        );
        // Tomorrow at 6pm, then "at 7 instead": 7pm.
        assert_eq!(
            changed("at 7 instead", "2026-12-03T18:00:00+00:00").as_deref(),
            Some("2026-12-03T19:00:00+00:00")
        );
        // Both said: as said.
        assert_eq!(
            changed("monday at 9am", "2026-12-03T18:00:00+00:00").as_deref(),
            Some("2026-12-07T09:00:00+00:00")
        );
        assert_eq!(
            changed("in 20 minutes", "2026-12-03T18:00:00+00:00").as_deref(),
            Some("2026-12-02T10:20:00+00:00")
        );
    }

    #[test]
    fn about_a_time_is_that_time() {
        assert_eq!(
            read("at 7ish").as_deref(),
            Some("2026-12-02T19:00:00+00:00")
        );
        assert_eq!(
            read("7-ish tomorrow").as_deref(),
            Some("2026-12-03T07:00:00+00:00")
        );
        assert_eq!(
            read("around 11ish").as_deref(),
            Some("2026-12-02T11:00:00+00:00")
        );
    }

    #[test]
    fn an_hour_with_its_part_of_the_day_is_a_time_after_any_word() {
        assert_eq!(
            read("for tomorrow 7 in the morning").as_deref(),
            Some("2026-12-03T07:00:00+00:00")
        );
        assert_eq!(
            read("for 8 tonight").as_deref(),
            Some("2026-12-02T20:00:00+00:00")
        );
    }

    #[test]
    fn an_hour_oclock_is_a_time_after_any_word() {
        // (Words keep the apostrophe: "o'clock" as written.)
        assert_eq!(
            read("a curry to home for 8 o'clock").as_deref(),
            Some("2026-12-02T20:00:00+00:00")
        );
        assert_eq!(
            read("5 oclock").as_deref(),
            Some("2026-12-02T17:00:00+00:00")
        );
    }

    #[test]
    fn a_time_that_has_passed_today_is_tomorrows() {
        assert_eq!(read("at 9am").as_deref(), Some("2026-12-03T09:00:00+00:00"));
        // 10 o'clock without am or pm: tonight's is still ahead.
        assert_eq!(read("at 10").as_deref(), Some("2026-12-02T22:00:00+00:00"));
    }

    #[test]
    fn durations_from_now() {
        assert_eq!(
            read("in 20 minutes").as_deref(),
            Some("2026-12-02T10:20:00+00:00")
        );
        assert_eq!(
            read("in an hour").as_deref(),
            Some("2026-12-02T11:00:00+00:00")
        );
        assert_eq!(
            read("in half an hour").as_deref(),
            Some("2026-12-02T10:30:00+00:00")
        );
        assert_eq!(
            read("in two hours").as_deref(),
            Some("2026-12-02T12:00:00+00:00")
        );
        for (said, at) in [
            ("in a couple of hours", "2026-12-02T12:00:00+00:00"),
            ("in a couple hours", "2026-12-02T12:00:00+00:00"),
            ("in a few minutes", "2026-12-02T10:03:00+00:00"),
            ("in quarter of an hour", "2026-12-02T10:15:00+00:00"),
            ("in a quarter of an hour", "2026-12-02T10:15:00+00:00"),
            ("in one and a half hours", "2026-12-02T11:30:00+00:00"),
            ("in an hour and a half", "2026-12-02T11:30:00+00:00"),
            ("in 2 and a half hours", "2026-12-02T12:30:00+00:00"),
        ] {
            assert_eq!(read(said).as_deref(), Some(at), "{said}");
        }
        // Said alone, as the answer to "when?".
        assert_eq!(
            read("15 minutes").as_deref(),
            Some("2026-12-02T10:15:00+00:00")
        );
        assert_eq!(
            read("about an hour from now").as_deref(),
            Some("2026-12-02T11:00:00+00:00")
        );
        // A length of time is never a clock time ("15" is no 3pm).
        assert_eq!(read("a cab for 15 minutes"), None);
        assert_eq!(read("30 minutes after landing"), None);
    }

    #[test]
    fn a_time_after_another_is_the_same_clock_time_later() {
        let tz = london();
        let at7pm = "2026-12-02T19:00:00+00:00";
        let hour_alone = Said {
            clock: true,
            ambiguous: true,
            ..Said::default()
        };
        let clock = Said {
            clock: true,
            ..Said::default()
        };
        // "back at 11", read as 11am, after a ride at 7pm.
        assert_eq!(
            after("2026-12-02T11:00:00+00:00", at7pm, hour_alone, &tz).as_deref(),
            Some("2026-12-02T23:00:00+00:00")
        );
        // "back at 11" after a ride on Friday at 10am: Friday's 11am.
        assert_eq!(
            after(
                "2026-12-02T23:00:00+00:00",
                "2026-12-04T10:00:00+00:00",
                hour_alone,
                &tz
            )
            .as_deref(),
            Some("2026-12-04T11:00:00+00:00")
        );
        // "at midnight", read as this morning's.
        assert_eq!(
            after("2026-12-02T00:00:00+00:00", at7pm, clock, &tz).as_deref(),
            Some("2026-12-03T00:00:00+00:00")
        );
        // "back at 9pm" after a ride tomorrow at 6am: tomorrow's 9pm, never
        // 9am; "back at 5pm" after a ride on Friday at 10am: Friday's.
        assert_eq!(
            after(
                "2026-12-02T21:00:00+00:00",
                "2026-12-03T06:00:00+00:00",
                clock,
                &tz
            )
            .as_deref(),
            Some("2026-12-03T21:00:00+00:00")
        );
        assert_eq!(
            after(
                "2026-12-02T17:00:00+00:00",
                "2026-12-04T10:00:00+00:00",
                clock,
                &tz
            )
            .as_deref(),
            Some("2026-12-04T17:00:00+00:00")
        );
        // A day said stays as said; already after: unchanged.
        let day = Said { day: true, ..clock };
        assert_eq!(after("2026-12-02T17:00:00+00:00", at7pm, day, &tz), None);
        assert_eq!(after("2026-12-02T22:00:00+00:00", at7pm, clock, &tz), None);
        assert_eq!(after("not a time", at7pm, clock, &tz), None);
    }

    #[test]
    fn summer_time_has_its_offset() {
        let july: Timestamp = "2026-07-01T08:00:00Z".parse().expect("a time");
        let found = find("at 5pm", july, &london()).map(|f| f.rfc3339);
        assert_eq!(found.as_deref(), Some("2026-07-01T17:00:00+01:00"));
    }

    #[test]
    fn no_time_is_read_where_there_is_none() {
        for text in [
            "book a ride for 3 people",
            "2 burgers",
            "a cab to 5 Baker Street",
            "now please",
            "from terminal 5",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }

    #[test]
    fn the_words_it_took() {
        let found =
            find("a cab to gatwick at 5pm tomorrow please", now(), &london()).expect("a time");
        assert_eq!((found.from, found.to), (4, 7));
    }

    #[test]
    fn a_models_time_is_taken_as_it_is() {
        assert_eq!(
            parse("2026-12-03T17:00:00Z", now(), &london()).as_deref(),
            Some("2026-12-03T17:00:00+00:00")
        );
        assert_eq!(
            parse("tomorrow at 5pm", now(), &london()).as_deref(),
            Some("2026-12-03T17:00:00+00:00")
        );
    }
}
