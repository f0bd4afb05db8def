//! Messages for the person running a command ("rapport: 3 rows rejected"). They go to standard
//! error, or, for a command run inside the server for another process, to that process's.

use std::cell::RefCell;
use std::io::Write;

thread_local! {
    static SINK: RefCell<Option<Box<dyn Write>>> = const { RefCell::new(None) };
}

/// Writes one line where this thread's messages go.
pub fn line(text: &str) {
    SINK.with(|sink| match sink.borrow_mut().as_mut() {
        Some(sink) => {
            let _ = writeln!(sink, "{text}");
            let _ = sink.flush();
        }
        None => eprintln!("{text}"),
    });
}

/// Runs `f` with this thread's messages sent to `sink`.
pub fn to<R>(sink: Box<dyn Write>, f: impl FnOnce() -> R) -> R {
    SINK.with(|s| *s.borrow_mut() = Some(sink));
    let result = f();
    SINK.with(|s| *s.borrow_mut() = None);
    result
}
