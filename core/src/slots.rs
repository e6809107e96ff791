//! [`Slots`]: fixed-capacity storage that starts small.
//!
//! The limits of SEMANTICS §2 need room for 180 baggage members (or header
//! lines) in every list, but a request carries a handful. Safe Rust writes
//! every byte of a value it creates, so a plain `[T; 180]` costs its full size
//! on every request. `Slots` starts as `S` inline slots and switches to all
//! `N` the first time an item lands past them: creating one writes only `S`
//! slots, and the full array is built only for the rare list that needs it.

/// `S` slots that become `N` on demand (`S <= N`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Slots<T: Copy, const S: usize, const N: usize> {
    /// The first `S` slots (every list starts here).
    Small([T; S]),
    /// All `N` slots.
    Full([T; N]),
}

impl<T: Copy, const S: usize, const N: usize> Slots<T, S, N> {
    /// `S` slots holding `empty`.
    pub(crate) const fn new(empty: T) -> Self {
        const { assert!(S <= N, "more small slots than slots") };
        Slots::Small([empty; S])
    }

    /// [`Slots::new`] for a value built at run time: the slots are written
    /// one by one, where `new`'s array constant is copied in once more (a
    /// quarter of the cost of an empty `Extraction`).
    #[inline(always)]
    pub(crate) fn filled(empty: T) -> Self {
        Slots::Small(core::array::from_fn(|_| empty))
    }

    /// Every slot there is room for now.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Slots::Small(items) => items,
            Slots::Full(items) => items,
        }
    }

    /// Every slot there is room for now, mutably.
    #[inline]
    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        match self {
            Slots::Small(items) => items,
            Slots::Full(items) => items,
        }
    }

    /// The small slots, when they never grew. Rebuilding a value from them
    /// (`Slots::Small(small)`) copies `S` slots where moving it copies `N`.
    #[inline(always)]
    pub(crate) fn small(&self) -> Option<[T; S]> {
        match self {
            Slots::Small(items) => Some(*items),
            Slots::Full(_) => None,
        }
    }

    /// [`Slots::small`] with only the first `len` items copied, one by one,
    /// and `empty` in the other slots: from behind a reference, the optimiser
    /// may widen a copy of the whole small array (whose neighbours are
    /// undefined in the rebuilt value) back into a copy of all `N` slots.
    #[inline(always)]
    pub(crate) fn small_items(&self, len: usize, empty: T) -> Option<[T; S]> {
        let items = self.small()?;
        let mut small = [empty; S];
        for (to, from) in small.iter_mut().zip(items.iter().take(len)) {
            *to = *from;
        }
        Some(small)
    }

    /// Slot `i`, switching to `N` slots (the new ones holding `empty`) when
    /// `i` is past the small ones; `None` when `i >= N`.
    #[inline]
    pub(crate) fn slot(&mut self, i: usize, empty: T) -> Option<&mut T> {
        if i >= S && i < N && matches!(self, Slots::Small(_)) {
            self.grow(empty);
        }
        self.as_mut_slice().get_mut(i)
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, empty: T) {
        if let Slots::Small(small) = self {
            let mut full = [empty; N];
            for (to, from) in full.iter_mut().zip(small.iter()) {
                *to = *from;
            }
            *self = Slots::Full(full);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_once_and_keeps_items() {
        let mut s: Slots<u8, 2, 4> = Slots::new(0);
        assert_eq!(s.as_slice(), &[0, 0]);
        for i in 0..4 {
            *s.slot(i, 0).unwrap() = i as u8 + 1;
        }
        assert!(matches!(s, Slots::Full(_)));
        assert_eq!(s.as_slice(), &[1, 2, 3, 4]);
        assert_eq!(s.slot(4, 0), None);
        let mut small: Slots<u8, 2, 4> = Slots::new(9);
        assert_eq!(small.slot(7, 0), None);
        assert!(matches!(small, Slots::Small(_)));
    }
}
