//! The time limits a run waits out before it stops something that never
//! ends (a template, `codex --version`, a Codex load check), and the one way
//! tests shorten them.
//!
//! In a debug build (`cfg(debug_assertions)`, which is what `cargo test`
//! runs) each limit can be replaced by `CODEXGEN_DEBUG_<NAME>_SECS` from the
//! environment, so a test of a limit waits one second instead of ten and a
//! test of another bound can set a limit it cannot race. A release build
//! never reads these variables: users always get the limits below.

use std::time::Duration;

/// A time limit: its name in the environment (debug builds) and its value.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Read only by debug builds.
    #[cfg_attr(not(debug_assertions), allow(dead_code))]
    var: &'static str,
    default: Duration,
}

/// All templates of a run render within this, or the run stops. The built-in
/// ones render a 10,000-provider catalog in well under a second.
pub const RENDER: Limit = Limit {
    var: "CODEXGEN_DEBUG_RENDER_SECS",
    default: Duration::from_secs(10),
};

/// `codex --version` answers in well under a second (a first run of an npm
/// install in a few); one that has not answered by then never will.
pub const VERSION: Limit = Limit {
    var: "CODEXGEN_DEBUG_VERSION_SECS",
    default: Duration::from_secs(10),
};

/// A Codex that has not answered a load check by then is stuck, not slow.
pub const VERIFY: Limit = Limit {
    var: "CODEXGEN_DEBUG_VERIFY_SECS",
    default: Duration::from_secs(30),
};

impl Limit {
    /// The limit this run keeps.
    pub fn get(self) -> Duration {
        #[cfg(debug_assertions)]
        if let Some(secs) = std::env::var(self.var)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|s| *s > 0)
        {
            return Duration::from_secs(secs);
        }
        self.default
    }

    /// The limit in whole seconds, as messages name it.
    pub fn secs(self) -> u64 {
        self.get().as_secs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_what_the_messages_promise() {
        assert_eq!(RENDER.default, Duration::from_secs(10));
        assert_eq!(VERSION.default, Duration::from_secs(10));
        assert_eq!(VERIFY.default, Duration::from_secs(30));
    }

    #[test]
    fn an_unset_or_unusable_variable_keeps_the_default() {
        let limit = Limit {
            var: "CODEXGEN_DEBUG_NEVER_SET_SECS",
            default: Duration::from_secs(7),
        };
        assert_eq!(limit.get(), Duration::from_secs(7));
    }
}
