//! The Lambda runtimes Palisade packages for, with AWS's published
//! deprecation dates (after which functions can no longer be created).

/// A language family: how handlers map to files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Python,
    NodeJs,
}

impl Family {
    /// Source file extensions a handler module may have, in lookup order.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Family::Python => &["py"],
            Family::NodeJs => &["mjs", "js", "cjs"],
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Runtime {
    pub id: &'static str,
    pub family: Family,
    /// `(year, month, day)` AWS deprecates the runtime.
    pub deprecated_on: (u16, u8, u8),
}

/// Newest first within each family. Source: the AWS Lambda runtimes page.
pub const RUNTIMES: &[Runtime] = &[
    rt("python3.14", Family::Python, (2029, 6, 30)),
    rt("python3.13", Family::Python, (2029, 6, 30)),
    rt("python3.12", Family::Python, (2028, 10, 31)),
    rt("python3.11", Family::Python, (2026, 6, 30)),
    rt("python3.10", Family::Python, (2026, 6, 30)),
    rt("python3.9", Family::Python, (2025, 12, 15)),
    // Retired runtimes stay in the table, so a spec that names one hears
    // the same as for a deprecated one: when, and what to use instead.
    rt("python3.8", Family::Python, (2024, 10, 14)),
    rt("python3.7", Family::Python, (2023, 12, 4)),
    rt("python3.6", Family::Python, (2022, 7, 18)),
    rt("python2.7", Family::Python, (2021, 7, 15)),
    rt("nodejs24.x", Family::NodeJs, (2028, 4, 30)),
    rt("nodejs22.x", Family::NodeJs, (2027, 4, 30)),
    rt("nodejs20.x", Family::NodeJs, (2026, 4, 30)),
    rt("nodejs18.x", Family::NodeJs, (2025, 9, 1)),
    rt("nodejs16.x", Family::NodeJs, (2024, 6, 12)),
    rt("nodejs14.x", Family::NodeJs, (2023, 12, 4)),
    rt("nodejs12.x", Family::NodeJs, (2023, 3, 31)),
    rt("nodejs10.x", Family::NodeJs, (2021, 7, 30)),
];

const fn rt(id: &'static str, family: Family, deprecated_on: (u16, u8, u8)) -> Runtime {
    Runtime {
        id,
        family,
        deprecated_on,
    }
}

pub fn find(id: &str) -> Option<&'static Runtime> {
    RUNTIMES.iter().find(|r| r.id == id)
}

/// The newest runtime of a family.
pub fn newest(family: Family) -> &'static Runtime {
    RUNTIMES
        .iter()
        .find(|r| r.family == family)
        .expect("every family has a runtime")
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Python => "Python",
            Family::NodeJs => "Node.js",
        }
    }

    /// The family a runtime name belongs to, known or not (`python3.15`,
    /// `python3`, `nodejs26.x`).
    fn of(id: &str) -> Option<Family> {
        let id = id.to_ascii_lowercase();
        if id.starts_with("python") {
            Some(Family::Python)
        } else if id.starts_with("node") {
            Some(Family::NodeJs)
        } else {
            None
        }
    }
}

/// What to use instead of a runtime that is deprecated, retired or unknown
/// but recognisably of a family: the newest of that family. The one place
/// runtime suggestions come from.
pub fn replacement(id: &str) -> Option<&'static Runtime> {
    let family = find(id).map(|r| r.family).or_else(|| Family::of(id))?;
    Some(newest(family))
}

impl Runtime {
    pub fn is_deprecated(&self, today: (u16, u8, u8)) -> bool {
        today >= self.deprecated_on
    }

    pub fn deprecation_date(&self) -> String {
        let (y, m, d) = self.deprecated_on;
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// Today's UTC date, for deprecation checks.
pub fn today() -> (u16, u8, u8) {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days(i64::try_from(seconds / 86_400).unwrap_or(0))
}

/// Days since 1970-01-01 to a Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (u16, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as u16, month as u8, day as u8)
}

/// The directory a handler's code is packaged from, and the handler relative
/// to it: `src/orders/get.handler` → (`src`, `orders/get.handler`). A handler
/// with no directory packages the spec's directory itself.
pub fn code_dir(handler: &str) -> (&str, &str) {
    match handler.split_once('/') {
        Some((dir, rest)) => (dir, rest),
        None => ("", handler),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_785), (2026, 11, 28));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn suggestions_are_the_newest_of_the_family() {
        for id in [
            "python3.15",
            "python3",
            "python3.8",
            "python3.9",
            "Python3.12",
        ] {
            assert_eq!(replacement(id).unwrap().id, "python3.14", "{id}");
        }
        assert_eq!(replacement("nodejs26.x").unwrap().id, "nodejs24.x");
        assert_eq!(replacement("nodejs16.x").unwrap().id, "nodejs24.x");
        assert!(replacement("ruby3.3").is_none());
    }

    #[test]
    fn deprecation_is_inclusive() {
        let python39 = find("python3.9").unwrap();
        assert!(python39.is_deprecated((2025, 12, 15)));
        assert!(!python39.is_deprecated((2025, 12, 14)));
    }
}
