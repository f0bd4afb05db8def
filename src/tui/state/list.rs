//! A selection in a long list, with the window of rows on screen. Only that window is ever drawn.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListNav {
    pub selected: usize,
    pub offset: usize,
}

impl ListNav {
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
    /// the offset was left (a re-sort can put the selection at the very end).
    pub fn window(&self, len: usize, rows: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(len.saturating_sub(rows));
        start..(start + rows).min(len)
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
}
