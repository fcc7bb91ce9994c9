//! Standard output that never panics. `println!` panics when stdout is a closed pipe
//! (`faro status --json | head`) or a full disk, and a panic exits with 101 and a backtrace
//! hint. Every line `faro` prints goes through [`outln!`] instead: a closed pipe
//! ends the program quietly with status 141, as Unix tools killed by `SIGPIPE` do (so a
//! script with `pipefail` still sees that the output was cut short); any other write error
//! is reported on stderr with status 1.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// While set, [`write`] prints nothing: `faro demo --json` runs the human demo's steps
/// silently and prints one JSON document at the end.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences (or restores) everything written through [`outln!`].
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// The exit status after a closed pipe: 128 + SIGPIPE, what a shell reports for `cat` or `grep`.
pub const BROKEN_PIPE_STATUS: i32 = 141;

/// Writes `args` to stdout, or ends the program as the module doc says.
pub fn write(args: fmt::Arguments) {
    if QUIET.load(Ordering::Relaxed) {
        return;
    }
    if let Err(e) = io::stdout().lock().write_fmt(args) {
        fail(e);
    }
}

/// Flushes stdout (what is still buffered at exit), or ends the program.
pub fn flush() {
    if let Err(e) = io::stdout().lock().flush() {
        fail(e);
    }
}

fn fail(e: io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(BROKEN_PIPE_STATUS);
    }
    eprintln!("faro: cannot write the output: {e}");
    std::process::exit(1)
}

/// `println!` for `faro`: see the module doc.
macro_rules! outln {
    () => {
        $crate::stdout::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::stdout::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}
