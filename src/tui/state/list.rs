//! A selection in a long list, with the window of rows on screen. Only that window is ever drawn.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListNav {
    pub selected: usize,
    pub offset: usize,
}

impl ListNav {
    /// A move (`Action::moves`) over a list of `len`.
    pub fn go(&mut self, action: crate::tui::action::Action, len: usize, rows: usize) {
        use crate::tui::action::Action;
        match action {
            Action::Up => self.up(len, rows),
            Action::Down => self.down(len, rows),
            Action::Top => self.top(len, rows),
            Action::Bottom => self.bottom(len, rows),
            Action::PageUp => self.page_up(len, rows),
            Action::PageDown => self.page_down(len, rows),
            _ => {}
        }
    }

    pub fn up(&mut self, len: usize, rows: usize) {
        self.select(self.selected.saturating_sub(1), len, rows);
    }

    pub fn down(&mut self, len: usize, rows: usize) {
        self.select(self.selected + 1, len, rows);
    }

    pub fn page_up(&mut self, len: usize, rows: usize) {
        self.select(self.selected.saturating_sub(rows.max(1)), len, rows);
    }

    pub fn page_down(&mut self, len: usize, rows: usize) {
        self.select(self.selected + rows.max(1), len, rows);
    }

    pub fn top(&mut self, len: usize, rows: usize) {
        self.select(0, len, rows);
    }

    pub fn bottom(&mut self, len: usize, rows: usize) {
        self.select(len.saturating_sub(1), len, rows);
    }

    /// Moves to `index` (clamped) and scrolls just enough to keep it in a window of `rows`.
    pub fn select(&mut self, index: usize, len: usize, rows: usize) {
        self.selected = index.min(len.saturating_sub(1));
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(len.saturating_sub(rows));
    }

    /// The visible slice of a list of `len`: a full window whenever the list fills one, however
    /// the offset was left (a re-sort can put the selection at the very end), and always with the
    /// selection in it, even when the pane drawn is shorter than the one the offset was kept for.
    pub fn window(&self, len: usize, rows: usize) -> std::ops::Range<usize> {
        let rows = rows.max(1);
        let mut start = self.offset.min(len.saturating_sub(rows));
        if self.selected < len && self.selected >= start + rows {
            start = self.selected + 1 - rows;
        }
        start = start.min(self.selected);
        start..(start + rows).min(len)
    }
}

/// How far a page of text (a timeline, a thread, a history) is scrolled. Its drawing says how far
/// it can go, so keys never scroll past the end into blank space.
#[derive(Debug)]
pub struct Scroll {
    pub top: usize,
    /// The last top that still fills the view, as the last frame drew it (until one has, any).
    pub end: std::cell::Cell<usize>,
}

impl Default for Scroll {
    fn default() -> Scroll {
        Scroll {
            top: 0,
            end: std::cell::Cell::new(usize::MAX),
        }
    }
}

impl Scroll {
    /// A top past any end: the view shows its end (a reply just sent, say).
    pub fn to_end(&mut self) {
        self.top = usize::MAX;
    }

    /// The top to draw, for `lines` of text in a view `rows` high; remembers the end.
    pub fn drawn(&self, lines: usize, rows: usize) -> usize {
        let end = lines.saturating_sub(rows);
        self.end.set(end);
        self.top.min(end)
    }

    pub fn go(&mut self, action: crate::tui::action::Action, page: usize) {
        use crate::tui::action::Action;
        let (top, end) = (self.top.min(self.end.get()), self.end.get());
        self.top = match action {
            Action::Up => top.saturating_sub(1),
            Action::Down => (top + 1).min(end),
            Action::PageUp => top.saturating_sub(page.max(1)),
            Action::PageDown => (top + page.max(1)).min(end),
            Action::Top => 0,
            _ => end,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolls_only_to_keep_the_selection_in_view() {
        let mut nav = ListNav::default();
        for _ in 0..12 {
            nav.down(100, 10);
        }
        assert_eq!((nav.selected, nav.offset), (12, 3));
        nav.up(100, 10);
        assert_eq!((nav.selected, nav.offset), (11, 3));
        nav.bottom(100, 10);
        assert_eq!((nav.selected, nav.offset), (99, 90));
        assert_eq!(nav.window(100, 10), 90..100);
        nav.page_up(100, 10);
        assert_eq!((nav.selected, nav.offset), (89, 89));
        nav.top(100, 10);
        assert_eq!((nav.selected, nav.offset), (0, 0));
        nav.down(0, 10);
        assert_eq!(nav.selected, 0);
    }

    #[test]
    fn a_scroll_stops_where_the_text_ends() {
        use crate::tui::action::Action;
        let mut s = Scroll::default();
        assert_eq!(s.drawn(30, 10), 0);
        for _ in 0..50 {
            s.go(Action::Down, 10);
        }
        assert_eq!(s.top, 20, "the last ten lines fill the view");
        s.go(Action::Up, 10);
        assert_eq!(s.top, 19, "one key back is one line back");
        s.to_end();
        assert_eq!(s.drawn(35, 10), 25);
        s.go(Action::PageUp, 10);
        assert_eq!(s.top, 15);
    }

    #[test]
    fn the_window_drawn_always_holds_the_selection() {
        let mut nav = ListNav::default();
        nav.select(19, 100, 20);
        assert_eq!(nav.window(100, 20), 0..20);
        // A pane two rows shorter than the one the offset was kept for.
        assert_eq!(nav.window(100, 18), 2..20);
        nav.select(99, 100, 20);
        nav.select(50, 100, 20);
        assert_eq!(nav.window(100, 10), 50..60);
        assert_eq!(ListNav::default().window(0, 10), 0..0);
    }
}
